#!/usr/bin/env bash
# Takes docs/screenshots/demo-*.png (the demo routine's four views), settings.png (the
# settings panel) and text-scale-150.png: the app in a 1280×720 Xvfb screen, driven with
# xdotool, the real pose model on the bundled demo clips. Needs xvfb, xdotool,
# imagemagick. About 3½ minutes: the demo plays in real time.
#
#   docs/screenshots/take-demo.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=docs/screenshots
DISPLAY_NUM=${DISPLAY_NUM:-96}
APP=${APP:-${CARGO_TARGET_DIR:-target}/release/backform}
export BACKFORM_DATA_DIR=$(mktemp -d) BACKFORM_CONFIG_DIR=$(mktemp -d)
export OPENCV_LOG_LEVEL=ERROR RUST_LOG=${RUST_LOG:-warn} DISPLAY=":$DISPLAY_NUM"
[ -x "$APP" ] || cargo build --release --bin backform
Xvfb ":$DISPLAY_NUM" -screen 0 1280x720x24 >/dev/null 2>&1 &
XVFB_PID=$!
trap 'kill $XVFB_PID 2>/dev/null; kill $APP_PID 2>/dev/null' EXIT
sleep 1
shot() { import -window root "$OUT/$1.png"; echo "$OUT/$1.png"; }
# Of a burst of N pictures 1.5 s apart, keeps the one whose prompt line (y 570–630) has
# the most of the prompt colours (form amber, safety red): a moment with a correction.
burst() {
  local name=$1 n=$2 best=-1 i
  for i in $(seq 1 "$n"); do
    import -window root "/tmp/burst-$i.png"
    local score
    score=$(convert "/tmp/burst-$i.png" -crop 1280x60+0+570 +repage -fuzz 12% \
      -fill black +opaque "rgb(242,169,59)" -fill white -opaque "rgb(242,169,59)" \
      -format "%[fx:int(mean*1280*60)]" info:)
    if [ "$score" -gt "$best" ]; then best=$score; cp "/tmp/burst-$i.png" "$OUT/$name.png"; fi
    sleep 1.5
  done
  echo "$OUT/$name.png (prompt pixels: $best)"
}

# The settings panel, then the start screen at 150 % text.
"$APP" --video assets/demo/pelvic-rock.mp4 --mute & APP_PID=$!
sleep 6
xdotool mousemove 1007 44 click 1; sleep 2; shot settings
xdotool mousemove 735 616 click 1; sleep 2
xdotool mousemove 871 66 click 1; sleep 3; shot text-scale-150
kill $APP_PID; wait $APP_PID 2>/dev/null || true
rm -f "$BACKFORM_CONFIG_DIR/settings.toml"

# The demo, from the "No camera found" screen's button.
"$APP" --camera 9 --mute & APP_PID=$!
sleep 6
xdotool mousemove 610 266 click 1
# Each clip is 41–48 s; a burst over its middle catches a correction.
# (a burst of 14 takes about 28 s; clips start near 0, 47, 94 and 136 s).
sleep 12; burst demo-1-pelvic-tilt 14
sleep 15; burst demo-2-controlled-rotation 14
sleep 17; burst demo-3-pelvic-rock 14
sleep 30; shot demo-4-back-block-traction
sleep 55; shot demo-summary
