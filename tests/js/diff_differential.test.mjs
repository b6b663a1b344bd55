// `leakscope diff` against DevTools' own Comparison (heap-snapshot-toolkit, the DevTools worker
// code) on snapshot pairs a real Node process writes at test time. DevTools' UI re-classifies the
// base snapshot's plain objects with the CURRENT snapshot's interface definitions; the toolkit's
// diff() helper uses the base's own, so the oracle here calls the worker the way the UI does.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDevtools } from './lib/devtools-oracle.mjs';

const bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-diff-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// DevTools' Comparison rows by class key, as the UI computes them.
async function devtoolsComparison(baseFile, currentFile) {
  const base = await loadDevtools(baseFile);
  const current = await loadDevtools(currentFile);
  const definitions = current.interfaceDefinitions();
  const baseAggregates = base.aggregatesForDiff(definitions);
  const diff = current.calculateSnapshotDiff(String(base.uid ?? 'base'), baseAggregates);
  const rows = new Map();
  for (const [key, d] of Object.entries(diff)) {
    rows.set(key, { name: d.name, added: d.addedCount, removed: d.removedCount,
                    addedSize: d.addedSize, removedSize: d.removedSize });
  }
  return rows;
}

function ours(baseFile, currentFile, ...extra) {
  const r = spawnSync(bin, ['diff', baseFile, currentFile, '--json', '--top', '0', ...extra],
                      { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const pairs = {};
before(() => {
  for (const app of ['leaky-request-cache', 'control-lru']) {
    const out = path.join(dir, app);
    execFileSync(process.execPath, ['--expose-gc', `examples/${app}.js`, out, '--requests', '300']);
    pairs[app] = [path.join(out, 's1.heapsnapshot'), path.join(out, 's3.heapsnapshot')];
  }
});

for (const app of ['leaky-request-cache', 'control-lru']) {
  test(`diff equals DevTools' Comparison per class key (${app})`, async () => {
    const [s1, s3] = pairs[app];
    const theirs = await devtoolsComparison(s1, s3);
    const mine = ours(s1, s3, '--no-retained');
    const mineByKey = new Map(mine.classes.map((c) => [c.key, c]));
    const problems = [];
    for (const [key, t] of theirs) {
      const m = mineByKey.get(key);
      if (!m) { problems.push(`missing ${key}`); continue; }
      if (m.class !== t.name) problems.push(`${key}: name ${m.class} != ${t.name}`);
      for (const [a, b] of [['new', 'added'], ['deleted', 'removed'], ['alloc_size', 'addedSize'],
                            ['freed_size', 'removedSize']]) {
        if (m[a] !== t[b]) problems.push(`${key}: ${a} ${m[a]} != devtools ${t[b]}`);
      }
    }
    for (const key of mineByKey.keys()) if (!theirs.has(key)) problems.push(`extra ${key}`);
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} differences`);
    assert.ok(theirs.size > 5);
  });
}

test('diff: the leaking class leads, with its retained growth; default sort is by size delta', () => {
  const [s1, s3] = pairs['leaky-request-cache'];
  const d = ours(s1, s3);
  const row = d.classes.find((c) => c.class === 'CachedResponse');
  assert.equal(row.new, 600);
  assert.equal(row.deleted, 0);
  assert.ok(row.retained_delta > row.size_delta, 'retained growth includes the bodies');
  for (let i = 1; i < d.classes.length; i++) {
    assert.ok(d.classes[i - 1].size_delta >= d.classes[i].size_delta);
  }
  const filtered = ours(s1, s3, '--class', '^Cached');
  assert.deepEqual(filtered.classes.map((c) => c.class), ['CachedResponse']);
});

test('diff --format memwatch: memwatch HeapDiff shape, every node type attributed', () => {
  const [s1, s3] = pairs['leaky-request-cache'];
  const r = spawnSync(bin, ['diff', s1, s3, '--format', 'memwatch'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j), ['before', 'after', 'change']);
  for (const side of ['before', 'after']) {
    assert.deepEqual(Object.keys(j[side]), ['nodes', 'size_bytes', 'size']);
    assert.match(j[side].size, /^-?[\d.]+ (mb|kb|bytes)$/);
  }
  const sum = j.change.details.reduce((s, x) => s + x.size_bytes, 0);
  // As memwatch: details add up to allocated minus freed (objects that changed size in place,
  // e.g. a Map whose table moved onto it, are in change.size_bytes only).
  assert.equal(sum, j.change.allocated_size_bytes - j.change.freed_size_bytes);
  assert.equal(j.after.size_bytes - j.before.size_bytes, j.change.size_bytes);
  const cached = j.change.details.find((x) => x.what === 'CachedResponse');
  assert.equal(cached['+'], 600);
  assert.ok(j.change.details.some((x) => x.what === '(concatenated string)'));
});

test('diff refuses snapshots of two different processes (exit 2, one line)', () => {
  const r = spawnSync(bin, ['diff', pairs['control-lru'][1], pairs['leaky-request-cache'][1]],
                      { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /do not come from the same process/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('diff: bad input is exit 2 naming the file', () => {
  const r = spawnSync(bin, ['diff', path.join(dir, 'nope.heapsnapshot'), pairs['control-lru'][1]],
                      { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nope\.heapsnapshot/);
});
