#!/usr/bin/env bash
# The README's first command: install what is missing, build everything, then run the main job on
# a bundled example: a small leaky app writes three heap snapshots as it runs; leakscope names
# the leak and who holds it, then prints the class census of the last snapshot.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
node scripts/build-addon.js  # the agent, require('leakscope'); incremental
out=${LEAKSCOPE_DEMO_DIR:-build/demo}
rm -rf "$out" && mkdir -p "$out"
echo "== examples/session-leak.js handles 3,000 requests, writing a heap snapshot every 1,000"
node --expose-gc examples/session-leak.js --requests 3000 --snapshots "$out" --every 1000
echo
echo "== build/release/leakscope leaks $out/s1.heapsnapshot $out/s2.heapsnapshot $out/s3.heapsnapshot"
# Exit code 1 means "a leak was found", which is what this demo expects.
status=0
build/release/leakscope leaks "$out/s1.heapsnapshot" "$out/s2.heapsnapshot" "$out/s3.heapsnapshot" || status=$?
[[ $status -le 1 ]] || exit "$status"
echo
echo "== build/release/leakscope summary $out/s3.heapsnapshot --top 12"
build/release/leakscope summary "$out/s3.heapsnapshot" --top 12
