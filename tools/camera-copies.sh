#!/usr/bin/env bash
# Makes copies of rendered clips as other cameras would give them, each with its truth
# beside it: the camera on the person's other side (mirrored; the truth's sides swap),
# a dim room's 15 fps, an HD sensor (1280×960), a 16:9 frame, a camera rolled 8°, and
# the person further away (60% of the size). The renders keep one camera model and one
# frame rate; the engine must not depend on either.
# Usage: tools/camera-copies.sh OUT_DIR SET_DIR...   (needs the ffmpeg command)
# CAMERAS="mirror fps15" makes only those copies (default: all six).
set -euo pipefail
out=$1
shift
command -v ffmpeg >/dev/null || {
  echo "camera-copies: the ffmpeg command is missing (sudo apt-get install ffmpeg)" >&2
  exit 1
}
mkdir -p "$out"
cameras=(
  "mirror|hflip"
  "fps15|fps=15"
  "hd|scale=1280:960:flags=lanczos"
  "wide|pad=854:480:(ow-iw)/2:0"
  "roll8|rotate=8*PI/180:fillcolor=gray"
  "small|scale=400:300,pad=640:480:120:150:color=gray"
)
for dir in "$@"; do
  for clip in "$dir"/*.mp4; do
    stem=$(basename "$clip" .mp4)
    [ -f "$dir/$stem.json" ] || continue
    for cam in "${cameras[@]}"; do
      name=${cam%%|*}
      case " ${CAMERAS:-$name} " in *" $name "*) ;; *) continue ;; esac
      copy="$out/${stem}__cam-$name"
      # The truth names the clip in eval's table: each copy by its own name.
      rename="s/\"stem\": *\"$stem\"/\"stem\": \"${stem}__cam-$name\"/"
      if [ "$name" = mirror ]; then
        sed -e "$rename" -e 's/"side": *"left"/"side": "@LEFT@"/g' \
          -e 's/"side": *"right"/"side": "left"/g' -e 's/"side": "@LEFT@"/"side": "right"/g' \
          "$dir/$stem.json" > "$copy.json"
      else
        sed -e "$rename" "$dir/$stem.json" > "$copy.json"
      fi
      [ -s "$copy.mp4" ] && continue
      echo "$clip $copy.mp4 ${cam#*|}"
    done
  done
done | xargs -r -P "$(nproc)" -n 3 sh -c \
  'ffmpeg -loglevel error -y -i "$0" -vf "$2" -c:v libx264 -crf 18 -pix_fmt yuv420p "$1"'
