// `leakscope summary` and `leakscope info` on snapshots of heaps with known contents, written at
// test time by the fixtures in tests/fixtures, by every Node major version we can get (18, 20, 22,
// 24), plus rewrites of the same snapshot in other layouts. Exact numbers throughout.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { infoJson, leakscope, leakscopeBin, oneRow, rowsNamed, scratchDir, summaryJson, writeFixture } from './lib/harness.mjs';
import { nodeBinary } from './lib/node-versions.mjs';
import { expectedInfo, parseSnapshot, toNode24Layout, writeSnapshot } from './lib/snapshot-text.mjs';

const dir = scratchDir('census');
const snaps = {};

before(() => {
  for (const f of ['classes', 'collections', 'strings']) {
    snaps[f] = writeFixture(`census-${f}.js`, join(dir, `${f}.heapsnapshot`));
  }
});

// The Census* rows are what the fixtures control; everything else is Node's own heap.
function censusRows(summary) {
  return summary.classes
    .filter((c) => /^Census|^\{census|^C\u212Fnsus/.test(c.name))
    .map((c) => ({ name: c.name, count: c.count, shallow_size: c.shallow_size }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.count - b.count));
}

function checkSummaryShape(summary, snapshot) {
  assert.equal(summary.snapshot, snapshot);
  assert.ok(Number.isInteger(summary.node_count) && summary.node_count > 0);
  assert.ok(Number.isInteger(summary.edge_count) && summary.edge_count > 0);
  assert.ok(Array.isArray(summary.classes) && summary.classes.length > 50);
  const keys = new Set();
  for (let i = 0; i < summary.classes.length; i++) {
    const c = summary.classes[i];
    assert.equal(typeof c.name, 'string');
    assert.equal(typeof c.key, 'string');
    assert.ok(!keys.has(c.key), `class key ${c.key} appears twice`);
    keys.add(c.key);
    // DevTools' class key: "scriptId,line,col,Name" for located objects, ",Name" otherwise.
    assert.ok(c.key === ',' + c.name || new RegExp(`^\\d+,\\d+,\\d+,`).test(c.key) && c.key.endsWith(',' + c.name),
              `key ${JSON.stringify(c.key)} does not match name ${JSON.stringify(c.name)}`);
    assert.ok(Number.isInteger(c.count) && c.count > 0, `${c.name}: count ${c.count}`);
    assert.ok(Number.isInteger(c.shallow_size) && c.shallow_size > 0, `${c.name}: zero-size rows are not listed`);
    assert.ok('retained_size' in c && 'distance' in c, 'rows leave room for retained size and distance');
    if (i > 0 && summary.classes[i - 1].retained_size == null) {
      assert.ok(summary.classes[i - 1].shallow_size >= c.shallow_size, `rows not sorted by shallow size at ${i}`);
    }
  }
  // Re-attribution only moves bytes between nodes, so the rows add up to every node's self size,
  // which is DevTools' total (root retained size) minus the extra native bytes.
  const sum = summary.classes.reduce((s, c) => s + c.shallow_size, 0);
  const info = infoJson(snapshot);
  assert.equal(sum, summary.total_size - info.extra_native_bytes, 'sum of shallow sizes vs total_size');
  assert.equal(summary.total_size, info.statistics.total);
}

test('summary: exact class counts (census-classes)', () => {
  const s = summaryJson(snaps.classes);
  checkSummaryShape(s, snaps.classes);
  const probe = oneRow(s, 'CensusProbe');
  assert.equal(probe.count, 1234);
  // Two in-object fields: 24-byte JSObject header + 2 pointers (x64, no pointer compression).
  assert.equal(probe.shallow_size, 1234 * 40);
  assert.match(probe.key, /^\d+,\d+,\d+,CensusProbe$/, 'class key carries the allocation location');
  const other = oneRow(s, 'CensusOther');
  assert.equal(other.count, 77);
  assert.equal(other.shallow_size, 77 * 40);
  const dups = rowsNamed(s, 'CensusDup').sort((a, b) => a.count - b.count);
  assert.deepEqual(dups.map((r) => r.count), [10, 20], 'same-name classes from two locations are two rows');
  assert.notEqual(dups[0].key, dups[1].key);
  const entry = oneRow(s, '{censusName, censusPayload}');
  assert.equal(entry.count, 500, 'plain objects named by their inferred property set');
  assert.equal(entry.key, ',{censusName, censusPayload}');
  assert.equal(rowsNamed(s, 'CensusEmpty').length, 0);
});

test('summary: --class filters by regex, --top limits rows, text output', () => {
  const all = summaryJson(snaps.classes);
  const f = summaryJson(snaps.classes, ['--class', '^Census(Probe|Other)$']);
  assert.deepEqual(f.classes.map((c) => c.name).sort(), ['CensusOther', 'CensusProbe']);
  assert.deepEqual(f.classes.find((c) => c.name === 'CensusProbe'), all.classes.find((c) => c.name === 'CensusProbe'));
  assert.equal(summaryJson(snaps.classes, ['--class', 'CensusDup']).classes.length, 2);
  // No match: either an empty list (exit 0) or a one-line "no class matches" (exit 2).
  const none = leakscope(['summary', snaps.classes, '--json', '--top', '0', '--class', 'no-such-class-xyz']);
  if (none.status === 0) assert.equal(JSON.parse(none.stdout).classes.length, 0);
  else assert.ok(none.status === 2 && none.stdout === '' && /no-such-class-xyz/.test(none.stderr), none.stderr);
  const top3 = leakscope(['summary', snaps.classes, '--json', '--top', '3']);
  assert.equal(top3.status, 0, top3.stderr);
  assert.deepEqual(JSON.parse(top3.stdout).classes, all.classes.slice(0, 3));
  const text = leakscope(['summary', snaps.classes, '--class', '^CensusProbe$']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /CensusProbe/);
  assert.match(text.stdout, /1[,. ]?234\b/, 'text table shows the instance count');
  assert.doesNotMatch(text.stdout, /CensusOther/);
});

test('summary: collections (1M-element array, typed array, WeakMap, Map cache)', () => {
  const s = summaryJson(snaps.collections);
  checkSummaryShape(s, snaps.collections);
  const big = oneRow(s, 'CensusMillionArray');
  assert.equal(big.count, 1);
  // Its 1,000,000-slot elements store (8,000,016 bytes) has a single owner and moves onto it.
  assert.ok(big.shallow_size >= 8000016 + 32 && big.shallow_size < 8000016 + 1024, `shallow ${big.shallow_size}`);
  assert.equal(oneRow(s, 'CensusWeakKey').count, 40);
  assert.equal(oneRow(s, 'CensusWeakValue').count, 40, 'values of dead WeakMap keys are gone');
  const cached = oneRow(s, 'CensusCacheEntry');
  assert.equal(cached.count, 2000);
  assert.equal(cached.shallow_size, 2000 * 40);
  const info = infoJson(snaps.collections);
  assert.ok(info.statistics.typed_arrays >= 8000000, `typed_arrays ${info.statistics.typed_arrays}`);
  assert.ok(info.statistics.native >= info.statistics.typed_arrays);
});

test('summary: names built from escaped strings (census-strings)', () => {
  const s = summaryJson(snaps.strings);
  checkSummaryShape(s, snaps.strings);
  // Quotes, backslashes and control characters decoded; DevTools quotes names with , ' " { }.
  assert.equal(oneRow(s, '{"quo\\"te", back\\slash, ctl\u0001\n\t, "a,b"}').count, 60);
  // V8 up to 13.6 writes a non-BMP character as one \uXXXX escape of its low 16 bits
  // (😀 U+1F600 -> \uF600, 𝒳 U+1D4B3 -> \uD4B3); the reader decodes what is in the file.
  const emoji = readFileSync(snaps.strings, 'latin1').includes('"censusEmoji\\uF600"');
  if (emoji) {
    assert.equal(oneRow(s, '{censusEmoji\uF600, censusMath\uD4B3}').count, 40);
    assert.equal(oneRow(s, 'C\u212Fnsus\uD49Elass').count, 12);
    assert.equal(oneRow(s, '{censusLone???}').count, 30, 'V8 writes a lone surrogate as ???');
  }
});

// Rewrites one string of the strings section (a whole JSON string token) and returns the census.
function withStringReplaced(name, pattern, replacement) {
  const text = readFileSync(snaps.strings, 'latin1');
  const at = text.search(pattern);
  assert.ok(at > 0, `pattern ${pattern} not found`);
  const m = text.slice(at).match(pattern)[0];
  const out = join(dir, `strings-${name}.heapsnapshot`);
  writeFileSync(out, Buffer.concat([
    Buffer.from(text.slice(0, at), 'latin1'),
    Buffer.from(replacement, 'utf8'),
    Buffer.from(text.slice(at + m.length), 'latin1'),
  ]));
  return summaryJson(out);
}

test('summary: surrogate pairs, raw UTF-8, \\/ and \\b\\f\\r escapes, lone surrogates', () => {
  const emojiToken = /"censusEmoji\\u[0-9A-Fa-f]{4}"/;
  let s = withStringReplaced('pair', emojiToken, '"censusEmoji\\uD83D\\uDE00"');
  assert.equal(rowsNamed(s, '{censusEmoji\u{1F600}, censusMath\uD4B3}')[0]?.count, 40,
               'an escaped surrogate pair decodes to one character');
  s = withStringReplaced('pair-lower', emojiToken, '"censusEmoji\\ud83d\\ude00"');
  assert.equal(rowsNamed(s, '{censusEmoji\u{1F600}, censusMath\uD4B3}')[0]?.count, 40, 'lower-case hex');
  s = withStringReplaced('utf8', emojiToken, '"censusEmoji\u{1F600}é"');
  assert.equal(rowsNamed(s, '{censusEmoji\u{1F600}é, censusMath\uD4B3}')[0]?.count, 40, 'raw UTF-8 is kept');
  s = withStringReplaced('escapes', /"censusLone[^"]*"/, '"census\\/Lone\\b\\f\\r\\u0041"');
  assert.equal(rowsNamed(s, '{census/Lone\b\f\rA}')[0]?.count, 30);
  s = withStringReplaced('lone', /"censusLone[^"]*"/, '"censusLone\\uD800x"');
  const lone = s.classes.filter((c) => c.name.startsWith('{censusLone'));
  assert.equal(lone.length, 1);
  assert.equal(lone[0].count, 30);
  assert.ok(['{censusLone\uD800x}', '{censusLone\uFFFDx}'].includes(lone[0].name),
            `a lone surrogate is kept or replaced by U+FFFD, got ${JSON.stringify(lone[0].name)}`);
});

test('summary: DevTools interface naming rules (census-interfaces)', () => {
  const file = writeFixture('census-interfaces.js', join(dir, 'interfaces.heapsnapshot'));
  const s = summaryJson(file);
  checkSummaryShape(s, file);
  // 300 {alpha, beta} + 50 built in the other order: the definition is a property set.
  assert.equal(oneRow(s, '{alpha, beta}').count, 350);
  assert.equal(oneRow(s, '{alpha, beta, gamma}').count, 100);
  assert.equal(oneRow(s, '{alpha, beta, gamma, delta, epsilon}').count, 3);
  assert.equal(oneRow(s, '{twiceA, twiceB}').count, 2, 'two objects are enough for a definition');
  assert.equal(rowsNamed(s, '{loneShape, onlyOnce}').length, 0, 'a shape used once stays Object');
  assert.equal(oneRow(s, '{"has,comma", "it\'s", "say \\"hi\\"", "{braces}", plain}').count, 20);
  const long = s.classes.filter((c) => c.name.startsWith('{aVeryLongPropertyNameNumber0'));
  assert.equal(long.length, 1);
  assert.equal(long[0].count, 30);
  assert.ok(long[0].name.length <= 130, `the inferred name is capped near 120 characters: ${long[0].name}`);
  assert.equal(oneRow(s, 'LegacyCtor').count, 15);
  assert.equal(oneRow(s, 'CensusMap').count, 4);
  assert.equal(oneRow(s, 'SameSite').count, 10, 'one class site called twice is one key');
});

test('summary and info: allocation-tracking snapshot taken over the inspector (census-tracked)', () => {
  const file = writeFixture('census-tracked.js', join(dir, 'tracked.heapsnapshot'));
  const s = summaryJson(file);
  checkSummaryShape(s, file);
  assert.equal(oneRow(s, 'CensusTracked').count, 3000);
  assert.equal(oneRow(s, 'CensusTrackedLate').count, 40);
  const { info, snap } = checkInfo(file);
  assert.ok(info.trace_function_count > 0 && info.samples > 0);
  assert.ok(snap.snapshot.meta.node_fields.includes('trace_node_id'));
});

test('summary: exposeInternals + exposeNumericValues snapshot (no user roots: no re-attribution)', () => {
  const file = writeFixture('census-internals.js', join(dir, 'internals.heapsnapshot'));
  const s = summaryJson(file);
  checkSummaryShape(s, file);
  const row = oneRow(s, 'CensusInternal');
  assert.equal(row.count, 900);
  assert.equal(row.shallow_size, 900 * 48, 'three in-object fields, V8 self size kept');
  checkInfo(file);
});

// DevTools keeps self sizes in a Uint32Array; leakscope must not wrap a size of 4 GB or more
// (a native backing store can be that big).
test('summary and info: a self size above 2^32 is kept exactly', () => {
  const text = readFileSync(snaps.classes, 'latin1');
  const snap = JSON.parse(text);
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields.length;
  const nameAt = meta.node_fields.indexOf('name');
  const sizeAt = meta.node_fields.indexOf('self_size');
  const typeAt = meta.node_fields.indexOf('type');
  const objectType = meta.node_types[0].indexOf('object');
  const other = snap.strings.indexOf('CensusOther');
  let ordinal = -1;
  for (let i = 0; i < snap.nodes.length; i += nf) {
    if (snap.nodes[i + nameAt] === other && snap.nodes[i + typeAt] === objectType) { ordinal = i / nf; break; }
  }
  assert.ok(ordinal >= 0, 'no CensusOther node');
  const old = snap.nodes[ordinal * nf + sizeAt];
  // Rewrite that one number in place: the index-th number of the nodes array.
  const re = /\d+/g;
  re.lastIndex = text.indexOf('"nodes":[') + 9;
  let m;
  for (let i = 0; i <= ordinal * nf + sizeAt; i++) m = re.exec(text);
  assert.equal(Number(m[0]), old);
  const big = 5000000000 + 8;
  const file = join(dir, 'classes-5gb-node.heapsnapshot');
  writeFileSync(file, text.slice(0, m.index) + String(big) + text.slice(m.index + m[0].length), 'latin1');
  const base = summaryJson(snaps.classes);
  const s = summaryJson(file);
  const row = oneRow(s, 'CensusOther');
  assert.equal(row.count, 77);
  assert.equal(row.shallow_size, oneRow(base, 'CensusOther').shallow_size - old + big);
  assert.equal(s.classes[0].name, 'CensusOther', 'now the biggest class');
  assert.equal(s.total_size, base.total_size - old + big);
  assert.equal(infoJson(file).statistics.total, base.total_size - old + big);
});

test('info: header facts and histograms equal an independent JSON.parse reading', () => {
  for (const f of ['classes', 'collections', 'strings']) {
    checkInfo(snaps[f]);
  }
});

function checkInfo(file) {
  const info = infoJson(file);
  const snap = parseSnapshot(file);
  const want = expectedInfo(snap);
  assert.equal(info.snapshot, file);
  for (const k of ['node_count', 'edge_count', 'string_count', 'location_count', 'trace_function_count',
                   'samples', 'extra_native_bytes']) {
    assert.equal(info[k], want[k], `${file}: ${k}`);
  }
  for (const t of want.node_type_names) assert.equal(info.node_types[t] ?? 0, want.node_types[t] ?? 0, `node type ${t}`);
  for (const t of want.edge_type_names) assert.equal(info.edge_types[t] ?? 0, want.edge_types[t] ?? 0, `edge type ${t}`);
  const st = info.statistics;
  for (const k of ['total', 'code', 'strings', 'js_arrays', 'typed_arrays', 'system', 'native']) {
    assert.ok(Number.isInteger(st[k]) && st[k] >= 0, `statistics.${k} = ${st[k]}`);
  }
  assert.ok(st.code + st.strings + st.js_arrays + st.system <= st.total - st.native);
  return { info, snap };
}

// The census rows the fixtures control must be the same whatever wrote or laid out the file.
function fixtureCensus(files) {
  return {
    classes: censusRows(summaryJson(files.classes)),
    collections: censusRows(summaryJson(files.collections)).filter((r) => r.name !== 'CensusMillionArray'),
    strings: censusRows(summaryJson(files.strings)).map((r) => ({ name: r.name.replace(/\uD800|\uFFFD/, '?'), count: r.count })),
  };
}

let reference;
function referenceCensus() {
  reference ??= fixtureCensus(snaps);
  return reference;
}

test('layout: Node 24 layout (6 node fields, one-line arrays, extra_native_bytes) of the same heap', () => {
  const files = {};
  for (const f of ['classes', 'collections', 'strings']) {
    const snap = parseSnapshot(snaps[f]);
    files[f] = writeSnapshot(join(dir, `${f}-n24layout.heapsnapshot`), toNode24Layout(snap, 123457));
  }
  assert.deepEqual(fixtureCensus(files), referenceCensus());
  const base = infoJson(snaps.collections);
  const info = infoJson(files.collections);
  assert.equal(info.extra_native_bytes, 123457);
  assert.equal(info.node_count, base.node_count);
  assert.equal(info.edge_count, base.edge_count);
  assert.equal(info.statistics.native, base.statistics.native + 123457, 'extra_native_bytes count as native');
  assert.equal(info.statistics.total, base.statistics.total + 123457, 'and in the total');
  checkInfo(files.collections);
});

test('layout: pretty-printed file (one number per line, indentation), CRLF line ends', () => {
  const files = {};
  for (const f of ['classes', 'collections', 'strings']) {
    const snap = parseSnapshot(snaps[f]);
    files[f] = writeSnapshot(join(dir, `${f}-pretty.heapsnapshot`), snap, 'pretty');
  }
  assert.deepEqual(fixtureCensus(files), referenceCensus(), 'pretty-printed');
  for (const f of ['classes', 'collections', 'strings']) {
    files[f] = join(dir, `${f}-crlf.heapsnapshot`);
    writeFileSync(files[f], readFileSync(snaps[f], 'latin1').replace(/\n/g, '\r\n\t '), 'latin1');
  }
  assert.deepEqual(fixtureCensus(files), referenceCensus(), 'CRLF line ends and tabs');
});

test('quiet when stderr is not a terminal; paths with spaces and non-ASCII; text info; deterministic', () => {
  const r = leakscope(['summary', snaps.classes, '--json', '--top', '0']);
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '', 'no progress output when stderr is a pipe');
  const odd = join(dir, 'with space ü 😀.heapsnapshot');
  copyFileSync(snaps.classes, odd);
  const s = summaryJson(odd);
  assert.equal(s.snapshot, odd);
  assert.deepEqual(s.classes, JSON.parse(r.stdout).classes);
  assert.equal(infoJson(odd).snapshot, odd);
  const text = leakscope(['info', odd]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /node/i);
  assert.equal(text.stderr, '');
  // Decoding is parallel: runs with any number of threads must print the same bytes.
  const once = leakscope(['summary', snaps.collections, '--json', '--top', '0']).stdout;
  assert.equal(leakscope(['summary', snaps.collections, '--json', '--top', '0']).stdout, once);
  for (const threads of ['1', '2', '3', '8']) {
    const r = leakscope(['--threads', threads, 'summary', snaps.collections, '--json', '--top', '0']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, once, `--threads ${threads}`);
  }
});

