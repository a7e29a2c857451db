#!/usr/bin/env python3
"""Pace copies of replayable clips, for `backform eval --from-landmarks` (docs/paces.md).

Usage: tools/pace-copies.py SET_DIR LANDMARKS_DIR OUT_DIR PACE

For every X.mp4 with X.json in SET_DIR and X.jsonl in LANDMARKS_DIR (MediaPipe's
`reference/`, or what `backform analyze --landmarks` wrote): OUT_DIR/X__paceP.json, the
truth with its frame rate multiplied by PACE (its frames keep their numbers, so every
true span moves in time), OUT_DIR/d/X__paceP.jsonl, the landmarks with each frame's time
divided by PACE, and OUT_DIR/X__paceP.mp4, a link to the clip (a replay reads only its
name). Then: backform eval OUT_DIR --from-landmarks OUT_DIR/d
"""
import glob
import json
import os
import sys


def main() -> None:
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    src, landmarks, out, pace = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    if pace <= 0:
        sys.exit("PACE must be above 0")
    os.makedirs(os.path.join(out, "d"), exist_ok=True)
    made = 0
    for truth_path in sorted(glob.glob(os.path.join(src, "*.json"))):
        stem = os.path.basename(truth_path)[: -len(".json")]
        clip = os.path.join(src, stem + ".mp4")
        frames = os.path.join(landmarks, stem + ".jsonl")
        if not (os.path.exists(clip) and os.path.exists(frames)):
            continue
        name = f"{stem}__pace{pace:g}"
        with open(truth_path) as f:
            truth = json.load(f)
        truth["stem"] = name
        truth["fps"] *= pace
        truth["duration_s"] /= pace
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(truth, f)
        link = os.path.join(out, name + ".mp4")
        if not os.path.lexists(link):
            os.symlink(os.path.abspath(clip), link)
        with open(frames) as fi, open(os.path.join(out, "d", name + ".jsonl"), "w") as fo:
            for line in fi:
                frame = json.loads(line)
                frame["t"] /= pace
                fo.write(json.dumps(frame, separators=(",", ":")) + "\n")
        made += 1
    print(f"{made} clips at {pace:g} pace in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
