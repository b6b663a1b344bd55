#!/usr/bin/env bash
# Installs what leakscope needs on a fresh Debian 12 machine that has g++, cmake, node and npm:
# the Debian packages (with apt-get when run as root; otherwise it prints the one line to run) and
# the npm packages from the lock file. Safe to run again: it does only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, one per dependency, chosen for the job (python3 is what node-gyp runs on;
# chromium writes the browser heap snapshot that tests/js/snapshot_layouts.test.mjs reads;
# libboost1.74-dev gives attach its header-only WebSocket client, Boost.Beast; gdb's gcore makes
# the core that tests/js/core.test.mjs reads besides leakscope's own dump; heaptrack is a benchmark
# peer: bench/native-overhead.mjs runs the same workload under it and under the native sampler).
packages=(
  cmake g++ make pkg-config python3
  libfmt-dev libcli11-dev nlohmann-json3-dev
  libboost1.74-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  chromium
  gdb
  heaptrack
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "install-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "install-deps: missing Debian packages; run this, then try again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm packages: only when the lock file changed since the last install. memlab (a benchmark peer)
# pulls puppeteer, whose install step would try to download a browser: never wanted here.
export PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1
if [[ ! -f node_modules/.package-lock.json ]] || ! cmp -s package-lock.json node_modules/.leakscope-lock; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.leakscope-lock
fi
