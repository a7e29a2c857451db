#!/usr/bin/env bash
# convert.sh — rebuild backform's BlazePose ONNX models from Google's MediaPipe .tflite files.
#
# usage: models/convert.sh [--heavy] [--no-verify]
#
#   Downloads mediapipe==0.10.14 (PyPI wheel) and @mediapipe/pose@0.5.1675469404 (npm),
#   checks their SHA-256, converts with tf2onnx 1.17 / tensorflow-cpu 2.21 (opset 17),
#   strips the landmark models' segmentation output, verifies against the TFLite
#   interpreter with onnxruntime 1.31.1, and writes into models/:
#     pose_detection.onnx, pose_landmark_lite.onnx, pose_landmark_full.onnx,
#     pose_landmark_full_seg.onnx (the full model with its segmentation output kept), LICENSE
#   then prints their SHA-256 and checks them against models/SHA256SUMS.
#   --heavy      also build pose_landmark_heavy.onnx, into models/work/ (not committed)
#   --no-verify  skip the onnxruntime / TFLite comparison and timings
#
#   Needs python3 (3.10–3.13; PYTHON=... to choose), npm, and network access to PyPI and
#   npm. Scratch goes to models/work/, the Python environment to models/.venv-tf/ (both
#   git-ignored). The mediapipe wheel is only unpacked, never installed, so its
#   numpy<2 / protobuf<5 pins do not clash with TensorFlow's and one venv is enough.
#   See SOURCES.md for what each step changes and the numbers it gave.
set -euo pipefail

HEAVY=0
VERIFY=1
for arg in "$@"; do
  case "$arg" in
    --heavy) HEAVY=1 ;;
    --no-verify) VERIFY=0 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

MODELS=$(cd "$(dirname "$0")" && pwd)
WORK=$MODELS/work
VENV=$MODELS/.venv-tf
TOOLS=$MODELS/tools
PYTHON=${PYTHON:-python3}
FIXTURES=${FIXTURES:-$MODELS/../../shared/fixtures}

MP_VERSION=0.10.14
MP_WHEEL=mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
MP_WHEEL_SHA=a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4
NPM_VERSION=0.5.1675469404
NPM_TGZ=mediapipe-pose-$NPM_VERSION.tgz
NPM_TGZ_SHA=8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84

export PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES="" PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n== %s\n' "$*"; }
check_sha() { # file expected
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [[ "$got" != "$2" ]]; then
    echo "SHA-256 mismatch for $1: got $got, expected $2" >&2
    exit 1
  fi
}

run_logged() { # log-name command... : stdout shown, stderr (TensorFlow chatter) logged, shown on failure
  local log=$WORK/logs/$1.stderr.log
  shift
  if ! "$@" 2>"$log"; then
    tail -30 "$log" >&2
    exit 1
  fi
}

mkdir -p "$WORK/dl" "$WORK/src" "$WORK/onnx" "$WORK/logs"

step "python environment ($VENV)"
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip install -q -r "$TOOLS/requirements.txt" >"$WORK/logs/pip.log" 2>&1; then
  tail -20 "$WORK/logs/pip.log" >&2
  exit 1
fi
PY=$VENV/bin/python
run_logged versions "$PY" -c 'import tensorflow as tf, tf2onnx, onnx, onnxruntime as ort; print("tensorflow", tf.__version__, "| tf2onnx", tf2onnx.__version__, "| onnx", onnx.__version__, "| onnxruntime", ort.__version__)'

step "download sources"
if [[ ! -f "$WORK/dl/$MP_WHEEL" ]]; then
  "$PY" -m pip download -q --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --python-version 3.11 --implementation cp --abi cp311 -d "$WORK/dl" "mediapipe==$MP_VERSION"
fi
check_sha "$WORK/dl/$MP_WHEEL" "$MP_WHEEL_SHA"
if [[ ! -f "$WORK/dl/$NPM_TGZ" ]]; then
  (cd "$WORK/dl" && npm pack --silent "@mediapipe/pose@$NPM_VERSION" >/dev/null)
fi
check_sha "$WORK/dl/$NPM_TGZ" "$NPM_TGZ_SHA"
echo "mediapipe $MP_VERSION wheel and @mediapipe/pose $NPM_VERSION tarball OK"

step "extract .tflite files"
rm -rf "$WORK/src" && mkdir -p "$WORK/src/pypi" "$WORK/src/npm"
"$PY" - "$WORK/dl/$MP_WHEEL" "$WORK/src/pypi" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for name in ("mediapipe/modules/pose_detection/pose_detection.tflite",
             "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
             "mediapipe-0.10.14.dist-info/LICENSE"):
    z.extract(name, sys.argv[2])
EOF
tar -xzf "$WORK/dl/$NPM_TGZ" -C "$WORK/src/npm" \
  package/pose_landmark_lite.tflite package/pose_landmark_full.tflite \
  package/pose_landmark_heavy.tflite package/package.json
