#!/usr/bin/env bash
# The README's second command (and CI's): build everything from nothing and run every test:
# GoogleTest units, node:test suites against real snapshots, and a short libFuzzer run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The agent addon (build/Release/leakscope.node) for tests/js/agent-*.test.mjs: node-gyp, offline,
# against this node's own headers. Incremental, so cheap when npm ci already built it.
node scripts/build-addon.js
scripts/build.sh fuzz
scripts/build.sh release
cmake --preset release -DLEAKSCOPE_FUZZER="$PWD/build/fuzz/tests/fuzz/fuzz_snapshot_reader" >/dev/null
cmake --build --preset release
ctest --preset release -j2 "$@"
