# Thin wrapper over CMake so that the two set-up commands are short.
# `make demo` and `make test` install missing Debian packages first.

BUILD_DIR ?= build
CMAKE_FLAGS ?= -DSTAYHOOKS_WERROR=ON
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps test-deps configure build test demo bench install clean

all: build

deps:
	@scripts/install-deps.sh

# The preview page's end-to-end test drives Chromium through playwright-core,
# and some CLI tests check JSON output with jq.
test-deps:
	@scripts/install-deps.sh --browser jq

configure: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: test-deps build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

demo: build
	scripts/demo.sh $(BUILD_DIR)

# Release build in its own folder; the script installs wrk when missing.
bench: deps
	bench/run.sh build-bench

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