DET_SRC=$WORK/src/pypi/mediapipe/modules/pose_detection/pose_detection.tflite
FULL_SRC=$WORK/src/pypi/mediapipe/modules/pose_landmark/pose_landmark_full.tflite
LITE_SRC=$WORK/src/npm/package/pose_landmark_lite.tflite
HEAVY_SRC=$WORK/src/npm/package/pose_landmark_heavy.tflite
check_sha "$DET_SRC" 9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c
check_sha "$FULL_SRC" e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f
check_sha "$WORK/src/npm/package/pose_landmark_full.tflite" e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f
check_sha "$LITE_SRC" f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61
check_sha "$HEAVY_SRC" 59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe
check_sha "$WORK/src/pypi/mediapipe-0.10.14.dist-info/LICENSE" 8707eef0533987efc5b155d64761eeb6e20793f50b9bd1a68dad1cf4719d0ed8
sha256sum "$DET_SRC" "$FULL_SRC" "$LITE_SRC" "$HEAVY_SRC" | sed "s|$WORK/||"

step "densify the detector's sparse weights"
run_logged densify "$PY" "$TOOLS/densify_tflite.py" "$DET_SRC" "$WORK/src/pose_detection_dense.tflite" --verify 5

# name | source tflite | tflite to convert | output to drop | where from
MODELS_TO_BUILD=(
  "pose_detection|$DET_SRC|$WORK/src/pose_detection_dense.tflite||PyPI mediapipe==$MP_VERSION mediapipe/modules/pose_detection/pose_detection.tflite"
  "pose_landmark_lite|$LITE_SRC|$LITE_SRC|Identity_2|npm @mediapipe/pose@$NPM_VERSION pose_landmark_lite.tflite"
  "pose_landmark_full|$FULL_SRC|$FULL_SRC|Identity_2|PyPI mediapipe==$MP_VERSION mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
  # The same graph with its segmentation output kept: the pelvic tilt's belly cue reads it.
  "pose_landmark_full_seg|$FULL_SRC|$FULL_SRC||PyPI mediapipe==$MP_VERSION mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
)
if [[ $HEAVY == 1 ]]; then
  MODELS_TO_BUILD+=("pose_landmark_heavy|$HEAVY_SRC|$HEAVY_SRC|Identity_2|npm @mediapipe/pose@$NPM_VERSION pose_landmark_heavy.tflite")
fi

VERIFY_SPECS=()
for entry in "${MODELS_TO_BUILD[@]}"; do
  IFS='|' read -r name src tfl drop from <<<"$entry"
  step "convert $name"
  if ! "$PY" -m tf2onnx.convert --tflite "$tfl" --opset 17 --output "$WORK/onnx/$name.unstripped.onnx" \
      >"$WORK/logs/tf2onnx-$name.log" 2>&1; then
    tail -20 "$WORK/logs/tf2onnx-$name.log" >&2
    exit 1
  fi
  grep -E "Model (inputs|outputs)" "$WORK/logs/tf2onnx-$name.log" | sed 's/^.* - INFO - /tf2onnx: /'
  doc="MediaPipe BlazePose $name (Apache-2.0), converted from $from with tf2onnx 1.17 opset 17"
  args=()
  if [[ -n $drop ]]; then
    args+=(--drop-output "$drop")
    doc="$doc; segmentation output $drop removed"
  fi
  "$PY" "$TOOLS/finalize_onnx.py" "$WORK/onnx/$name.unstripped.onnx" "$WORK/onnx/$name.onnx" \
    "${args[@]}" --doc "$doc" --meta "source=$from" --meta "license=Apache-2.0"
  VERIFY_SPECS+=("$name:$src:$WORK/onnx/$name.unstripped.onnx:$WORK/onnx/$name.onnx")
done

if [[ $VERIFY == 1 ]]; then
  step "verify (onnxruntime vs unstripped graph and vs TFLite interpreter) and time"
  run_logged verify "$PY" "$TOOLS/verify.py" --fixtures "$FIXTURES" --json "$WORK/verify.json" "${VERIFY_SPECS[@]}"
fi

step "install into $MODELS"
for name in pose_detection pose_landmark_lite pose_landmark_full pose_landmark_full_seg; do
  cp "$WORK/onnx/$name.onnx" "$MODELS/$name.onnx"
done
{
  echo "The files pose_detection.onnx, pose_landmark_lite.onnx, pose_landmark_full.onnx and pose_landmark_full_seg.onnx are Google's"
  echo "MediaPipe BlazePose models (pose detection and pose landmark lite/full), converted from TFLite to"
  echo "ONNX (see SOURCES.md). MediaPipe is licensed under the Apache License 2.0, reproduced below from"
  echo "the mediapipe $MP_VERSION wheel (mediapipe-$MP_VERSION.dist-info/LICENSE)."
  echo
  cat "$WORK/src/pypi/mediapipe-$MP_VERSION.dist-info/LICENSE"
} >"$MODELS/LICENSE"
if [[ $HEAVY == 1 ]]; then
  echo "heavy model left in $WORK/onnx/pose_landmark_heavy.onnx (not for committing)"
fi

step "SHA-256"
(cd "$MODELS" && sha256sum pose_detection.onnx pose_landmark_lite.onnx pose_landmark_full.onnx pose_landmark_full_seg.onnx)
if [[ -f "$MODELS/SHA256SUMS" ]]; then
  if (cd "$MODELS" && sha256sum --quiet -c SHA256SUMS); then
    echo "reproduced: all files match models/SHA256SUMS"
  else
    echo "models/SHA256SUMS does not match the files just built" >&2
    exit 1
  fi
fi