test('on a terminal, loading a big file shows progress on stderr and clears it', (t) => {
  if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0) {
    t.skip('script(1) from util-linux is not installed');
    return;
  }
  // The census-classes heap padded with 200 MB of whitespace inside the edges array.
  const text = readFileSync(snaps.classes, 'latin1');
  const cut = text.indexOf('"edges":[') + 10;
  const file = join(dir, 'padded-200mb.heapsnapshot');
  const fd = openSync(file, 'w');
  writeSync(fd, text.slice(0, cut), null, 'latin1');
  const pad = Buffer.alloc(1 << 24, 0x20);
  for (let i = 0; i < 12; i++) writeSync(fd, pad);
  writeSync(fd, text.slice(cut), null, 'latin1');
  closeSync(fd);
  assert.deepEqual(summaryJson(file).classes, summaryJson(snaps.classes).classes, 'whitespace changes nothing');
  const quoted = (x) => `'${x.replace(/'/g, "'\\''")}'`;
  const r = spawnSync('script', ['-qec', `${quoted(leakscopeBin())} summary ${quoted(file)} --top 3 >/dev/null`, '/dev/null'],
                      { encoding: 'latin1', timeout: 120000 });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /%|MB/, `no progress shown on a terminal: ${JSON.stringify(r.stdout.slice(0, 200))}`);
  assert.ok(/(\r\x1b\[2?K|\n)$/.test(r.stdout.replace(/\r\n$/, '\n')),
            `the progress line is left on the terminal: ${JSON.stringify(r.stdout.slice(-120))}`);
});

