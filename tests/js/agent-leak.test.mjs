// The `leak` event: fires for a real leak within bounded time, and never for a stable heap, a
// sawtooth that returns to its base, a warm-up plateau, or start-up (memwatch's false alarm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'agent-leak.cjs');
const fast = { minDurationMs: 2000, warmupMs: 0, minPoints: 8 };

function run(opts) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fixture, JSON.stringify(opts)]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stderr, events: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)) }));
  });
}

// The workloads run side by side to keep the file well under a minute.
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-leak-'));
const runs = {
  leak: run({ mode: 'leak', ms: 7000, leak: fast, config: { onLeak: true, dir, minIntervalMs: 0 } }),
  stable: run({ mode: 'stable', ms: 6000, leak: fast }),
  sawtooth: run({ mode: 'sawtooth', ms: 6000, leak: fast }),
  plateau: run({ mode: 'plateau', ms: 6000, leak: fast }),
  startup: run({ mode: 'leak', ms: 4000 }),  // default thresholds: a growing start-up is no leak yet
};

test('a leaking workload fires `leak` within bounded time, with memwatch fields and more', async () => {
  const r = await runs.leak;
  assert.equal(r.code, 0, r.stderr);
  const leaks = r.events.filter((e) => e.event === 'leak');
  assert.ok(leaks.length >= 1, JSON.stringify(r.events.at(-1)));
  const l = leaks[0];
  assert.ok(l.after_ms < 6500, `first leak after ${l.after_ms} ms`);
  assert.match(l.reason, /^heap growth over \d+ consecutive GCs \((\d+h )?(\d+m )?\d+s\) - [\d.]+ (mb|kb|bytes)\/hr$/);
  assert.ok(Date.parse(l.start) < Date.parse(l.end));
  // The shared rule calls a strong, large growth early: before minDurationMs, but never before
  // half of it and 6 full GCs; otherwise over the full window and minPoints.
  assert.ok(['early', 'full-window'].includes(l.basis), l.basis);
  const early = l.basis === 'early';
  assert.ok(Date.parse(l.end) - Date.parse(l.start) >= (early ? 1000 : 2000) * 0.9);
  assert.ok(l.growth > 1024 * 1024, `growth ${l.growth}`);
  assert.ok(l.rate_bytes_per_hour > 0);
  assert.ok(l.rate_ci_bytes_per_hour[0] > 0 && l.rate_ci_bytes_per_hour[0] <= l.rate_bytes_per_hour);
  assert.ok(l.confidence >= (early ? 0.99 : 0.95) && l.confidence <= 1);
  assert.ok(l.samples >= (early ? 6 : 8));
  assert.match(l.why, early ? /^decided early on strong evidence: \+/ : /^\+[\d.]+ [kMG]?B over /);
  // The rate is right: about one chunk per 25 ms GC. Compare with the growth the event reports.
  const hours = (Date.parse(l.end) - Date.parse(l.start)) / 3600e3;
  assert.ok(Math.abs(l.growth / hours - l.rate_bytes_per_hour) < l.rate_bytes_per_hour * 0.3);
  const done = r.events.find((e) => e.event === 'done');
  assert.equal(done.leak_metric, 1);
  // The onLeak trigger wrote a snapshot.
  const snaps = r.events.filter((e) => e.event === 'snapshot');
  assert.ok(snaps.length >= 1 && snaps.every((s) => s.trigger === 'leak'));
  assert.ok(statSync(snaps[0].path).size > 100000);
});

for (const mode of ['stable', 'sawtooth', 'plateau']) {
  test(`no leak for a ${mode} heap`, async () => {
    const r = await runs[mode];
    assert.equal(r.code, 0, r.stderr);
    const done = r.events.find((e) => e.event === 'done');
    assert.ok(done.gcs > 100, `${done.gcs} full GCs judged`);
    assert.deepEqual(r.events.filter((e) => e.event === 'leak'), []);
    assert.equal(done.leak_metric, 0);
    assert.notEqual(done.state.last.verdict, 'growing');
  });
}

test('no leak at start-up with the default thresholds (memwatch fired at the 5th GC)', async () => {
  const r = await runs.startup;
  assert.equal(r.code, 0, r.stderr);
  const done = r.events.find((e) => e.event === 'done');
  assert.ok(done.gcs > 50);
  assert.deepEqual(r.events.filter((e) => e.event === 'leak'), []);
  rmSync(dir, { recursive: true, force: true });
});
