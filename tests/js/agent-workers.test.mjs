// The agent in worker threads: loaded in a worker only, or in the main thread and in workers.
// Each isolate gets its own events on its own loop; nothing aborts; exit is clean (memwatch
// aborted here, heapdump segfaulted at exit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'agent-workers.cjs');

function run(mode, workers, dir = '') {
  const r = spawnSync(process.execPath, [fixture, mode, String(workers), dir], { encoding: 'utf8', timeout: 30000 });
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { status: r.status, signal: r.signal, stderr: r.stderr, lines };
}

function check_worker_results(res, workers) {
  assert.equal(res.signal, null, `killed by ${res.signal}: ${res.stderr}`);
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.lines.filter((l) => l.error).length, 0, JSON.stringify(res.lines));
  const results = res.lines.filter((l) => l.stats);
  assert.equal(results.length, workers);
  for (const r of results) {
    // Own counters from 1, own events: four gc() calls -> four stats events, numbered 1..4.
    assert.deepEqual(r.stats, [1, 2, 3, 4]);
    assert.equal(r.counters, 4);
    assert.equal(r.agent_thread, r.thread);
  }
  assert.deepEqual(res.lines.filter((l) => 'exit' in l).map((l) => l.exit), Array(workers).fill(0));
}

test('loaded in workers only: own events per worker, clean exit', () => {
  check_worker_results(run('worker-only', 3), 3);
});

test('loaded in the main thread and in workers: each isolate sees only its own GCs', () => {
  const res = run('main-and-workers', 3);
  check_worker_results(res, 3);
  const main = res.lines.find((l) => l.main_stats);
  assert.ok(main, JSON.stringify(res.lines));
  // The main thread ran two gc() calls; the workers' twelve never reach its counters.
  assert.ok(main.main_counters >= 2 && main.main_counters < 6, `main counted ${main.main_counters}`);
  assert.deepEqual(main.main_stats, Array.from({ length: main.main_stats.length }, (_, i) => i + 1));
});

test('workers terminated during a GC storm: nothing aborts', () => {
  for (let round = 0; round < 3; round++) {
    const res = run('terminate', 3);
    assert.equal(res.signal, null, `killed by ${res.signal}: ${res.stderr}`);
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.lines.filter((l) => 'exit' in l).length, 3);
  }
});

test('a snapshot written in a worker, then the worker exits cleanly', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-w-'));
  try {
    const res = run('snapshot-exit', 2, dir);
    check_worker_results(res, 2);
    for (const r of res.lines.filter((l) => l.stats)) {
      assert.ok(r.snapshot && statSync(r.snapshot).size > 100000, JSON.stringify(r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
