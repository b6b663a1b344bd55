// `leakscope check` on a heap with known amounts of each pattern (tests/fixtures/check-patterns.js).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-check-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const snap = path.join(dir, 'patterns.heapsnapshot');
let result;
let status;

before(() => {
  execFileSync(process.execPath, ['--expose-gc', 'tests/fixtures/check-patterns.js', snap]);
  const r = spawnSync(bin, ['check', snap, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  status = r.status;
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  result = JSON.parse(r.stdout);
});

const of = (kind) => result.findings.filter((f) => f.kind === kind);

test('every finding has a severity, a one-line explanation and a path', () => {
  assert.ok(result.findings.length >= 5);
  for (const f of result.findings) {
    assert.match(f.severity, /^(high|medium|low|info)$/);
    assert.ok(f.explanation.length > 20 && !f.explanation.includes('\n'));
    assert.ok(f.path.length >= 1 && f.path.at(-1).id === f.id, JSON.stringify(f));
  }
  const rank = { high: 3, medium: 2, low: 1, info: 0 };
  for (let i = 1; i < result.findings.length; i++) {
    assert.ok(rank[result.findings[i - 1].severity] >= rank[result.findings[i].severity]);
  }
  assert.equal(status, 1, 'a high-severity finding gives exit code 1');
});

test('dominant class: Widget, 25,000 instances', () => {
  const [f] = of('dominant-class');
  assert.ok(f, JSON.stringify(result.findings.map((x) => x.title)));
  assert.equal(f.name, 'Widget');
  assert.equal(f.count, 25000);
  assert.match(f.location.script, /check-patterns\.js$/);
});

test('listeners: the emitter, the event, the function and its location', () => {
  const [f] = of('many-listeners');
  assert.ok(f);
  assert.equal(f.name, 'tick');
  assert.equal(f.count, 300);
  assert.equal(f.severity, 'high');
  assert.match(f.title, /EventEmitter @\d+ has 300 listeners for 'tick' \(300 of them onTick at .*check-patterns\.js:\d+:\d+\)/);
  assert.ok(f.accessor.endsWith('.hub._events.tick'), f.accessor);
});

test('repeated closure: format() created 5,000 times at one place', () => {
  const f = of('repeated-closure').find((x) => x.name === 'format');
  assert.ok(f, JSON.stringify(of('repeated-closure').map((x) => x.title)));
  assert.equal(f.count, 5000);
  assert.match(f.location.script, /check-patterns\.js$/);
  assert.ok(!of('repeated-closure').some((x) => x.name === 'onTick'), 'onTick: 300 < threshold');
});

test('duplicate strings: 3,000 copies of one text, bytes wasted', () => {
  const f = of('duplicate-strings').find((x) => x.name.startsWith('abcdefghabcdefgh'));
  assert.ok(f, JSON.stringify(of('duplicate-strings').map((x) => x.title)));
  assert.equal(f.count, 3000);
  assert.ok(f.bytes >= 2999 * 64, `${f.bytes}`);
});

test('collections: the registry Map is the biggest, with its entry count', () => {
  const cols = [...of('big-collection'), ...of('large-object')];
  const f = cols.find((x) => x.accessor.endsWith('.registry'));
  assert.ok(f, JSON.stringify(cols.map((x) => x.accessor)));
  assert.equal(f.count, 10000);
});

test('text output and bad input', () => {
  const r = spawnSync(bin, ['check', snap], { encoding: 'utf8' });
  assert.match(r.stdout.split('\n')[0], /: \d+ findings \(\d+ high/);
  assert.match(r.stdout, /\[high\] EventEmitter/);
  const bad = spawnSync(bin, ['check', path.join(dir, 'missing.heapsnapshot')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /missing\.heapsnapshot/);
});

// A package's module-level memo (examples/lib/tiny-templates.js) is module state of a required
// file: the program reaches it only through require.cache and process.mainModule, which must not
// hide it. Fed per-request template text it holds a few thousand entries (under the 5,000 that
// make an object large by its entry count) and most of the heap.
function checkExample(app) {
  const out = path.join(dir, app);
  execFileSync(process.execPath, ['--expose-gc', `examples/${app}.js`, out, '--rounds', '1', '--requests', '4000']);
  const r = spawnSync(bin, ['check', path.join(out, 's1.heapsnapshot'), '--json'],
                      { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return { status: r.status, findings: JSON.parse(r.stdout).findings };
}

test('module state reached through require.cache: the memo Map, large by its share of the heap', () => {
  const { status, findings } = checkExample('leaky-template-memo');
  const memo = findings.filter((f) => f.accessor.endsWith('compiled'));
  assert.equal(memo.length, 1, JSON.stringify(findings.map((f) => [f.kind, f.accessor])));
  const [f] = memo;
  assert.equal(f.kind, 'large-object');
  assert.equal(f.name, 'Map');
  assert.equal(f.count, 4000);
  assert.equal(f.severity, 'high');
  assert.equal(status, 1);
  assert.match(f.title, /^Map @\d+ has 4,000 entries, retaining \d/);
  // Node's own registries are still left out: require.cache itself (an Object of Modules), and
  // nothing reached through the process object before any user code.
  for (const x of findings) {
    assert.notEqual(x.path.at(-1).edge?.name, '_cache', x.accessor);
    assert.notEqual(x.path.at(-2)?.name, 'process', x.accessor);
  }
});

test('the same package used as intended (constant template) has no large finding', () => {
  const { findings } = checkExample('control-template-memo');
  const memo = findings.filter((f) => f.accessor.endsWith('compiled'));
  assert.ok(memo.every((f) => f.kind === 'big-collection' && f.severity === 'info' && f.count === 1),
            JSON.stringify(memo.map((f) => f.title)));
  assert.ok(!findings.some((f) => f.kind === 'large-object'), JSON.stringify(findings.map((f) => f.title)));
});
