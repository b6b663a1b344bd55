// `leakscope leaks` on real Node programs: every leaky example must come out with its true
// culprit as cluster 1 and the right holder; every control (full LRU, warm-up plateau, garbage
// churn, WeakMap/WeakRef) must give "No leak found" with exit code 0.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runProgram } from './lib/harness.mjs';

const bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-leaks-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// Expected culprit per leaky example: cluster 1's class, its holder's class, how the holder is
// reached (end of its accessor), and a class it must include (what the leak drags along).
const leaky = {
  'leaky-listeners': { cls: 'onConfigReload()', holder: 'Array', accessor: '->configBus._events.reload',
                       kind: /listeners for 'reload' on EventEmitter/, includes: 'RequestState' },
  'leaky-request-cache': { cls: 'CachedResponse', holder: 'Map', accessor: '->responseCache' },
  'leaky-closure-chain': { cls: 'someMethod()', holder: 'Object', accessor: '->theThing', chain: true,
                           includes: '{longStr, someMethod}' },
  'leaky-interval': { cls: 'Timeout', holder: 'TimersList', accessor: '->timerListMap[…]', chain: true,
                      includes: 'ExportJob' },
  'leaky-class-array': { cls: 'AuditEntry', holder: 'Array', accessor: '->auditTrail' },
  'leaky-sliced-strings': { cls: '(sliced string)', holder: 'Set', accessor: '->seenTokens' },
  'leaky-buffers': { cls: 'PendingUpload', holder: 'Object', accessor: '->pendingUploads', includes: 'Buffer' },
};
const controls = ['control-lru', 'control-warmup', 'control-churn', 'control-weak'];

const snaps = {};
before(async () => {
  const apps = [...Object.keys(leaky), ...controls];
  const jobs = apps.map((app) => async () => {
    const out = path.join(dir, app);
    await runProgram(process.execPath, ['--expose-gc', `examples/${app}.js`, out]);
    snaps[app] = [1, 2, 3].map((k) => path.join(out, `s${k}.heapsnapshot`));
  });
  // Two at a time: the machine has two cores.
  const queue = [...jobs];
  await Promise.all([0, 1].map(async () => { while (queue.length) await queue.shift()(); }));
});

