// The differential-test oracle: Chrome DevTools' own heap-snapshot model (the worker code that
// npm heap-snapshot-toolkit@1.1.3 bundles, devtools-frontend@138048f) run under Node.
//
// As a module: devtoolsCensus(file) -> { rows: [{key, name, count, self, distance}], statistics,
// nodeCount, totalSize }. As a script: `node devtools-oracle.mjs FILE` prints that as JSON, so a
// test can run the oracle in its own process (a 200 MB snapshot needs ~1 GB of JS heap).
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'heap-snapshot-toolkit';

// Parses a snapshot with DevTools' model, silencing the worker's timing logs and its
// "unreachable nodes" warnings (they are not results).
export async function loadDevtools(file) {
  const saved = { warn: console.warn, time: console.time, timeEnd: console.timeEnd };
  console.warn = () => {};
  console.time = () => {};
  console.timeEnd = () => {};
  try {
    return await parse(createReadStream(file, { encoding: 'utf-8', highWaterMark: 1 << 20 }));
  } finally {
    Object.assign(console, saved);
  }
}

// DevTools' Summary rows: {key, name, count, self, distance, retained}.
export function summaryRows(snap) {
  return Object.entries(snap.aggregatesWithFilter({})).map(([key, a]) => ({
    key,
    name: a.name,
    count: a.count,
    self: a.self,
    distance: a.distance,
    retained: a.maxRet,
  }));
}

export async function devtoolsCensus(file) {
  const snap = await loadDevtools(file);
  const s = snap.getStatistics();
  return {
    nodeCount: snap.nodeCount,
    totalSize: snap.totalSize,
    rows: summaryRows(snap),
    statistics: {
      total: s.total,
      code: s.v8heap.code,
      strings: s.v8heap.strings,
      js_arrays: s.v8heap.jsArrays,
      typed_arrays: s.native.typedArrays,
      system: s.v8heap.system,
      native: s.native.total,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await devtoolsCensus(process.argv[2]);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}
