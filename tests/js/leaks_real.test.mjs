// `leakscope leaks` on the shapes real packages leak in (issue 16): a never-settling promise raced
// again and again, a cache object keyed by template text, timers nobody clears, a Map keyed by
// concatenated strings, listeners piling up on a reused keep-alive socket. Each leaky example must give its true culprit as cluster 1, with the
// holder the program names and a source location in the example; each control must stay quiet.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leakscopeBin, runProgram } from './lib/harness.mjs';

const bin = leakscopeBin();
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-leaks-real-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const apps = ['leaky-promise-race', 'control-promise-race', 'leaky-template-cache', 'control-template-cache',
              'leaky-flush-timers', 'control-flush-timers', 'leaky-rate-limiter', 'control-rate-limiter',
              'leaky-keepalive-listeners', 'control-keepalive-listeners'];

const snaps = {};
before(async () => {
  const queue = apps.map((app) => async () => {
    const out = path.join(dir, app);
    await runProgram(process.execPath, ['--expose-gc', `examples/${app}.js`, out]);
    snaps[app] = [1, 2, 3].map((k) => path.join(out, `s${k}.heapsnapshot`));
  });
  queue.push(async () => {
    const out = path.join(dir, 'session-leak');
    await runProgram(process.execPath, ['--expose-gc', 'examples/session-leak.js', '--requests', '3000',
                                 '--snapshots', out, '--every', '1000']);
    snaps['session-leak'] = [1, 2, 3].map((k) => path.join(out, `s${k}.heapsnapshot`));
  });
  // Two at a time: the machine has two cores.
  await Promise.all([0, 1].map(async () => { while (queue.length) await queue.shift()(); }));
});

