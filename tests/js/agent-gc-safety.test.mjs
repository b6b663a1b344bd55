// leakscope.gc() never takes the process down. It used to decide from `typeof globalThis.gc`
// whether V8's --expose-gc flag was on and to toggle that process-wide flag around the call:
// a fake gc global, or a worker started while another thread had the flag on, made V8 abort
// (exit 134, "Must use --expose-gc"). Each scenario runs many times: the worker one is a race.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'agent-gc-safety.cjs');
const kRuns = 20;

function run(node_args, args) {
  const r = spawnSync(process.execPath, [...node_args, fixture, ...args], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-2000)}`);
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr.slice(-2000)}`);
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(lines.length, 1, r.stdout);
  return lines[0];
}

test('a gc global that is not V8\'s: gc() runs one full GC and does not call it', () => {
  for (let i = 0; i < kRuns; i++) {
    const r = run([], ['fake-gc']);
    assert.equal(r.full, 1);
    assert.equal(r.fake_called, 0);
    assert.equal(r.exposed_elsewhere, false, 'leakscope.gc() must not expose gc to new contexts');
  }
});

test('workers started while the main thread runs gc(): no gc global, no abort', () => {
  for (let i = 0; i < kRuns; i++) {
    const r = run([], ['race', '4', '20']);
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.results, 4);
    assert.equal(r.all_full, true);
    assert.equal(r.saw_gc, 0, 'no worker may get a gc global from leakscope.gc()');
    assert.equal(r.exposed_elsewhere, false);
  }
});

// Each run starts 40 workers: on a loaded machine one run takes seconds, so the loop stops at
// the time budget (at least 3 runs).
test('40 workers x 20 gc() calls without --expose-gc: no abort, every call one full GC', () => {
  const budget_end = Date.now() + 60000;
  for (let i = 0; i < kRuns && (i < 3 || Date.now() < budget_end); i++) {
    const r = run([], ['workers', '40', '20']);
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.results, 40);
    assert.equal(r.all_full, true);
    assert.equal(r.exposed_elsewhere, false);
  }
});

test('with --expose-gc or --expose-gc-as: the user\'s own gc() still works after leakscope.gc()', () => {
  for (let i = 0; i < kRuns; i++) {
    const [node_args, args] = i % 2 ? [['--expose-gc-as=collect'], ['user-gc', 'collect']] : [['--expose-gc'], ['user-gc']];
    const r = run(node_args, args);
    assert.equal(r.full, 3);
    assert.equal(r.worker_gc, 'function');
    assert.equal(r.exposed_elsewhere, true);
  }
});

// V8 names its gc function once for the process; a worker's execArgv may say nothing about it.
function gc_in_worker(node_args, worker_exec_argv) {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const code = `const { Worker } = require('worker_threads');
    const main = require(${JSON.stringify(root)});
    const main_full = main.gc().num_full_gc;
    const w = new Worker(\`const { parentPort } = require('worker_threads');
      const ls = require(${JSON.stringify(root)});
      let out;
      try { const a = ls.gc(); const b = ls.gc(); out = { full: b.num_full_gc - a.num_full_gc, argv: process.execArgv }; }
      catch (e) { out = { error: e.message, argv: process.execArgv }; }
      parentPort.postMessage(out);\`, { eval: true, execArgv: ${JSON.stringify(worker_exec_argv)} });
    w.on('message', (m) => console.log(JSON.stringify({ main_full, ...m })));`;
  const r = spawnSync(process.execPath, [...node_args, '-e', code], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-2000)}`);
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout);
}

test('--expose-gc-as=NAME in the process, a worker with execArgv: []: gc() still finds V8\'s function', () => {
  for (const [node_args, exec_argv] of [[['--expose-gc-as=mygc'], []], [['--expose-gc-as=mygc'], undefined],
                                        [['--expose-gc-as=mygc', '--expose-externalize-string'], []],
                                        // Every other V8 extension on too (a wrong pick would abort).
                                        [['--expose-gc-as=mygc', '--expose-externalize-string', '--expose-statistics',
                                          '--expose-trigger-failure', '--expose-ignition-statistics'], []],
                                        [['--expose-gc-as='], []], [['--expose-gc-as='], undefined]]) {
    const r = gc_in_worker(node_args, exec_argv);
    assert.equal(r.error, undefined, `${node_args} / ${JSON.stringify(exec_argv)}: ${r.error}`);
    assert.equal(r.full, 1, `${node_args}`);
    assert.ok(r.main_full >= 1);
  }
});
