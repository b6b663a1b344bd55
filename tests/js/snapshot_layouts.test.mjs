// Issue 10, item 7: read what DevTools reads. Fields are found by name and the ones the analyses do
// not use are skipped, so the older V8 layout (a retained size and a dominator per node, as
// DevTools' own unit tests write it) gives the same answers as the current one; a location whose
// object index is not a node boundary is skipped with one warning; a heap snapshot written by
// headless Chromium (a browser heap: Window, DOM, Blink objects) loads in every command.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { kRepoRoot, leakscope, leakscopeJson, scratchDir } from './lib/harness.mjs';
import { findChromium, writeChromiumSnapshot } from './lib/chromium.mjs';

const dir = scratchDir('layouts');
let snap;
let parsed;

before(() => {
  snap = join(dir, 'current.heapsnapshot');
  execFileSync(process.execPath, [join(kRepoRoot, 'tests/fixtures/dominators-basics.js'), snap]);
  parsed = JSON.parse(readFileSync(snap, 'utf8'));
});

// The same heap with `add` node fields inserted before edge_count (and `addEdge` edge fields
// appended): node indices in edges and locations scale with the new record length.
function relayout(src, { addNode = [], addEdge = [] }) {
  const s = structuredClone(src);
  const meta = s.snapshot.meta;
  const oldNf = meta.node_fields.length;
  const at = meta.node_fields.indexOf('edge_count');
  meta.node_fields.splice(at, 0, ...addNode);
  meta.node_types.splice(at, 0, ...addNode.map(() => 'number'));
  const nf = meta.node_fields.length;
  const nodes = [];
  for (let i = 0; i < src.nodes.length; i += oldNf) {
    const rec = src.nodes.slice(i, i + oldNf);
    // Plausible values for the extra fields; nothing may read them.
    rec.splice(at, 0, ...addNode.map((_, k) => (k === 0 ? rec[3] * 2 : (i / oldNf) % 7)));
    nodes.push(...rec);
  }
  s.nodes = nodes;
  const oldEf = meta.edge_fields.length;
  const toNode = meta.edge_fields.indexOf('to_node');
  meta.edge_fields.push(...addEdge);
  meta.edge_types.push(...addEdge.map(() => 'number'));
  const edges = [];
  for (let i = 0; i < src.edges.length; i += oldEf) {
    const rec = src.edges.slice(i, i + oldEf);
    rec[toNode] = rec[toNode] / oldNf * nf;
    edges.push(...rec, ...addEdge.map(() => 42));
  }
  s.edges = edges;
  const lf = meta.location_fields.length;
  const obj = meta.location_fields.indexOf('object_index');
  s.locations = src.locations.map((v, i) => (i % lf === obj ? v / oldNf * nf : v));
  return s;
}

// The outputs that must not change, with the file name taken out.
function answers(file) {
  const strip = (j) => { delete j.snapshot; return j; };
  return {
    summary: strip(leakscopeJson(['summary', file, '--json', '--top', '0'])),
    top: strip(leakscopeJson(['top', file, '--json', '--depth', '3'])),
    path: strip(leakscopeJson(['path', file, '--class', 'Shared', '-k', '2', '--json'])),
    chain: strip(leakscopeJson(['path', file, '--class', 'Link', '--json'])),
  };
}

test('the older V8 layout [type,name,id,self_size,retained_size,dominator,edge_count,...] gives the same answers', () => {
  const older = join(dir, 'older.heapsnapshot');
  const s = relayout(parsed, { addNode: ['retained_size', 'dominator'] });
  assert.deepEqual(s.snapshot.meta.node_fields.slice(0, 7),
                   ['type', 'name', 'id', 'self_size', 'retained_size', 'dominator', 'edge_count']);
  writeFileSync(older, JSON.stringify(s));
  const want = answers(snap);
  assert.ok(want.summary.classes.length > 50);
  assert.deepEqual(answers(older), want);
  const info = leakscopeJson(['info', older, '--json']);
  assert.equal(info.node_fields.length, parsed.snapshot.meta.node_fields.length + 2);
});

test('extra fields of any name, in nodes and edges, are skipped', () => {
  const extra = join(dir, 'extra.heapsnapshot');
  writeFileSync(extra, JSON.stringify(relayout(parsed, { addNode: ['future_field'], addEdge: ['weight', 'x'] })));
  assert.deepEqual(answers(extra), answers(snap));
});

// The same heap with the "type" field moved to the end of node and edge records; node_types and
// edge_types move with their fields, so the type names sit at the type field's index, where
// DevTools reads them (meta.node_types[node_fields.indexOf('type')]).
function typeLast(src) {
  const s = structuredClone(src);
  const meta = s.snapshot.meta;
  const permute = (fields, types, values) => {
    const order = fields.map((_, i) => i).filter((i) => fields[i] !== 'type');
    order.push(fields.indexOf('type'));
    const n = fields.length;
    const out = new Array(values.length);
    for (let r = 0; r < values.length; r += n) {
      for (let k = 0; k < n; ++k) out[r + k] = values[r + order[k]];
    }
    return [order.map((i) => fields[i]), order.map((i) => types[i]), out];
  };
  [meta.node_fields, meta.node_types, s.nodes] = permute(meta.node_fields, meta.node_types, src.nodes);
  [meta.edge_fields, meta.edge_types, s.edges] = permute(meta.edge_fields, meta.edge_types, src.edges);
  return s;
}

