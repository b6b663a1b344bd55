// top, path, inspect and summary's retained columns on a snapshot a real Node process writes at
// test time (tests/fixtures/dominators-basics.js), checked against DevTools' model where it has
// the same figure.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devtoolsModel } from './lib/devtools-model.mjs';

const bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-ret-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const snap = path.join(dir, 'basics.heapsnapshot');
let oracle;

function run(...args) {
  return spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}
function json(...args) {
  const r = run(...args, '--json');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

before(async () => {
  execFileSync(process.execPath, ['tests/fixtures/dominators-basics.js', snap]);
  oracle = await devtoolsModel(snap);
});

function oracleIndexOfId(id) {
  return oracle.ids.indexOf(id);
}

test('top: the root retains everything, children are largest first and match DevTools', () => {
  const t = json('top', snap, '--top', '5', '--depth', '1');
  const root = t.entries[0];
  assert.equal(root.depth, 0);
  assert.equal(root.retained_size, oracle.retained[0]);
  assert.equal(t.total_size, oracle.retained[0]);
  const level1 = t.entries.filter((e) => e.depth === 1);
  assert.equal(level1.length, 5);
  for (let i = 1; i < level1.length; i++) {
    assert.ok(level1[i - 1].retained_size >= level1[i].retained_size);
  }
  for (const e of t.entries) {
    const i = oracleIndexOfId(e.id);
    assert.equal(e.retained_size, oracle.retained[i], `retained of @${e.id}`);
    if (e.depth > 0) {
      const parent = t.entries.slice(0, t.entries.indexOf(e)).reverse().find((p) => p.depth === e.depth - 1);
      assert.equal(oracle.idomIds[i], parent.id, `dominator of @${e.id}`);
    }
  }
  assert.equal(level1[0].name, 'global');
});

test('top --id: expands one object; unknown ids are exit 2', () => {
  const all = json('top', snap, '--top', '3', '--depth', '0');
  const globalId = all.entries.find((e) => e.name === 'global').id;
  const t = json('top', snap, '--id', String(globalId), '--top', '3', '--depth', '0');
  assert.equal(t.entries[0].id, globalId);
  assert.equal(t.entries.length, 4);
  const bad = run('top', snap, '--id', '4');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--id 4: no object with this id/);
});

test('path --class: the chain through global with edge names, distance as DevTools', () => {
  const p = json('path', snap, '--class', 'Link');
  assert.equal(p.class_instances, 5000);
  const target = p.targets[0];
  assert.equal(target.distance, oracle.distances[oracleIndexOfId(target.id)]);
  const [only] = target.paths;
  assert.equal(only.from_user_root, true);
  assert.equal(only.steps.length, target.distance);  // global is at distance 1
  assert.equal(only.steps[0].name, 'global');
  assert.deepEqual(only.steps.slice(1).map((s) => s.edge.name), ['fixture', 'chain']);
  assert.match(only.text, /^global\.fixture → \{diamond, chain, box, keys, wm, counter\}\.chain → Link @\d+$/);
  const text = run('path', snap, '--class', 'Link').stdout;
  assert.match(text, /global\.fixture → .*\.chain → Link @\d+/);
});

test('path --id -k: several paths through different retainers, weak edges never used', () => {
  const shared = json('path', snap, '--class', 'Shared').targets[0];
  const p = json('path', snap, '--id', String(shared.id), '-k', '3');
  const paths = p.targets[0].paths;
  // left.items and right.items (and V8's element store of one of them): each path ends with a
  // different retaining edge, and both holders show up.
  assert.ok(paths.length >= 2 && paths.length <= 3);
  const lastHops = new Set(paths.map((x) => `${x.steps.at(-2).id}/${x.steps.at(-1).edge.name}/${x.steps.at(-1).edge.type}`));
  assert.equal(lastHops.size, paths.length);
  const holders = new Set(paths.map((x) => x.steps.find((s) => s.name === 'Holder').id));
  assert.equal(holders.size, 2);
  assert.equal(paths[0].steps.length, p.targets[0].distance);
  for (const x of paths) for (const s of x.steps.slice(1)) assert.notEqual(s.edge.type, 'weak');
});

