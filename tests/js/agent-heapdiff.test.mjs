// HeapDiff: memwatch's shape, exact counts per class, every node type attributed (memwatch
// dropped concatenated strings), no recursion (memwatch segfaulted on a 100k-long list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const leakscope = require('leakscope');
leakscope.configure({ signal: false });

const size_re = /^-?(\d+\.\d\d (mb|kb)|\d+ bytes)$/;

function check_shape(r) {
  for (const side of ['before', 'after']) {
    assert.ok(Number.isInteger(r[side].nodes) && r[side].nodes > 1000);
    assert.ok(Number.isInteger(r[side].size_bytes) && r[side].size_bytes > 0);
    assert.match(r[side].size, size_re);
    assert.ok(r[side].time instanceof Date);
  }
  const c = r.change;
  assert.equal(c.size_bytes, r.after.size_bytes - r.before.size_bytes);
  assert.match(c.size, size_re);
  const whats = c.details.map((d) => d.what);
  assert.deepEqual(whats, [...whats].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)))), 'byte order');
  let plus = 0;
  let minus = 0;
  let size = 0;
  for (const d of c.details) {
    assert.deepEqual(Object.keys(d), ['what', 'size_bytes', 'size', '+', '-']);
    assert.match(d.size, size_re);
    plus += d['+'];
    minus += d['-'];
    size += d.size_bytes;
  }
  // Every node is attributed: the rows add up to the totals (memwatch's did not).
  assert.equal(plus, c.allocated_nodes);
  assert.equal(minus, c.freed_nodes);
  assert.equal(size, c.allocated_size_bytes - c.freed_size_bytes);
}

class LeakingClass {
  constructor(i) { this.i = i; }
}

test('exact + counts for a class allocated N times, and 0 for the ones freed', () => {
  const keep = [];
  for (let i = 0; i < 500; i++) keep.push(new LeakingClass(-i));
  const hd = new leakscope.HeapDiff();
  for (let i = 0; i < 1234; i++) keep.push(new LeakingClass(i));
  keep.splice(0, 500);  // the first 500 become garbage
  const r = hd.end();
  check_shape(r);
  const row = r.change.details.find((d) => d.what === 'LeakingClass');
  assert.ok(row, JSON.stringify(r.change.details.map((d) => d.what)));
  assert.equal(row['+'], 1234);
  assert.equal(row['-'], 500);
  assert.ok(row.size_bytes > 0);
  assert.equal(keep.length, 1234);
});

test('concatenated strings are attributed', () => {
  const keep = [];
  const hd = new leakscope.HeapDiff();
  for (let i = 0; i < 5000; i++) keep.push('a-long-enough-prefix-' + i + '-and-a-suffix');
  const r = hd.end();
  check_shape(r);
  const cons = r.change.details.find((d) => d.what === '(concatenated string)');
  assert.ok(cons && cons['+'] >= 5000, JSON.stringify(cons));
  assert.ok(cons.size_bytes >= 5000 * 32);
  assert.equal(keep.length, 5000);
});

test('{retained: false} skips the dominator trees', () => {
  const r = new leakscope.HeapDiff({ retained: false }).end();
  check_shape(r);
  assert.equal(r.change.retained, undefined);
  assert.equal(r.timing.before.retained_ms, 0);
  assert.equal(r.timing.after.retained_ms, 0);
});

test('end() twice or HeapDiff() without new: clear errors', () => {
  const hd = new leakscope.HeapDiff();
  hd.end();
  assert.throws(() => hd.end(), /already ended/);
  assert.throws(() => leakscope.HeapDiff(), TypeError);
});

test('a 1M-long linked list works (no recursion)', () => {
  const hd = new leakscope.HeapDiff();
  let head = null;
  for (let i = 0; i < 1e6; i++) head = { next: head, i };
  globalThis.__leakscope_list = head;
  const r = hd.end();
  check_shape(r);
  const obj = r.change.details.find((d) => d.what === 'Object');
  assert.ok(obj['+'] >= 1e6 && obj['+'] < 1e6 + 1000, String(obj['+']));
  assert.ok(r.after.nodes > 1e6);
  // Only the compact table was kept between the two points, not V8's snapshot.
  assert.ok(r.timing.kept_bytes < r.before.nodes * 64, `kept ${r.timing.kept_bytes} bytes`);
  delete globalThis.__leakscope_list;
});

test('HeapDiff works in a worker too', async () => {
  const { Worker } = await import('node:worker_threads');
  const code = `
    const ls = require(${JSON.stringify(require.resolve('leakscope'))});
    class InWorker {}
    const keep = [];
    const hd = new ls.HeapDiff();
    for (let i = 0; i < 321; i++) keep.push(new InWorker());
    const row = hd.end().change.details.find((d) => d.what === 'InWorker');
    require('worker_threads').parentPort.postMessage(row['+']);`;
  const w = new Worker(code, { eval: true });
  const [plus] = await Promise.all([new Promise((r) => w.once('message', r)), new Promise((r) => w.once('exit', r))]);
  assert.equal(plus, 321);
});

