#!/usr/bin/env bash
# Makes webcam-like copies of rendered clip sets: what a laptop camera adds to a clean
# render — temporal sensor noise, then lossy H.264 — with each clip's truth beside it.
# The renders are noiseless (a still body gives the very same frame, so the very same
# landmarks); a webcam never is, and the engine must not depend on that.
# Usage: tools/webcam-copies.sh OUT_DIR SET_DIR...   (needs the ffmpeg command; its noise
# filter is seeded, so a given ffmpeg makes the same copies every time — 5.1 for
# docs/webcam-noise.md)
# LIVE=1 keeps the noise fresh on every frame, as a live camera hands it over: the same
# noise, then near-lossless H.264 (CRF 8) that does not copy still blocks from the frame
# before (large files: ~200 MB for a 45 s clip; docs/webcam-noise.md, "A live camera").
set -euo pipefail
crf=26
preset=medium
if [ "${LIVE:-0}" = 1 ]; then
  crf=8
  preset=ultrafast
fi
out=$1
shift
command -v ffmpeg >/dev/null || {
  echo "webcam-copies: the ffmpeg command is missing (sudo apt-get install ffmpeg)" >&2
  exit 1
}
mkdir -p "$out"
for dir in "$@"; do
  for clip in "$dir"/*.mp4; do
    stem=$(basename "$clip" .mp4)
    [ -f "$dir/$stem.json" ] || continue
    cp "$dir/$stem.json" "$out/$stem.json"
    [ -s "$out/$stem.mp4" ] && continue
    echo "$clip $out/$stem.mp4"
  done
done | CRF=$crf PRESET=$preset xargs -r -P "$(nproc)" -n 2 sh -c \
  'ffmpeg -loglevel error -y -i "$0" -vf "noise=alls=6:allf=t" -c:v libx264 -preset "$PRESET" -crf "$CRF" -pix_fmt yuv420p "$1"'