test('path: WeakMap values are reached at max(key, table) + 1', () => {
  const p = json('path', snap, '--class', 'Value');
  const t = p.targets[0];
  assert.equal(t.distance, oracle.distances[oracleIndexOfId(t.id)]);
  assert.match(t.paths[0].text, /WeakMap entry of key Key @\d+/);
});

test('path: bad arguments are exit 2 with one clear line', () => {
  for (const args of [['--class', 'NoSuchClass'], ['--id', '4'], [], ['--id', '1', '--class', 'Link']]) {
    const r = run('path', snap, ...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('inspect: edges with target retained sizes, retainers, dominator, as DevTools', () => {
  const holder = json('path', snap, '--class', 'Holder').targets[0];
  const r = json('inspect', snap, '--id', String(holder.id));
  const i = oracleIndexOfId(holder.id);
  assert.equal(r.object.retained_size, oracle.retained[i]);
  assert.equal(r.object.self_size, oracle.self[i]);
  assert.equal(r.object.dominator.id, oracle.idomIds[i]);
  assert.equal(r.object.distance, oracle.distances[i]);
  const names = r.edges.map((e) => e.name);
  assert.ok(names.includes('name') && names.includes('items'));
  for (const e of r.edges) assert.equal(e.to.retained_size, oracle.retained[oracleIndexOfId(e.to.id)]);
  assert.ok(r.retainers.length >= 1);
  assert.equal(r.retainers[0].type, 'property');
  const bad = run('inspect', snap, '--id', '4');
  assert.equal(bad.status, 2);
});

test('summary: retained size and distance columns, sorted by retained size', () => {
  const s = json('summary', snap);
  const rows = s.classes;
  for (let k = 1; k < rows.length; k++) assert.ok(rows[k - 1].retained_size >= rows[k].retained_size);
  for (const row of rows) {
    const t = oracle.rows.get(row.key);
    assert.ok(t, row.key);
    assert.equal(row.retained_size, t.retained, row.key);
    assert.equal(row.distance, t.distance, row.key);
  }
  const shallow = json('summary', snap, '--shallow-only');
  assert.equal(shallow.classes[0].retained_size, null);
  const text = run('summary', snap, '--top', '3').stdout;
  assert.match(text, /Retained Size\s+Distance/);
});

test('inspect --json: every node has V8\'s raw name and the display name the text shows', () => {
  const root = json('inspect', snap, '--id', String(oracle.ids[0]));
  assert.equal(root.object.name, '');
  assert.equal(root.object.display_name, '(root)');
  const text = run('inspect', snap, '--id', String(oracle.ids[0])).stdout;
  assert.ok(text.startsWith(`(root) @${oracle.ids[0]}\n`), text);
  const nodes = [root.object, root.object.dominator, ...root.edges.map((e) => e.to)];
  for (const n of nodes) {
    assert.equal(typeof n.name, 'string', JSON.stringify(n));
    assert.ok(n.display_name.length > 0, JSON.stringify(n));
  }
  // A plain object: V8 calls it "Object"; the text (as DevTools) names it by its properties.
  const holder = json('path', snap, '--class', 'Holder').targets[0];
  const h = json('inspect', snap, '--id', String(holder.id));
  assert.equal(h.object.name, 'Holder');
  const plain = h.retainers.map((x) => x.from).find((n) => n.name === 'Object');
  if (plain) assert.match(plain.display_name, /^\{.*\}$/);
  for (const x of h.retainers) {
    assert.ok(run('inspect', snap, '--id', String(holder.id)).stdout.includes(`${x.from.display_name} @${x.from.id}`));
  }
});
