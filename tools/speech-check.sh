#!/usr/bin/env bash
# The app's spoken coaching with the real speech daemon, by hand (not in `make test`):
# backform coaches pelvic tilts on the bundled demo clip in a virtual screen (Xvfb, no D-Bus
# session), speech-dispatcher (logging at level 5) speaks through espeak-ng into a
# PulseAudio null sink that parecord records. Prints, for each rep the coach counted, when
# its number reached the daemon, and sox's statistics of the recording. Then the same run
# with no daemon reachable: tones only, one log line. Needs xvfb, pulseaudio,
# pulseaudio-utils, sox, speech-dispatcher, speech-dispatcher-espeak-ng.
#
#   tools/speech-check.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
APP=${APP:-${CARGO_TARGET_DIR:-target}/release/backform}
work=$(mktemp -d)
export XDG_RUNTIME_DIR=$work/xdg BACKFORM_DATA_DIR=$work/data BACKFORM_CONFIG_DIR=$work/config
mkdir -p "$XDG_RUNTIME_DIR"
export DISPLAY=:95 OPENCV_LOG_LEVEL=ERROR NO_COLOR=1
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; pkill -f "speech-dispatcher -s -l 5 -L $work" || true' EXIT
Xvfb :95 -screen 0 1280x720x24 >/dev/null 2>&1 & pids+=($!)
pulseaudio --daemonize=no --exit-idle-time=-1 -n \
  --load="module-null-sink sink_name=rec" --load=module-native-protocol-unix \
  >"$work/pulse.log" 2>&1 & pids+=($!)
sleep 2
sock=$work/speechd.sock
speech-dispatcher -s -l 5 -L "$work" -t 0 -c unix_socket -S "$sock" & pids+=($!)
parecord -d rec.monitor --file-format=wav --channels=1 --rate=16000 "$work/speech.wav" & pids+=($!)
sleep 1

echo "### the app, $secs s, with the daemon"
env -u DBUS_SESSION_BUS_ADDRESS SPEECHD_ADDRESS="unix_socket:$sock" \
  RUST_LOG=warn,backform::history=info,backform::pipeline::speaker=debug \
  timeout "$secs" "$APP" --video assets/demo/pelvic-tilt.mp4 --exercise pelvic-tilt --autostart \
  >"$work/app.log" 2>&1 || true
sleep 1
kill "${pids[-1]}" 2>/dev/null || true   # parecord
sleep 0.5
grep -E "rep counted|said" "$work/app.log" | sed -E 's/^([0-9T:.-]+)Z? +[A-Z]+ /\1 /'
echo
echo "### rep counted → its number handed to the voice → at the daemon's synthesiser"
python3 - "$work/app.log" "$work/speech-dispatcher.log" <<'PY'
import re, sys, datetime
words = "one two three four five six seven eight nine ten".split()
def t(stamp):
    return datetime.datetime.fromisoformat(stamp.rstrip("Z")).timestamp()
app = open(sys.argv[1]).read().splitlines()
reps = [(t(l.split()[0]), int(re.search(r"number=(\d+)", l).group(1))) for l in app if "rep counted" in l]
said = [(t(l.split()[0]), re.search(r'text=(.*?) kind', l).group(1)) for l in app if " said" in l]
# speech-dispatcher's log: "[Fri Dec  4 15:40:01 2026 : 123456] speechd: ..." lines.
daemon = []
try:
    for l in open(sys.argv[2], errors="replace"):
        m = re.match(r"\[(\w+ \w+ +\d+ [\d:]+ \d+) : (\d+)\]", l)
        if m and ("Command sent to output module" in l or "SPEAK" in l.upper()):
            base = datetime.datetime.strptime(m.group(1), "%a %b %d %H:%M:%S %Y").replace(tzinfo=datetime.timezone.utc).timestamp()
            daemon.append(base + int(m.group(2)) / 1e6)
except FileNotFoundError:
    pass
worst = 0.0
for at, n in reps:
    word = words[n - 1] if n <= 10 else str(n)
    spoken = next((s for s, text in said if text == word and s >= at - 0.05), None)
    reached = next((d for d in daemon if spoken is not None and d >= spoken - 0.01), None)
    lag = None if spoken is None else spoken - at
    worst = max(worst, lag if lag is not None else 99)
    print(f"rep {n}: said '{word}' {'not' if lag is None else f'{lag*1000:.0f} ms after the count'}"
          + ("" if reached is None else f", at the synthesiser {1000*(reached-spoken):.0f} ms later"))
print(f"worst: {worst*1000:.0f} ms")
PY
echo
echo "### the recording"
sox "$work/speech.wav" -n stats 2>&1 | grep -E "RMS lev dB|Pk lev dB|Length s"

echo
echo "### the same, with no speech daemon reachable"
env -u DBUS_SESSION_BUS_ADDRESS SPEECHD_ADDRESS=unix_socket:/nonexistent RUST_LOG=warn \
  timeout 8 "$APP" --video assets/demo/pelvic-tilt.mp4 --exercise pelvic-tilt --autostart \
  2>&1 | grep -v -E "XSETTINGS|XRandR" || true
echo "(exit by timeout: the app kept coaching with tones)"