test('"type" last in node and edge records: its names are read at its index, the same answers', () => {
  const s = typeLast(parsed);
  assert.equal(s.snapshot.meta.node_fields.at(-1), 'type');
  assert.equal(s.snapshot.meta.edge_fields.at(-1), 'type');
  assert.ok(Array.isArray(s.snapshot.meta.node_types.at(-1)));
  assert.ok(!Array.isArray(s.snapshot.meta.node_types[0]));
  const file = join(dir, 'type-last.heapsnapshot');
  writeFileSync(file, JSON.stringify(s));
  assert.deepEqual(answers(file), answers(snap));
  const strip = (j) => { delete j.snapshot; delete j.file_size; delete j.node_fields; return j; };
  assert.deepEqual(strip(leakscopeJson(['info', file, '--json'])),
                   strip(leakscopeJson(['info', snap, '--json'])));
  // No list of names at the type field's index: named.
  s.snapshot.meta.node_types[s.snapshot.meta.node_types.length - 1] = 'number';
  writeFileSync(file, JSON.stringify(s));
  const r = leakscope(['summary', file]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /snapshot\.meta\.node_types must hold the list of type names at index \d+ \(the "type" field's\)\n$/);
});

test('a needed field that is missing is named', () => {
  const s = structuredClone(parsed);
  s.snapshot.meta.node_fields[s.snapshot.meta.node_fields.indexOf('self_size')] = 'size';
  const file = join(dir, 'no-self-size.heapsnapshot');
  writeFileSync(file, JSON.stringify(s));
  const r = leakscope(['summary', file]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^leakscope: .*no-self-size\.heapsnapshot: byte \d+: snapshot\.meta\.node_fields has no "self_size" field\n$/);
});

test('a location off a node boundary is skipped with one warning; the file loads', () => {
  const s = structuredClone(parsed);
  const lf = s.snapshot.meta.location_fields.length;
  assert.ok(s.locations.length >= 2 * lf, 'the fixture has locations');
  s.locations[0] += 1;
  s.locations[lf] += 2;
  const file = join(dir, 'off-boundary.heapsnapshot');
  writeFileSync(file, JSON.stringify(s));
  for (const cmd of [['summary', file, '--json'], ['info', file, '--json'], ['check', file, '--json']]) {
    const r = leakscope(cmd);
    assert.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
    JSON.parse(r.stdout);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^leakscope: warning: .*off-boundary\.heapsnapshot: skipped 2 location\(s\) whose object_index is not a node boundary/);
  }
  const info = leakscopeJson(['info', file, '--json']);
  assert.equal(info.location_count, parsed.locations.length / lf - 2);
});

test('a heap snapshot written by headless Chromium loads in every command', async (t) => {
  const chromium = findChromium();
  if (!chromium) {
    t.skip('chromium is not installed (scripts/install-deps.sh installs it)');
    return;
  }
  const file = join(dir, 'chromium.heapsnapshot');
  await writeChromiumSnapshot(chromium, file, `
    class LeakyThing { constructor(i) { this.i = i; this.label = 'thing-' + i; } }
    window.keep = Array.from({ length: 1000 }, (_, i) => new LeakyThing(i));
    document.body.innerHTML = '<div id="a"><p>hello</p><span>world</span></div>';
    window.detached = document.createElement('section');
    true`);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\{"snapshot":\{"meta":/);
  const summary = leakscopeJson(['summary', file, '--json', '--top', '0']);
  const things = summary.classes.filter((c) => c.name === 'LeakyThing');
  assert.equal(things.length, 1, JSON.stringify(summary.classes.slice(0, 20).map((c) => c.name)));
  assert.equal(things[0].count, 1000);
  assert.ok(summary.classes.some((c) => /^Window/.test(c.name)), 'no Window class');
  const info = leakscopeJson(['info', file, '--json']);
  assert.ok(info.node_count > 10000);
  const path = leakscopeJson(['path', file, '--class', 'LeakyThing', '--json']);
  assert.equal(path.targets.length, 1);
  const steps = JSON.stringify(path.targets[0]);
  assert.ok(steps.includes('keep'), `the path does not go through window.keep: ${steps.slice(0, 500)}`);
  for (const cmd of [['top', file, '--json'], ['check', file, '--json'], ['inspect', file, '--id', '1', '--json'],
                     ['dump-analysis', file]]) {
    const r = leakscope(cmd);
    assert.ok(r.status === 0 || (cmd[0] === 'check' && r.status === 1), `${cmd.join(' ')}: ${r.status} ${r.stderr}`);
    JSON.parse(r.stdout);
  }
});
