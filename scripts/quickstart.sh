#!/usr/bin/env bash
# The README's first command: install what is missing, build everything, then run the main job on
# a bundled example: a small leaky app writes a heap snapshot and leakscope prints its census.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
node scripts/build-addon.js  # the agent, require('leakscope'); incremental
out=${LEAKSCOPE_DEMO_DIR:-build/demo}
mkdir -p "$out"
echo "== running examples/session-leak.js (it writes $out/session-leak.heapsnapshot)"
node --expose-gc examples/session-leak.js --requests 5000 --snapshot "$out/session-leak.heapsnapshot"
echo "== build/release/leakscope summary $out/session-leak.heapsnapshot --top 15"
build/release/leakscope summary "$out/session-leak.heapsnapshot" --top 15
