# aidtrace: the two set-up commands are `make demo` and `make test`.
# Both install what is missing (Debian packages), build, then run.

PRESET      ?= release
BUILD_DIR   := build/$(PRESET)
JOBS        ?= $(shell nproc)
SHARED_DIR  ?= $(abspath ../shared)

.PHONY: all deps build test test-debug demo walkthrough bench crash-long format tidy clean web test-e2e

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt CMakePresets.json
	cmake --preset $(PRESET) -DAIDTRACE_SHARED_DIR=$(SHARED_DIR)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test of every layer, in the release build and again under AddressSanitizer +
# UndefinedBehaviorSanitizer (ctest prints the count of each run).
test: build web
	cd $(BUILD_DIR) && AIDTRACE_SHARED_DIR=$(SHARED_DIR) ctest --output-on-failure -j $(JOBS)
ifeq ($(PRESET),release)
	$(MAKE) --no-print-directory test PRESET=debug
endif

# Only the sanitizer run.
test-debug:
	$(MAKE) test PRESET=debug

# The main job: a medium programme generated, served with the dashboard and the
# detectors, ingested over HTTP, measured and summarised; serves until interrupted.
demo: build web
	@bash scripts/demo.sh $(BUILD_DIR)/src/cli/aidtrace

# The ledger core alone, step by step with the CLI (keys, log, proofs, a tampered copy).
walkthrough: build
	@bash scripts/walkthrough.sh $(BUILD_DIR)/src/cli/aidtrace

bench: build
	@bash scripts/bench.sh $(BUILD_DIR)

# The long crash-recovery run (the suite runs a short one).
crash-long: build
	AIDTRACE_CRASH_ROUNDS=1000 $(BUILD_DIR)/tests/ledger/crash_test

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

tidy: build
	git ls-files 'src/*.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet

# The dashboard (web/, docs/DASHBOARD.md): `npm ci` only when web/node_modules is missing or
# older than the lock file, then the Vite build into web/dist (served by `aidtrace serve
# --web web/dist`). Rebuilt only when a source changed.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	@command -v npm > /dev/null || bash scripts/install-deps.sh
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

web: deps web/dist/index.html

# The browser tests alone (tests/e2e/run.mjs), against the build's aidtrace.
test-e2e: build web
	AIDTRACE_BIN=$(BUILD_DIR)/src/cli/aidtrace node tests/e2e/run.mjs

clean:
	rm -rf build
