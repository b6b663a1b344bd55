#!/usr/bin/env bash
# The README's first command: install what is missing, build everything, then run the main job on
# bundled examples:
#  1. `leakscope run` starts a small leaky HTTP server (which starts its own load generator),
#     watches its memory, calls the leak, has the server write three heap snapshots spaced by the
#     growth and names what leaks, who holds it and where it was allocated;
#  2. the same from snapshot files: a small leaky app writes three heap snapshots as it runs,
#     `leakscope leaks` names the leak, then `summary` prints the class census of the last one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
node scripts/build-addon.js  # the agent, require('leakscope'); incremental
out=${LEAKSCOPE_DEMO_DIR:-build/demo}
rm -rf "$out" && mkdir -p "$out"
# Exit code 1 means "a leak was found", which is what this demo expects.
expect_leak() {
  local status=0
  "$@" || status=$?
  [[ $status -le 1 ]] || exit "$status"
}

echo "== build/release/leakscope run --min-duration 30 --out $out/run -- node examples/leaky-server.js --load"
echo "   (an HTTP API that remembers every request; its load generator sends about 300 a second)"
expect_leak build/release/leakscope run --min-duration 30 --max-duration 180 --quiet --out "$out/run" \
  -- node examples/leaky-server.js --load
echo
echo "== examples/session-leak.js handles 3,000 requests, writing a heap snapshot every 1,000"
node --expose-gc examples/session-leak.js --requests 3000 --snapshots "$out" --every 1000
echo
echo "== build/release/leakscope leaks $out/s1.heapsnapshot $out/s2.heapsnapshot $out/s3.heapsnapshot"
expect_leak build/release/leakscope leaks "$out/s1.heapsnapshot" "$out/s2.heapsnapshot" "$out/s3.heapsnapshot"
echo
echo "== build/release/leakscope summary $out/s3.heapsnapshot --top 12"
build/release/leakscope summary "$out/s3.heapsnapshot" --top 12
