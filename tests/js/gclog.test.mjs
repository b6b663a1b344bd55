// `leakscope gclog` on real --trace-gc output written by the node on this machine at test time:
// a JS-heap leak must come out "growing", a steady heap "stable", an OOM crash must be reported,
// and lines that are not GC lines must be counted, never fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-gclog-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function traceGc(script, extra = []) {
  const r = spawnSync('node', ['--trace-gc', '--expose-gc', ...extra, '-e', script], {
    encoding: 'utf8', maxBuffer: 64 << 20,
  });
  return { log: r.stdout + r.stderr, status: r.status };
}

function gclog(file, args = []) {
  const r = spawnSync(BIN, ['gclog', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return r;
}

// A leak that keeps ~1.5 MB per round, with gc() between rounds so each round has a full GC.
const leakScript = `
  const keep = [];
  for (let r = 0; r < 40; r++) {
    for (let i = 0; i < 10000; i++) keep.push({ r, i, s: 'leak-' + r + '-' + i });
    for (let i = 0; i < 20000; i++) JSON.parse('{"a":' + i + '}');
    gc();
  }
  console.log('app output: kept', keep.length);`;

const steadyScript = `
  const ring = new Array(5000);
  for (let r = 0; r < 40; r++) {
    for (let i = 0; i < 20000; i++) ring[i % 5000] = { r, i, s: 'x' + i };
    gc();
  }
  console.log('app output: done');`;

test('a growing heap after full GC is a JS-heap leak, with the numbers', () => {
  const { log } = traceGc(leakScript);
  const file = path.join(dir, 'leak.log');
  writeFileSync(file, log);
  const r = gclog(file, ['--min-duration', '0.2', '--json']);
  assert.equal(r.status, 1, r.stderr);  // 1: a leak was found
  const j = JSON.parse(r.stdout);
  assert.equal(j.trend.verdict, 'growing');
  assert.equal(j.trend.series, 'heap_after_full_gc');
  assert.ok(j.trend.ci95_low_per_hour > 0);
  assert.ok(j.gcs_by_kind['Mark-Compact'].count >= 40);
  assert.ok(j.full_gcs.length >= 40);
  assert.ok(j.full_gcs.at(-1).after_bytes > j.full_gcs[0].after_bytes + 20e6);
  assert.equal(j.lines.unknown, 1);  // the app's own line
  assert.match(j.lines.unknown_samples[0].text, /app output/);
  assert.ok(j.pauses.p99_ms >= j.pauses.p50_ms);
  assert.ok(j.pauses.gc_time_percent > 0 && j.pauses.gc_time_percent < 100);

  const text = gclog(file, ['--min-duration', '0.2']);
  assert.equal(text.status, 1);
  const first = text.stdout.split('\n')[0];
  assert.match(first, /^Heap after full GC grows [\d.]+ [kMG]?B\/h \(95 % CI [-\d.]+ to [\d.]+\) over .*: likely a JS-heap leak$/);
  assert.match(text.stdout, /leakscope leaks s1 s2 s3/);
});

test('a steady heap is stable', () => {
  const { log } = traceGc(steadyScript);
  const file = path.join(dir, 'steady.log');
  writeFileSync(file, log);
  const r = gclog(file, ['--min-duration', '0.05', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.trend.verdict, 'stable');
});

test('a short log is inconclusive and says how long to log', () => {
  const file = path.join(dir, 'leak-short.log');
  writeFileSync(file, traceGc(leakScript).log);
  const r = gclog(file);  // default --min-duration 60 s
  assert.equal(r.status, 0);
  assert.match(r.stdout.split('\n')[0], /^Inconclusive: .*log at least 1 m \d+ s/);
});

test('an OOM crash: the fatal error and the "Last few GCs" ring are read', () => {
  const script = `const a = []; for (;;) a.push({ s: 'x'.repeat(64) + a.length });`;
  const { log, status } = traceGc(script, ['--max-old-space-size=24']);
  assert.notEqual(status, 0);
  const file = path.join(dir, 'oom.log');
  writeFileSync(file, log);
  const r = gclog(file, ['--json', '--min-duration', '0.1']);
  const j = JSON.parse(r.stdout);
  assert.equal(j.oom.happened, true);
  assert.match(j.oom.fatal_error, /heap out of memory|heap limit/);
  assert.ok(j.oom.ring_entries >= 1);
  const text = gclog(file, ['--min-duration', '0.1']);
  assert.match(text.stdout, /The process ran out of memory: /);
});

test('--csv has one row per GC; garbage input never crashes', () => {
  const file = path.join(dir, 'leak-csv.log');
  const { log } = traceGc(leakScript);
  writeFileSync(file, log);
  const gcLines = log.split('\n').filter((l) => / ms: (Scavenge|Mark-Compact|Minor)/.test(l)).length;
  const r = gclog(file, ['--csv']);
  const rows = r.stdout.trim().split('\n');
  assert.match(rows[0], /^pid,isolate,t_s,kind,/);
  assert.equal(rows.length - 1, gcLines);

  const junk = path.join(dir, 'junk.log');
  writeFileSync(junk, Buffer.from([0, 1, 2, 0xff, 10, 91, 49, 58, 48, 120, 93, 32, 32, 53, 32, 109, 115, 58, 32]));
  const bad = gclog(junk);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^leakscope: .*junk\.log: no --trace-gc lines found/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);

  const missing = gclog(path.join(dir, 'nope.log'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.log: No such file/);
});

test('standard input works', () => {
  const { log } = traceGc(leakScript);
  const r = spawnSync(BIN, ['gclog', '-', '--json', '--min-duration', '0.2'], { input: log, encoding: 'utf8' });
  assert.equal(JSON.parse(r.stdout).trend.verdict, 'growing');
});
