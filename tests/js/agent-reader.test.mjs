// HeapDiff reads V8's snapshot in memory (src/addon/v8_snapshot_graph.h), not through a JSON
// file. This proves, on live heaps, that it sees what the CLI's file reader sees: the same
// snapshot is read both ways and compared node for node, edge for edge, and through the
// analyses (classes, dominators, retained sizes, distances). Both paths are checked: V8's records
// (the fast path Node 18-24 take) and the public API alone (the fallback for an unknown V8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import path from 'node:path';

const require = createRequire(import.meta.url);
const leakscope = require('leakscope');
leakscope.configure({ signal: false });
// checkSnapshotReader is a test hook, on the addon's internal object (lib/internal.js).
const internal_path = path.join(path.dirname(require.resolve('leakscope')), 'internal.js');
const internal = require(internal_path);

// A heap with every kind of node and edge the analyses treat specially.
function build_heap() {
  class Session { constructor(i) { this.id = i; this.user = { name: 'u' + i }; } }
  const sessions = new Map();
  for (let i = 0; i < 3000; i++) sessions.set('k' + i, new Session(i));
  const weak = new WeakMap();
  const keys = [];
  for (let i = 0; i < 500; i++) {
    const k = { k: i };
    keys.push(k);
    weak.set(k, { value: i, back: k });  // ephemerons whose value points back at the key
  }
  const strings = [];
  const base = 'x'.repeat(200);
  for (let i = 0; i < 500; i++) strings.push(base + i, (base + i).slice(3, 150));  // cons, sliced
  const closures = [];
  for (let i = 0; i < 300; i++) closures.push(() => i + strings.length);
  const chain = { next: null };
  let tail = chain;
  for (let i = 0; i < 20000; i++) tail = tail.next = { next: null, i };  // a long chain
  return {
    sessions, weak, keys, strings, closures, chain, big: 2n ** 100n, sym: Symbol('leak'),
    typed: new Float64Array(1000), set: new Set(keys.slice(0, 100)), num: 1.5, arr: new Array(5000).fill(0.25),
  };
}

function assert_agree(r, { records }) {
  assert.equal(r.from_records, records, 'which reader path was taken');
  assert.ok(r.nodes > 50000 && r.edges > r.nodes, `${r.nodes} nodes, ${r.edges} edges`);
  const where = r.examples.join('\n');
  for (const key of ['structure', 'node_names', 'edge_names', 'retained', 'distance'])
    assert.equal(r[key], 0, `${key} disagreements:\n${where}`);
  if (records) {
    assert.equal(r.classes, 0, `class disagreements:\n${where}`);
  } else {
    // The public API has no detachedness, so Node's own detached natives lose "Detached " (Node
    // 18-22 have a few; this also shows the comparison does catch differences).
    for (const e of r.examples.filter((x) => x.includes('class'))) assert.match(e, /against 'Detached /);
    if (Number(process.versions.node.split('.')[0]) < 24) assert.ok(r.classes > 0);
  }
}

// Reads the live heap (with build_heap()'s objects on it) both ways and checks they agree.
function check_live_heap(public_api_only) {
  globalThis.__reader_heap = build_heap();
  try {
    assert_agree(internal.checkSnapshotReader(public_api_only), { records: !public_api_only });
  } finally {
    delete globalThis.__reader_heap;
  }
}

test('V8 records: the in-memory graph equals the JSON-read graph, node for node', () => check_live_heap(false));

test('public API only: the fallback agrees too (edge names fetched where analyses read them)', () =>
  check_live_heap(true));

test('in a worker thread, both paths agree as well', async () => {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const leakscope = require(${JSON.stringify(require.resolve('leakscope'))});
    leakscope.configure({ signal: false });
    const internal = require(${JSON.stringify(internal_path)});
    globalThis.keep = Array.from({ length: 20000 }, (_, i) => ({ i, s: 'w' + i }));
    parentPort.postMessage([internal.checkSnapshotReader(false), internal.checkSnapshotReader(true)]);`;
  const worker = new Worker(code, { eval: true });
  const [records, api] = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await new Promise((resolve) => worker.once('exit', resolve));
  for (const [r, on_records] of [[records, true], [api, false]]) {
    assert.equal(r.from_records, on_records);
    for (const key of ['structure', 'node_names', 'edge_names', 'retained', 'distance'])
      assert.equal(r[key], 0, `${key}: ${r.examples.join('\n')}`);
  }
});