function leaks(files, ...extra) {
  const r = spawnSync(bin, ['leaks', ...files, '--json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return { status: r.status, j: JSON.parse(r.stdout) };
}

function assertQuiet(app) {
  const { status, j } = leaks(snaps[app]);
  assert.ok(j.verdict.startsWith('No leak found: '), j.verdict);
  assert.equal(status, 0);
  assert.deepEqual(j.leaks, []);
}

test('promise race: the results kept by the never-settling promise\'s reaction chain', () => {
  const { status, j } = leaks(snaps['leaky-promise-race']);
  assert.equal(status, 1, j.verdict);
  const c = j.leaks[0];
  assert.equal(c.class, 'ReportResult', j.verdict);
  assert.match(c.location.script, /examples\/leaky-promise-race\.js$/);
  assert.equal(c.location.line, 15);  // ReportResult's constructor
  assert.equal(c.holder.class, 'Promise', JSON.stringify(c.holder));
  assert.ok(c.holder.accessor.endsWith('->shutdown'), c.holder.accessor);
  assert.equal(c.chain, true);
  assert.equal(c.internal_chain, 'PromiseReaction');
  assert.match(j.verdict, /^Leak: ReportResult, \+1,500 objects .* held by .*->shutdown \(Promise\), through its PromiseReaction chain/);
  assert.deepEqual(c.holder.entries, [0, 1500, 3000]);  // one reaction per race
  assert.ok(c.includes.some((i) => i.class === 'Promise'), JSON.stringify(c.includes));
});

test('promise race control (a promise per race, removed when the job ends): no leak', () => {
  assertQuiet('control-promise-race');
});

test('template cache: the entries are the cache object\'s own keys, and nested token arrays are no chain', () => {
  const { status, j } = leaks(snaps['leaky-template-cache']);
  assert.equal(status, 1, j.verdict);
  const c = j.leaks[0];
  assert.equal(c.class, 'Array', j.verdict);
  assert.equal(c.holder.class, 'Object');
  assert.ok(c.holder.accessor.endsWith('->templateCache'), c.holder.accessor);
  assert.equal(c.chain, false, j.verdict);
  assert.deepEqual(c.holder.entries, [1000, 2000, 3000]);  // one key per request
  assert.deepEqual(c.counts, [0, 1000, 2000]);
  assert.match(c.holder.scope.named, /^templateCache in the module scope of .*examples\/leaky-template-cache\.js$/);
});

test('template cache control (fixed templates, data in the view): no leak', () => {
  assertQuiet('control-template-cache');
});

test('timers: the Timeout leak is located at its callback and names the record it keeps', () => {
  const { status, j } = leaks(snaps['leaky-flush-timers']);
  assert.equal(status, 1, j.verdict);
  const c = j.leaks[0];
  assert.equal(c.class, 'Timeout', j.verdict);
  assert.equal(c.holder.class, 'TimersList');
  assert.match(c.location.script, /examples\/leaky-flush-timers\.js$/);
  assert.equal(c.location.line, 27);  // function flushIfStuck, not node:internal/timers
  assert.ok(c.includes.some((i) => i.class === 'AuditRecord'), JSON.stringify(c.includes));
});

test('timers control (cleared after the batch flush): no leak', () => {
  assertQuiet('control-flush-timers');
});

test('Map with concatenated-string keys: led by its values\' class, named in its module scope', () => {
  const { status, j } = leaks(snaps['leaky-rate-limiter']);
  assert.equal(status, 1, j.verdict);
  const c = j.leaks[0];
  assert.equal(c.class, 'RateWindow', j.verdict);
  assert.match(c.location.script, /examples\/leaky-rate-limiter\.js$/);
  assert.equal(c.location.line, 10);  // RateWindow's constructor
  assert.equal(c.holder.class, 'Map');
  assert.ok(c.holder.accessor.endsWith('->windows'), c.holder.accessor);
  assert.deepEqual(c.holder.entries, [2000, 4000, 6000]);
  assert.ok(c.includes.some((i) => i.class === '(concatenated string)'), JSON.stringify(c.includes));
  assert.match(c.holder.scope.named, /^windows in the module scope of .*examples\/leaky-rate-limiter\.js$/);
  assert.equal(c.holder.scope.module, true);
  const text = spawnSync(bin, ['leaks', ...snaps['leaky-rate-limiter']], { encoding: 'utf8' }).stdout;
  assert.match(text, /\n {3}named {6}windows in the module scope of .*leaky-rate-limiter\.js\n/);
  assert.doesNotMatch(text, /GC roots/);
});

test('rate limiter control (windows swept): no leak', () => {
  assertQuiet('control-rate-limiter');
});

test('session-leak.js: the module-level Map is named as the program writes it', () => {
  const { status, j } = leaks(snaps['session-leak']);
  assert.equal(status, 1, j.verdict);
  const c = j.leaks[0];
  assert.equal(c.class, 'UserSession', j.verdict);
  assert.match(c.holder.scope.named, /^sessions in the module scope of .*examples\/session-leak\.js$/);
});

test('keep-alive socket: the listeners piling up on it lead, with the context they share', () => {
  const { status, j } = leaks(snaps['leaky-keepalive-listeners']);
  assert.equal(status, 1, j.verdict);
  const c = j.leaks[0];
  assert.match(c.class, /^on(Close|Data)\(\)$/, j.verdict);
  const close = c.class === 'onClose()';
  assert.match(c.location.script, /examples\/leaky-keepalive-listeners\.js$/);
  const source = readFileSync('examples/leaky-keepalive-listeners.js', 'utf8').split('\n');
  const line = source.findIndex((l) => l.includes(close ? 'function onClose(' : 'function onData(')) + 1;
  assert.equal(c.location.line, line);
  // The other listener closes over the same context: one leak, not two.
  assert.ok(c.includes.some((i) => i.class === (close ? 'onData()' : 'onClose()')), JSON.stringify(c.includes));
  assert.ok(!j.leaks.some((l) => /^on(Close|Data)\(\)$/.test(l.class) && l !== c), j.verdict);
  assert.match(c.holder.kind, close ? /^Array of listeners for 'close' on Socket @\d+$/
                                    : /^Array of listeners for 'data' on Socket @\d+$/);
  assert.ok(c.holder.accessor.endsWith(close ? '._events.close' : '._events.data'), c.holder.accessor);
  assert.deepEqual(c.counts, [0, 1000, 2000]);
  // The shared context keeps each request's OrderRecord (a 256-character note and more) and its
  // ClientRequest: the leak's size is theirs, not the listeners' few bytes.
  assert.ok(c.includes.some((i) => i.class === 'OrderRecord'), JSON.stringify(c.includes));
  assert.ok(c.includes.some((i) => i.class === 'ClientRequest'), JSON.stringify(c.includes));
  assert.ok(c.retained[2] - c.retained[1] > 1000 * 1024, JSON.stringify(c.retained));
  assert.match(j.verdict, /^Leak: on(Close|Data)\(\), \+1,000 objects .* held by .*\._events\.(close|data) \(Array of listeners for '(close|data)' on Socket @\d+\)/);
});

test('keep-alive control (listeners removed when the response ends): no leak', () => {
  assertQuiet('control-keepalive-listeners');
});
