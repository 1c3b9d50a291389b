# aidtrace: the two set-up commands are `make demo` and `make test`.
# Both install what is missing (Debian packages), build, then run.

PRESET      ?= release
BUILD_DIR   := build/$(PRESET)
JOBS        ?= $(shell nproc)
SHARED_DIR  ?= $(abspath ../shared)

.PHONY: all deps build test test-debug demo bench crash-long format tidy clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt CMakePresets.json
	cmake --preset $(PRESET) -DAIDTRACE_SHARED_DIR=$(SHARED_DIR)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test of every layer, in the release build and again under AddressSanitizer +
# UndefinedBehaviorSanitizer (ctest prints the count of each run).
test: build
	cd $(BUILD_DIR) && AIDTRACE_SHARED_DIR=$(SHARED_DIR) ctest --output-on-failure -j $(JOBS)
ifeq ($(PRESET),release)
	$(MAKE) --no-print-directory test PRESET=debug
endif

# Only the sanitizer run.
test-debug:
	$(MAKE) test PRESET=debug

# Until the full demo exists, runs the CLI end to end on a generated log.
demo: build
	@bash scripts/demo.sh $(BUILD_DIR)/src/cli/aidtrace

bench: build
	@bash scripts/bench.sh $(BUILD_DIR)

# The long crash-recovery run (the suite runs a short one).
crash-long: build
	AIDTRACE_CRASH_ROUNDS=1000 $(BUILD_DIR)/tests/ledger/crash_test

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

tidy: build
	git ls-files 'src/*.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet

clean:
	rm -rf build
