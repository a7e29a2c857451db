#!/usr/bin/env bash
# Installs a backform .deb in a clean Debian 12 (bookworm) chroot and runs it there, so a
# dependency missing from the package's Depends shows up as a failure instead of working
# by luck on a build machine. By hand, as root (not part of `make test`); docs/install.md
# has a run's output.
#
#   tools/deb-check.sh target/debian/backform_0.1.0-1_amd64.deb [CLIP.mp4]
#
# The bare system is debootstrapped once into $DEB_CHROOT/base (default /work/deb-chroot)
# from the mirror this machine's apt uses, and copied afresh into $DEB_CHROOT/run for every
# check: the package is installed with apt from Debian's archive alone. Then, inside:
# `backform --version`, `backform exercises`, `backform analyze` on a pelvic-tilt clip, and
# the app itself on that clip for 40 s on a virtual screen (this machine's Xvfb, its socket
# shared into the chroot, so no X server package inside masks a missing dependency): the
# window's GL, X11 and audio libraries are opened at run time, out of dpkg-shlibdeps' sight.
set -euo pipefail

deb=${1:?usage: tools/deb-check.sh BACKFORM.deb [CLIP.mp4]}
repo=$(cd "$(dirname "$0")/.." && pwd)
clip=${2:-$repo/../shared/fixtures/exercises/pelvic_tilt__bridge__side_floor.mp4}
root=${DEB_CHROOT:-/work/deb-chroot}
suite=bookworm
[ -f "$deb" ] || { echo "no such package: $deb" >&2; exit 2; }
[ -f "$clip" ] || { echo "no such clip: $clip (pass one as the second argument)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap and chroot need it)" >&2; exit 2; }

# The mirror this machine's apt uses for Debian itself (deb822 or one-line format).
host_sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$host_sources" ]; then
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$host_sources")
else
  mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}

step() { printf '\n### %s\n' "$*"; }

if [ ! -f "$root/base/etc/debian_version" ]; then
  command -v debootstrap >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
  }
  step "debootstrap $suite from $mirror into $root/base"
  rm -rf "$root/base"
  mkdir -p "$root"
  debootstrap --variant=minbase "$suite" "$root/base" "$mirror" >"$root/debootstrap.log" 2>&1 ||
    { tail -20 "$root/debootstrap.log"; exit 1; }
  # The same suites as the host (point releases and security fixes), from the same mirror.
  if [ -f "$host_sources" ]; then
    cp "$host_sources" "$root/base/etc/apt/sources.list.d/debian.sources"
    rm -f "$root/base/etc/apt/sources.list"
  fi
else
  step "reusing the bare $suite system in $root/base ($(cat "$root/base/etc/debian_version"))"
fi

run=$root/run
xvfb_pid=
cleanup() {
  for m in tmp/.X11-unix dev/pts dev proc sys; do umount "$run/$m" 2>/dev/null || true; done
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
cleanup
rm -rf "$run"
cp -a "$root/base" "$run"
mount -t proc proc "$run/proc"
mount -t sysfs sys "$run/sys"
mount --bind /dev "$run/dev"
mount --bind /dev/pts "$run/dev/pts"
cp /etc/resolv.conf "$run/etc/resolv.conf"
cp "$deb" "$run/tmp/"
cp "$clip" "$run/tmp/clip.mp4"
inside() { chroot "$run" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 "$@"; }

step "the package"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'

step "apt-get install ./$(basename "$deb") in the clean chroot"
inside apt-get update -qq
before=$(inside dpkg-query -W -f='.\n' | wc -l)
inside env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")" \
  >"$root/apt-install.log" 2>&1 || { tail -30 "$root/apt-install.log"; exit 1; }
grep -E '^(The following NEW|[0-9]+ upgraded|Need to get|After this)' "$root/apt-install.log"
after=$(inside dpkg-query -W -f='.\n' | wc -l)
echo "packages: $before before, $after after"
inside dpkg -L backform | while read -r f; do [ -f "$run$f" ] && echo "$f"; done | sort

step "ldd /usr/bin/backform: every shared library resolved"
if inside ldd /usr/bin/backform | grep 'not found'; then exit 1; fi
echo "all resolved ($(inside ldd /usr/bin/backform | wc -l) libraries)"

step "backform --version"
inside backform --version

step "backform exercises"
inside backform exercises

step "backform analyze clip.mp4 --exercise pelvic-tilt --report report.json"
# The debug log says where the runtime and the models were found (no source tree in here).
inside sh -c 'cd /tmp && RUST_LOG=info,backform::pose=debug backform analyze clip.mp4 --exercise pelvic-tilt --report report.json' 2>"$root/analyze.log" ||
  { tail -20 "$root/analyze.log"; exit 1; }
grep -E 'ONNX Runtime|model|frames/s' "$root/analyze.log" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-200 || true
inside cat /tmp/report.json >"$root/report.json"
python3 - "$root/report.json" <<'EOF'
import collections, json, sys
report = json.load(open(sys.argv[1]))
print(f"exercise {report['exercise']}, {report['duration_s']} s, counts {report['counts']}")
for n, rep in enumerate(report["reps"], 1):
    hold = f", hold {rep['hold_s']:.1f} s" if rep.get("hold_s") is not None else ""
    print(f"  rep {n}: {rep['start_s']:.1f}–{rep['end_s']:.1f} s{hold}, faults {rep['faults'] or 'none'}")
faults = collections.Counter(f["code"] for f in report["faults"])
print(f"faults {dict(faults)}; {len(report['prompts'])} prompts; "
      f"sets {[(s['set'], s['reps']) for s in report['sets']]}")
for key in sorted(set(report) - {"exercise", "duration_s", "counts", "reps", "faults", "prompts", "sets"}):
    print(f"{key}: {json.dumps(report[key])[:200]}")
EOF

step "the app on the clip, 40 s on a virtual screen"
if command -v Xvfb >/dev/null; then
  display=:97
  Xvfb "$display" -screen 0 1280x720x24 >/dev/null 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 100); do [ -S /tmp/.X11-unix/X${display#:} ] && break; sleep 0.1; done
  mkdir -p "$run/tmp/.X11-unix"
  mount --bind /tmp/.X11-unix "$run/tmp/.X11-unix"
  status=0
  inside env DISPLAY="$display" BACKFORM_DATA_DIR=/tmp/data RUST_LOG=warn,backform::history=info NO_COLOR=1 \
    timeout 40 backform --video /tmp/clip.mp4 --exercise pelvic-tilt --autostart --mute \
    >"$root/app.log" 2>&1 || status=$?
  # 124: still running when the 40 s were up, as it should be.
  [ "$status" = 124 ] || { tail -30 "$root/app.log"; echo "the app exited with $status"; exit 1; }
  if grep -E 'panicked| ERROR ' "$root/app.log"; then exit 1; fi
  echo "ran 40 s; its log:"
  cut -c1-200 "$root/app.log" | tail -15
  inside sh -c 'ls -la /tmp/data'
else
  echo "skipped: Xvfb is not installed here (apt-get install xvfb)"
fi

step "deb-check passed"
