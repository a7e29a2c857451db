#!/usr/bin/env bash
# Takes docs/screenshots/history-7-days.png, history-6-weeks.png and session-summary.png:
# the app in a 1280×720 Xvfb screen, clicked with xdotool.
#
# The history is real coaching: `examples/fill_history.rs` runs the coach over the
# exercise fixtures' reference landmarks and stores each report through the store's API,
# dated over the last six weeks. The summary is of a session done right then: pelvic
# tilts on the hips-lifting fixture clip (landmarks replayed, no pose model needed),
# which the app writes to the store as it goes; the clip's end ends the session, then
# the pain question is answered. Needs xvfb, xdotool, imagemagick.
#
#   docs/screenshots/take-history.sh
#   APP=target/release/backform FILL=target/release/examples/fill_history docs/screenshots/take-history.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
FIXTURES=${FIXTURES:-../shared/fixtures/exercises}
OUT=docs/screenshots
DISPLAY_NUM=${DISPLAY_NUM:-98}
TARGET=${CARGO_TARGET_DIR:-target}
APP=${APP:-$TARGET/release/backform}
FILL=${FILL:-$TARGET/release/examples/fill_history}
export BACKFORM_DATA_DIR=${BACKFORM_DATA_DIR:-$(mktemp -d)}
export OPENCV_LOG_LEVEL=ERROR RUST_LOG=${RUST_LOG:-warn} DISPLAY=":$DISPLAY_NUM"

[ -x "$APP" ] && [ -x "$FILL" ] || cargo build --release --bin backform --example fill_history
if ! xdpyinfo >/dev/null 2>&1; then
  Xvfb ":$DISPLAY_NUM" -screen 0 1280x720x24 >/dev/null 2>&1 &
  XVFB_PID=$!
  trap 'kill $XVFB_PID' EXIT
  sleep 1
fi

"$FILL" "$BACKFORM_DATA_DIR"

# Where the buttons are in the 1280×720 window (no window manager: it sits at 0,0).
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-2}"; }
HISTORY_ON_START="1180 44"
LAST_6_WEEKS="605 36"
PAIN_3="440 243"

# The history, opened from the start screen (a clip plays in the preview).
clip=pelvic_rock__good__front_seated
"$APP" --video "$FIXTURES/$clip.mp4" --landmarks "$FIXTURES/reference/$clip.jsonl" --mute &
pid=$!
sleep 5
click $HISTORY_ON_START
import -window root "$OUT/history-7-days.png"
click $LAST_6_WEEKS
import -window root "$OUT/history-6-weeks.png"
kill "$pid"; wait "$pid" 2>/dev/null || true

# A session: the clip plays to its end (46 s), which ends the session; the pain question
# is answered and the summary shows.
clip=pelvic_tilt__bridge__side_floor
"$APP" --video "$FIXTURES/$clip.mp4" --landmarks "$FIXTURES/reference/$clip.jsonl" \
  --exercise pelvic-tilt --autostart --mute &
pid=$!
sleep 52
click $PAIN_3
import -window root "$OUT/session-summary.png"
kill "$pid"; wait "$pid" 2>/dev/null || true
ls "$OUT"/history-*.png "$OUT/session-summary.png"
