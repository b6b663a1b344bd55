'use strict';
// Shared by the leaky-*.js and control-*.js examples: runs a workload in rounds and writes a heap
// snapshot after each round (s1, s2, s3, ...), after letting pending callbacks run and forcing
// full GCs, so every snapshot shows only what the program really keeps alive.
//
//   node --expose-gc examples/leaky-xxx.js OUTDIR [--rounds 3] [--requests N]
const v8 = require('node:v8');
const fs = require('node:fs');
const path = require('node:path');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// WeakRef targets stay alive until the job that created them ends, and FinalizationRegistry
// callbacks run later still, so the GC runs across a few turns of the event loop.
async function settle() {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    global.gc();
  }
}

// round(k, requests) does the work of round k (1-based) and may return a promise.
async function runSeries(name, round, defaults = {}) {
  if (typeof global.gc !== 'function') {
    console.error(`${name}: run with node --expose-gc`);
    process.exit(2);
  }
  const outDir = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : null;
  const rounds = Number(arg('--rounds', String(defaults.rounds ?? 3)));
  const requests = Number(arg('--requests', String(defaults.requests ?? 2000)));
  if (outDir) fs.mkdirSync(outDir, { recursive: true });
  for (let k = 1; k <= rounds; k++) {
    await round(k, requests);
    await settle();
    if (outDir) v8.writeHeapSnapshot(path.join(outDir, `s${k}.heapsnapshot`));
  }
  if (defaults.after) await defaults.after();
  console.log(`${name}: ${rounds} rounds of ${requests} requests` +
              (outDir ? `, snapshots in ${outDir}` : ''));
}

// A request-shaped object, as a framework would hand to a handler.
let nextRequest = 0;
function fakeRequest(bodyBytes = 256) {
  const id = `req-${++nextRequest}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    id,
    method: 'POST',
    url: `/api/orders/${nextRequest}`,
    headers: { 'content-type': 'application/json', 'x-request-id': id },
    body: JSON.stringify({ order: nextRequest, note: 'x'.repeat(bodyBytes) }),
  };
}

module.exports = { runSeries, fakeRequest, arg };
