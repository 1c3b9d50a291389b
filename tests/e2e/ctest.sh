#!/usr/bin/env bash
# ctest's entry to the dashboard's tests: `ctest.sh unit` runs the TypeScript verifier's
# unit tests (vitest, web/test), `ctest.sh e2e BIN` the browser tests (tests/e2e/run.mjs)
# against BIN. A missing prerequisite (node, web/node_modules, web/dist, chromium) is a
# loud skip (exit 77, ctest's SKIP_RETURN_CODE), or a failure when AIDTRACE_REQUIRE_WEB=1.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)

skip() {
  if [ "${AIDTRACE_REQUIRE_WEB:-0}" = 1 ]; then
    echo "web tests: FAILED: $1 (AIDTRACE_REQUIRE_WEB=1)" >&2
    exit 1
  fi
  echo "*** WEB TESTS SKIPPED: $1 -- they did NOT run ***" >&2
  exit 77
}

command -v node > /dev/null || skip "node is not installed (scripts/install-deps.sh installs Debian's nodejs)"
[ -d "$REPO/web/node_modules" ] || skip "web/node_modules is missing (make web)"
# The vectors: the same setting as the C++ tests (the CMake value when the environment has none).
if [ -z "${AIDTRACE_SHARED_DIR:-}" ] && [ -n "${AIDTRACE_SHARED_DIR_DEFAULT:-}" ]; then
  export AIDTRACE_SHARED_DIR="$AIDTRACE_SHARED_DIR_DEFAULT"
fi

case "${1:-}" in
  unit)
    cd "$REPO/web" && exec node node_modules/vitest/vitest.mjs run
    ;;
  e2e)
    [ -n "${2:-}" ] && export AIDTRACE_BIN="$2"
    [ "${AIDTRACE_REQUIRE_WEB:-0}" = 1 ] && export AIDTRACE_REQUIRE_E2E=1
    exec node "$REPO/tests/e2e/run.mjs"
    ;;
  *)
    echo "usage: $0 unit | e2e [AIDTRACE_BIN]" >&2
    exit 2
    ;;
esac