test('HeapDiffs in the main thread and two workers at once: each counts its own objects', async () => {
  const { Worker } = await import('node:worker_threads');
  const code = (n) => `
    const ls = require(${JSON.stringify(require.resolve('leakscope'))});
    ls.configure({ signal: false });
    class Mine {}
    const keep = [];
    let total = 0;
    for (let round = 0; round < 3; round++) {
      const hd = new ls.HeapDiff();
      for (let i = 0; i < ${n}; i++) keep.push(new Mine());
      total += hd.end().change.details.find((d) => d.what === 'Mine')['+'];
    }
    require('worker_threads').parentPort.postMessage(total);`;
  const workers = [new Worker(code(111), { eval: true }), new Worker(code(222), { eval: true })];
  const done = workers.map((w) => Promise.all([new Promise((r) => w.once('message', r)), new Promise((r) => w.once('exit', r))]));
  class MainOnly {}
  const keep = [];
  let main_total = 0;
  for (let round = 0; round < 3; round++) {
    const hd = new leakscope.HeapDiff();
    for (let i = 0; i < 333; i++) keep.push(new MainOnly());
    main_total += hd.end().change.details.find((d) => d.what === 'MainOnly')['+'];
  }
  const results = await Promise.all(done);
  assert.deepEqual(results.map(([total, code]) => [total, code]), [[333, 0], [666, 0]]);
  assert.equal(main_total, 999);
});

test('the top growing class comes with its retaining path from the global object', () => {
  class Session {
    constructor(i) { this.a = i; this.b = i; this.c = i; this.d = i; this.e = i; this.f = i; }
  }
  const sessions = new Map();
  globalThis.__leakscope_app = { sessions };
  const hd = new leakscope.HeapDiff();
  for (let i = 0; i < 5000; i++) sessions.set(i, new Session(i));
  const r = hd.end();
  check_shape(r);
  const top = r.change.top_growth;
  assert.equal(top.what, 'Session');
  assert.equal(top['+'], 5000);
  assert.equal(top.size_bytes, r.change.details.find((d) => d.what === 'Session').size_bytes);
  assert.match(top.path, /^global -> \.__leakscope_app Object -> \.sessions Map -> .* Session$/);
  assert.equal(top.retainers.at(-1).what, 'Session');
  // Per-class retained sizes: the Sessions are new, and the Map that holds them grew by at least
  // their size.
  const retained = (what) => r.change.retained.find((x) => x.what === what);
  assert.equal(retained('Session').before_bytes, 0);
  assert.equal(retained('Session').after_bytes, retained('Session').size_bytes);
  assert.ok(retained('Session').size_bytes >= top.size_bytes);
  assert.ok(retained('Map').size_bytes >= retained('Session').size_bytes);
  assert.ok(r.timing.before.retained_ms > 0 && r.timing.after.retained_ms > 0);
  assert.ok(r.timing.v8_snapshot_ms > 0 && r.timing.after.compare_ms >= 0);
  delete globalThis.__leakscope_app;
});

test('the public-API fallback reader gives the same diff and path (LEAKSCOPE_V8_PUBLIC_API_ONLY)', () => {
  const script = `
    const leakscope = require(${JSON.stringify(require.resolve('leakscope'))});
    leakscope.configure({ signal: false });
    class Session { constructor(i) { this.a = i; this.b = i; } }
    const sessions = new Map();
    const weak = new WeakMap();
    globalThis.app = { sessions, weak };
    const hd = new leakscope.HeapDiff();
    for (let i = 0; i < 3000; i++) { const s = new Session(i); sessions.set(i, s); weak.set(s, { i }); }
    const r = hd.end();
    const row = r.change.details.find((d) => d.what === 'Session');
    const retained = r.change.retained.find((d) => d.what === 'Session');
    process.stdout.write(JSON.stringify({ plus: row['+'], size: row.size_bytes, retained: retained.after_bytes,
                                          path: r.change.top_growth.path, what: r.change.top_growth.what }));`;
  const run = (env) => {
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(out.status, 0, out.stderr);
    return JSON.parse(out.stdout);
  };
  const records = run({});
  const api = run({ LEAKSCOPE_V8_PUBLIC_API_ONLY: '1' });
  assert.equal(records.plus, 3000);
  assert.deepEqual(api, records);
  assert.match(api.path, /^global -> \.app Object -> \.sessions Map -> .* Session$/);
});
