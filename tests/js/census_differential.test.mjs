// Differential test: every Summary row of `leakscope summary` (class key, name, count, shallow
// size) and every `leakscope info` statistic must equal what Chrome DevTools' own heap-snapshot
// model computes for the same file (heap-snapshot-toolkit@1.1.3 = devtools-frontend@138048f:
// parse(stream), aggregatesWithFilter({}), getStatistics()). Retained size and distance are
// compared too once leakscope fills them in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { infoJson, kRepoRoot, scratchDir, summaryJson, writeFixture } from './lib/harness.mjs';
import { nodeBinary } from './lib/node-versions.mjs';

const dir = scratchDir('differential');
const kOracle = join(kRepoRoot, 'tests', 'js', 'lib', 'devtools-oracle.mjs');

// The oracle runs in its own process: DevTools' model of a 20 MB snapshot takes ~200 MB of heap.
function devtools(file) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', kOracle, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 600000,
  });
  if (r.status !== 0) throw new Error(`DevTools oracle failed on ${file}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const show = (v) => JSON.stringify(v);

// oracleFile: the file DevTools reads when it cannot read `file` itself (see the tracked case).
function compareWithDevtools(file, oracleFile = file) {
  const ours = summaryJson(file);
  const info = infoJson(file);
  const theirs = devtools(oracleFile);
  const problems = [];

  if (ours.node_count !== theirs.nodeCount) problems.push(`node_count: leakscope ${ours.node_count}, DevTools ${theirs.nodeCount}`);
  if (ours.total_size !== theirs.totalSize) problems.push(`total_size: leakscope ${ours.total_size}, DevTools ${theirs.totalSize}`);
  for (const [k, v] of Object.entries(theirs.statistics)) {
    if (info.statistics?.[k] !== v) problems.push(`info statistics.${k}: leakscope ${info.statistics?.[k]}, DevTools ${v}`);
  }

  const mine = new Map(ours.classes.map((c) => [c.key, c]));
  const rows = [];
  for (const d of theirs.rows) {
    const o = mine.get(d.key);
    mine.delete(d.key);
    if (!o) {
      rows.push(`  only in DevTools: key ${show(d.key)} name ${show(d.name)} count ${d.count} self ${d.self}`);
      continue;
    }
    const diffs = [];
    if (o.name !== d.name) diffs.push(`name ${show(o.name)} vs ${show(d.name)}`);
    if (o.count !== d.count) diffs.push(`count ${o.count} vs ${d.count}`);
    if (o.shallow_size !== d.self) diffs.push(`shallow ${o.shallow_size} vs ${d.self}`);
    if (o.retained_size != null && o.retained_size !== d.retained) diffs.push(`retained ${o.retained_size} vs ${d.retained}`);
    if (o.distance != null && o.distance !== d.distance) diffs.push(`distance ${o.distance} vs ${d.distance}`);
    if (diffs.length) rows.push(`  key ${show(d.key)}: ${diffs.join(', ')} (leakscope vs DevTools)`);
  }
  for (const o of mine.values()) {
    rows.push(`  only in leakscope: key ${show(o.key)} name ${show(o.name)} count ${o.count} shallow ${o.shallow_size}`);
  }
  if (rows.length) {
    problems.push(`${rows.length} of ${theirs.rows.length} Summary rows differ:\n${rows.slice(0, 60).join('\n')}` +
                  (rows.length > 60 ? `\n  ... and ${rows.length - 60} more` : ''));
  }
  assert.ok(problems.length === 0, `${file}: leakscope differs from DevTools:\n${problems.join('\n')}`);
  return { rows: theirs.rows.length, nodes: theirs.nodeCount };
}

const fixtures = ['classes', 'collections', 'strings', 'interfaces', 'internals'];

for (const major of [20, 18, 22, 24]) {
  for (const f of fixtures) {
    test(`census-${f} written by Node ${major} equals DevTools`, (t) => {
      const node = nodeBinary(major);
      if (node.skip) {
        t.skip(node.skip);
        return;
      }
      const file = writeFixture(`census-${f}.js`, join(dir, `${f}-node${major}.heapsnapshot`), node.bin);
      const r = compareWithDevtools(file);
      t.diagnostic(`${node.version}: ${r.nodes} nodes, ${r.rows} classes equal`);
    });
  }
}

// V8 writes the header's trace_function_count before it serialises the functions, so with
// allocation tracking on the header is stale (e.g. 47 while the array holds 54). DevTools sizes
// its array from the header and then crashes building the allocation tree ("Cannot read
// properties of undefined (reading 'addTraceTopNode')"). leakscope reads the original; DevTools
// gets a copy with the count corrected.
for (const major of [20, 24]) {
  test(`census-tracked (allocation tracking, inspector chunks) written by Node ${major} equals DevTools`, (t) => {
    const node = nodeBinary(major);
    if (node.skip) {
      t.skip(node.skip);
      return;
    }
    const file = writeFixture('census-tracked.js', join(dir, `tracked-node${major}.heapsnapshot`), node.bin);
    const text = readFileSync(file, 'latin1');
    const snap = JSON.parse(text);
    const functions = snap.trace_function_infos.length / snap.snapshot.meta.trace_function_info_fields.length;
    t.diagnostic(`header trace_function_count ${snap.snapshot.trace_function_count}, array ${functions}`);
    const fixed = join(dir, `tracked-node${major}-fixed.heapsnapshot`);
    writeFileSync(fixed, text.replace(/"trace_function_count":\d+/, `"trace_function_count":${functions}`), 'latin1');
    compareWithDevtools(file, fixed);
  });
}

// The fuzzer's hand-built seeds: tiny heaps with ephemeron edge names, a hidden
// ExternalStringData, cons strings, a detached native, every layout. The broken ones are skipped.
const kCorpus = join(kRepoRoot, 'tests', 'fuzz', 'corpus');
for (const name of readdirSync(kCorpus).filter((f) => !f.startsWith('bad-')).sort()) {
  test(`fuzz seed ${name} equals DevTools`, () => {
    const file = join(kCorpus, name);
    const text = readFileSync(file, 'utf8');
    const snap = JSON.parse(text);
    const fields = snap.snapshot.meta.trace_function_info_fields.length || 6;
    const fixed = join(dir, `seed-${name}`);
    writeFileSync(fixed, text.replace(/"trace_function_count":\d+/, `"trace_function_count":${snap.trace_function_infos.length / fields}`));
    compareWithDevtools(file, fixed);
  });
}

// Browser-style names on a Node heap: DevTools cuts "<tag attr…>" names at the first space and
// prefixes detached natives with "Detached ", so this checks those naming rules.
test('DOM-style native names (<div id=…>, Detached <div>) equal DevTools', () => {
  const file = writeFixture('census-classes.js', join(dir, 'dom-names-source.heapsnapshot'));
  const text = readFileSync(file, 'latin1');
  assert.ok(text.includes('"Node / AliasedFloat64Array"'), 'the fixture has no Node / AliasedFloat64Array natives');
  const edited = join(dir, 'dom-names.heapsnapshot');
  writeFileSync(edited, text.replace('"Node / AliasedFloat64Array"', '"<div id=census class=\\"x y\\">"')
    .replace('"Node / AliasedUint32Array"', '"<span>"'), 'latin1');
  compareWithDevtools(edited);
});

for (const major of [20, 24]) {
  test(`realistic 20 MB snapshot (tests/fixtures/realistic-app.js 12500) written by Node ${major} equals DevTools`, (t) => {
    const node = nodeBinary(major);
    if (node.skip) {
      t.skip(node.skip);
      return;
    }
    const file = join(dir, `realistic-12500-node${major}.heapsnapshot`);
    const gen = spawnSync(node.bin, ['--expose-gc', join(kRepoRoot, 'tests', 'fixtures', 'realistic-app.js'), '12500', file], {
      encoding: 'utf8',
      timeout: 600000,
    });
    assert.equal(gen.status, 0, gen.stderr);
    const bytes = statSync(file).size;
    assert.ok(bytes >= 20e6, `the realistic snapshot is only ${bytes} bytes`);
    const r = compareWithDevtools(file);
    t.diagnostic(`${node.version}: ${(bytes / 1e6).toFixed(1)} MB, ${r.nodes} nodes, ${r.rows} classes equal`);
  });
}

// More snapshots on request, e.g. the cached benchmark ones:
//   LEAKSCOPE_DIFF_SNAPSHOTS=/work/cache/bench-200mb.heapsnapshot node --test tests/js/census_differential.test.mjs
for (const file of (process.env.LEAKSCOPE_DIFF_SNAPSHOTS || '').split(':').filter(Boolean)) {
  test(`${file} equals DevTools`, { timeout: 3600000 }, (t) => {
    const r = compareWithDevtools(file);
    t.diagnostic(`${(statSync(file).size / 1e6).toFixed(1)} MB, ${r.nodes} nodes, ${r.rows} classes equal`);
  });
}
