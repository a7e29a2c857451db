#!/usr/bin/env bash
# Takes docs/screenshots/*.png: the app in a 1280×720 Xvfb screen, one exercise view per
# fixture clip, with the real pose model, started at once (--autostart) and captured a
# few seconds in. Needs xvfb, imagemagick, the models (BACKFORM_MODELS) and ONNX Runtime.
#
#   docs/screenshots/take.sh            # all four
#   APP=target/release/backform docs/screenshots/take.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
FIXTURES=${FIXTURES:-../shared/fixtures/exercises}
OUT=docs/screenshots
DISPLAY_NUM=${DISPLAY_NUM:-97}
APP=${APP:-target/release/backform}
export BACKFORM_MODELS=${BACKFORM_MODELS:-models}
export BACKFORM_DATA_DIR=${BACKFORM_DATA_DIR:-$(mktemp -d)}
export OPENCV_LOG_LEVEL=ERROR RUST_LOG=${RUST_LOG:-warn}

[ -x "$APP" ] || cargo build --release
if ! xdpyinfo -display ":$DISPLAY_NUM" >/dev/null 2>&1; then
  Xvfb ":$DISPLAY_NUM" -screen 0 1280x720x24 >/dev/null 2>&1 &
  XVFB_PID=$!
  trap 'kill $XVFB_PID' EXIT
  sleep 1
fi

# name  clip  exercise  seconds-in
shots=(
  "pelvic-tilt pelvic_tilt__good__side_floor pelvic-tilt 14"
  "controlled-rotation controlled_rotation__too_far__side_floor controlled-rotation 4"
  "pelvic-rock pelvic_rock__shoulder_sway__front_seated pelvic-rock 9"
  "back-block-traction back_block_traction__good__side_floor back-block-traction 20"
)
for shot in "${shots[@]}"; do
  read -r name clip exercise seconds <<<"$shot"
  DISPLAY=":$DISPLAY_NUM" BACKFORM_UI_FRAME_TIMES="$OUT/$name.frame-times.json" \
    "$APP" --video "$FIXTURES/$clip.mp4" --exercise "$exercise" --autostart --mute &
  pid=$!
  sleep "$seconds"
  DISPLAY=":$DISPLAY_NUM" import -window root "$OUT/$name.png"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$OUT/$name.png"
done