test('stdin: "-" reads the snapshot from a pipe and gives the same census', () => {
  const r = leakscope(['summary', '-', '--json', '--top', '0'], { input: readFileSync(snaps.classes) });
  assert.equal(r.status, 0, r.stderr);
  const fromPipe = JSON.parse(r.stdout);
  const fromFile = summaryJson(snaps.classes);
  assert.deepEqual(fromPipe.classes, fromFile.classes);
  assert.equal(fromPipe.node_count, fromFile.node_count);
});

for (const major of [18, 20, 22, 24]) {
  test(`format matrix: the fixtures written by Node ${major}`, (t) => {
    const node = nodeBinary(major);
    if (node.skip) {
      t.skip(node.skip);
      return;
    }
    const files = {};
    for (const f of ['classes', 'collections', 'strings']) {
      files[f] = writeFixture(`census-${f}.js`, join(dir, `${f}-node${major}.heapsnapshot`), node.bin);
    }
    const { snap } = checkInfo(files.collections);
    const fields = snap.snapshot.meta.node_fields.length;
    t.diagnostic(`${node.version}: ${fields} node fields, ${snap.snapshot.meta.node_types[0].length} node types` +
                 `${snap.snapshot.extra_native_bytes !== undefined ? ', extra_native_bytes' : ''}` +
                 `, ${readFileSync(files.collections, 'latin1').split('\n').length} lines`);
    if (major === 24) {
      assert.equal(fields, 6, 'Node 24 writes 6 node fields');
      assert.ok(readFileSync(files.collections, 'latin1').split('\n').length < 20, 'Node 24 writes arrays on one line');
    }
    checkInfo(files.classes);
    checkInfo(files.strings);
    const got = fixtureCensus(files);
    assert.deepEqual(got, referenceCensus());
    const big = oneRow(summaryJson(files.collections), 'CensusMillionArray');
    assert.ok(big.shallow_size >= 8000016 + 32 && big.shallow_size < 8000016 + 1024, `shallow ${big.shallow_size}`);
  });
}
