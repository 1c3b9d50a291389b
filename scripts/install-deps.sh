#!/usr/bin/env bash
# Installs every Debian 12 package that aidtrace's build, tests and demo need.
# Idempotent: packages already present are left alone; apt-get runs only when needed.
set -euo pipefail

# What the build, the tests, the benchmarks and the demo use. (PostgreSQL joins with the
# server store.)
PACKAGES=(
  build-essential g++ clang cmake ninja-build pkg-config make git ca-certificates
  libsodium-dev libssl-dev libsqlite3-dev sqlite3 nlohmann-json3-dev libcli11-dev
  libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  libboost-dev libicu-dev libpugixml-dev libspdlog-dev wrk curl
  chromium
)
# The dashboard (web/) builds with node and npm; Debian's are used only when no node is
# installed (a newer one, if present, is kept).
if ! command -v node > /dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