function leaks(files, ...extra) {
  const r = spawnSync(bin, ['leaks', ...files, '--json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const j = JSON.parse(r.stdout);
  return { status: r.status, j };
}

for (const [app, want] of Object.entries(leaky)) {
  test(`${app}: the culprit is cluster 1, with its holder`, () => {
    const { status, j } = leaks(snaps[app]);
    assert.equal(status, 1, j.verdict);
    assert.equal(j.leak, true);
    assert.match(j.verdict, /^Leak: /);
    const c = j.leaks[0];
    assert.equal(c.class, want.cls, j.verdict);
    assert.equal(c.holder.class, want.holder, JSON.stringify(c.holder));
    assert.ok(c.holder.accessor.endsWith(want.accessor), `${c.holder.accessor} ${JSON.stringify(c.path)}`);
    if (want.kind) assert.match(c.holder.kind, want.kind);
    assert.equal(c.chain, !!want.chain);
    if (want.includes) {
      assert.ok(c.includes.some((i) => i.class === want.includes), JSON.stringify(c.includes));
    }
    // Growth in every interval, alive at the end, holder growing.
    for (let k = 1; k < c.counts.length; k++) assert.ok(c.counts[k] > c.counts[k - 1], `${c.counts}`);
    for (let k = 1; k < c.holder.entries.length; k++) {
      assert.ok(c.holder.entries[k] > c.holder.entries[k - 1], `${c.holder.entries}`);
    }
    assert.ok(c.gained > 0 && c.retained_per_interval > 0);
    assert.ok(c.path.length >= 2, 'a path from the roots to the holder');
    assert.equal(c.path.at(-1).id, c.holder.id);
    assert.ok(j.verdict.includes(c.class) && j.verdict.includes(c.holder.accessor));
  });
}

test('source locations name the script, line and column', () => {
  const c = leaks(snaps['leaky-request-cache']).j.leaks[0];
  assert.match(c.location.script, /examples\/leaky-request-cache\.js$/);
  assert.equal(c.location.line, 9);  // `class CachedResponse {` ... its constructor
  assert.ok(c.location.column > 0);
  const l = leaks(snaps['leaky-listeners']).j.leaks[0];
  assert.match(l.location.script, /leaky-listeners\.js$/);
});

for (const app of controls) {
  test(`${app}: no leak found, exit 0`, () => {
    const { status, j } = leaks(snaps[app]);
    assert.equal(j.verdict.startsWith('No leak found: '), true, j.verdict);
    assert.equal(status, 0);
    assert.deepEqual(j.leaks, []);
  });
}

test('the full LRU is rejected because its holder does not grow, not by luck', () => {
  const { j } = leaks(snaps['control-lru']);
  const page = j.not_leaking.find((c) => c.class === 'RenderedPage');
  assert.ok(page, JSON.stringify(j.not_leaking.map((c) => c.class)));
  assert.match(page.reason, /holder does not grow/);
  assert.ok(page.counts[1] > 0 && page.counts[2] > page.counts[1], 'added in every interval');
});

test('text output: verdict line first, then the cluster with its path', () => {
  const r = spawnSync(bin, ['leaks', ...snaps['leaky-class-array']], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^Leak: AuditEntry, \+2,000 objects \(\+[\d.]+ kB retained\) per interval, held by …->auditTrail \(Array\)$/);
  assert.match(r.stdout, /#1 AuditEntry/);
  assert.match(r.stdout, /holder .*entries 2,000 → 4,000 → 6,000/);
});

test('--interval gives a rate per hour', () => {
  const { j } = leaks(snaps['leaky-class-array'], '--interval', '3600');
  assert.equal(j.leaks[0].bytes_per_hour, j.leaks[0].gained / 2);
});

test('bad input: fewer than 3 snapshots, a missing file, another process: exit 2', () => {
  let r = spawnSync(bin, ['leaks', ...snaps['control-lru'].slice(0, 2)], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /at least 3 snapshots/);
  r = spawnSync(bin, ['leaks', snaps['control-lru'][0], snaps['control-lru'][1], path.join(dir, 'missing.heapsnapshot')],
                { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /missing\.heapsnapshot/);
  const bad = path.join(dir, 'bad.heapsnapshot');
  writeFileSync(bad, '{"snapshot":{"meta":');
  r = spawnSync(bin, ['leaks', snaps['control-lru'][0], bad, snaps['control-lru'][2]], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.heapsnapshot/);
  // A baseline from another process (even one running similar code): refused, not compared.
  r = spawnSync(bin, ['leaks', snaps['control-lru'][0], ...snaps['leaky-class-array'].slice(1)],
                { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /do not come from the same process/);
});

// Issue 10 review: a repeated or out-of-order list must not pass a CI gate with "No leak found".
test('the same file twice (any spelling, a hard link, - twice) or snapshots out of order: exit 2', () => {
  const [s1, s2, s3] = snaps['control-lru'];
  const run = (args, opts = {}) => spawnSync(bin, args, { encoding: 'utf8', ...opts });
  const dot = `./${path.relative(process.cwd(), s1)}`;
  let r = run(['leaks', s1, dot, s2]);
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /^leakscope: leaks: .*s1\.heapsnapshot and .*s1\.heapsnapshot are the same file/);
  const link = path.join(dir, 'hardlink.heapsnapshot');
  rmSync(link, { force: true });
  linkSync(s2, link);
  r = run(['leaks', s1, s2, link]);
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /s2\.heapsnapshot and .*hardlink\.heapsnapshot are the same file/);
  r = run(['leaks', '-', s2, '-'], { input: '' });
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /^leakscope: leaks: - given twice/);
  // A copy (another inode) holds the same largest object id: the same snapshot twice.
  const copy = path.join(dir, 'copy.heapsnapshot');
  copyFileSync(s2, copy);
  r = run(['leaks', s1, s2, copy]);
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /hold the same objects/);
  r = run(['leaks', s3, s2, s1]);
  assert.equal(r.status, 2, r.stdout);
  const order = `${s1} ${s2} ${s3}`;
  assert.ok(r.stderr.includes(`leaks: ${s3} and ${s2} are out of order`), r.stderr);
  assert.ok(r.stderr.includes(`give them in the order taken: ${order}`), r.stderr);
  r = run(['leaks', s1, s3, s2]);
  assert.equal(r.status, 2, r.stdout);
  assert.ok(r.stderr.includes(`leaks: ${s3} and ${s2} are out of order`), r.stderr);

  // diff BASE CURRENT: the base is the earlier snapshot, as for leaks.
  for (const format of [[], ['--format', 'memwatch']]) {
    r = run(['diff', s3, s1, ...format]);
    assert.equal(r.status, 2, r.stdout);
    assert.ok(r.stderr.includes(`diff: ${s3} and ${s1} are out of order`), r.stderr);
    r = run(['diff', s1, dot, ...format]);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /are the same file/);
    r = run(['diff', '-', '-', ...format], { input: '' });
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /^leakscope: diff: - given twice/);
    r = run(['diff', s1, s3, ...format]);
    assert.equal(r.status, 0, r.stderr);
  }
});
