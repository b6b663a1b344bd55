// `leakscope run -- node app.js` on real apps: a JS-heap leak in an HTTP server driven by its load
// generator (the verdict, three snapshots spaced by the growth, the culprit class and its holder),
// an external-memory leak (named, and no snapshot taken), a control (no leak in the bounded time),
// Ctrl-C, --keep-running and a command that is not node. Every app started must be gone afterwards
// (its whole process group) unless --keep-running. About a minute and a half in all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { leakscopeAsync, scratchDir } from './lib/harness.mjs';

// Short runs need short windows: sample every 0.25 s and judge a window of a few seconds.
const FAST = ['--interval', '0.25', '--quiet'];

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Runs `leakscope run ARGS`; resolves when leakscope exits (not when every pipe closes: with
// --keep-running the app still holds our stderr). `onStart` gets the child process.
function run(args, { timeout = 120000, onStart } = {}) {
  return leakscopeAsync(['run', ...args], { timeout, onStart });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is gone for our purpose.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

// Live processes still in the process group leakscope made for the app (its PID).
function groupMembers(pgid) {
  const members = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;  // gone meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(name));
  }
  return members;
}

function runJson(dir) {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
}

function snapshotFiles(dir) {
  return readdirSync(dir).filter((f) => f.includes('.heapsnapshot'));
}

// The data the run's HTML report carries (the page's inert JSON block).
function reportData(dir) {
  const page = readFileSync(join(dir, 'leakscope-report.html'), 'utf8');
  const m = page.match(/<script type="application\/json" id="leakscope-data">([^<]*)<\/script>/);
  assert.ok(m, 'no data block in leakscope-report.html');
  return JSON.parse(m[1]);
}

test('JS-heap leak in an HTTP server: called early, three snapshots, the culprit and its holder', async () => {
  const dir = scratchDir('run-js');
  const r = await run([...FAST, '--min-duration', '8', '--max-duration', '60', '--max-gap', '6', '--out', dir,
    '--', 'node', 'examples/leaky-server.js', '--load', '--rps', '300']);
  assert.equal(r.status, 1, r.stderr);
  const j = runJson(dir);
  assert.equal(j.verdict, 'js-heap', j.watch.headline);
  assert.equal(j.decided_during_run, true);
  assert.equal(j.watch.verdict, 'js-heap');
  // Decided before --max-duration, on the trend rules (early or over the full window).
  assert.ok(j.decided_at_s < 60, `decided at ${j.decided_at_s}`);
  assert.ok(['early', 'full-window'].includes(j.watch.basis), j.watch.basis);
  // Three snapshots, in the order taken, each written while the heap grew.
  assert.equal(j.snapshots.length, 3, JSON.stringify(j.snapshots));
  assert.deepEqual(snapshotFiles(dir).sort(), j.snapshots.map((s) => s.file.split('/').pop()).sort());
  for (let k = 1; k < 3; k++) {
    assert.ok(j.snapshots[k].t_s > j.snapshots[k - 1].t_s);
    assert.ok(j.snapshots[k].heap_after_gc > j.snapshots[k - 1].heap_after_gc, JSON.stringify(j.snapshots));
  }
  // The leak finder's verdict: RequestContext objects held by the auditTrail Map.
  assert.equal(j.leaks.leak, true);
  const top = j.leaks.leaks[0];
  assert.equal(top.class, 'RequestContext', j.leaks.verdict);
  assert.equal(top.holder.class, 'Map');
  assert.match(top.holder.accessor, /auditTrail$/);
  assert.match(top.location.script, /leaky-server\.js$/);
  assert.ok(top.bytes_per_hour > 0);
  // The text: the watch's verdict, the snapshots, then what `leaks` prints.
  assert.match(r.stdout, /^JS-heap leak: JS heap after (full )?GC grows /);
  assert.match(r.stdout, /^Snapshots: 3 taken at /m);
  assert.match(r.stdout, /^Leak: RequestContext, \+[\d,]+ objects .* held by .*auditTrail/m);
  assert.match(r.stdout, /leaky-server\.js:\d+:\d+/);
  assert.match(r.stderr, /run: taking 3 heap snapshots, spaced by the heap's growth/);
  assert.match(r.stderr, /run: .*snapshot 3\/3 written in/);
  // The report to share, made from the same documents: the leak and the memory series.
  assert.match(r.stderr, /run: wrote .*leakscope-report\.html/);
  const page = reportData(dir);
  assert.equal(page.leaks.leaks[0].class, 'RequestContext');
  assert.match(page.leaks.leaks[0].holder.accessor, /auditTrail$/);
  assert.equal(page.watch.verdict, 'js-heap');
  assert.ok(page.watch.samples, 'the watch document carries its samples for the charts');
  // The app and the load generator it forked are gone.
  assert.equal(alive(j.pid), false);
  assert.deepEqual(groupMembers(j.pid), []);
});

test('external-memory leak: named with the series that grew, and no heap snapshot taken', async () => {
  const dir = scratchDir('run-ext');
  const r = await run([...FAST, '--min-duration', '6', '--max-duration', '40', '--out', dir,
    '--', 'node', 'examples/external-buffer-leak.js', '--seconds', '60']);
  assert.equal(r.status, 1, r.stderr);
  const j = runJson(dir);
  assert.equal(j.verdict, 'external', j.watch.headline);
  assert.ok(j.elapsed_s < 40, `${j.elapsed_s}`);
  assert.deepEqual(j.snapshots, []);
  assert.equal(j.leaks, null);
  assert.deepEqual(snapshotFiles(dir), []);
  assert.match(r.stdout, /^External memory leak: /);
  assert.match(r.stdout, /^No heap snapshot was taken: this growth is outside the JS heap/m);
  assert.match(r.stdout, /^\s+external \(incl\. ArrayBuffers\)\s.*growing/m);
  assert.doesNotMatch(r.stderr, /snapshot 1\//);
  const page = reportData(dir);
  assert.equal(page.leaks, null);
  assert.equal(page.watch.verdict, 'external');
  assert.equal(alive(j.pid), false);
});

test('run --native: a native leak named by its allocation stack, in the text, run.json and the report', async () => {
  const dir = scratchDir('run-native');
  const r = await run([...FAST, '--native', '--min-duration', '8', '--max-duration', '40', '--out', dir,
    '--', 'node', 'examples/native-zlib-leak.js', '--seconds', '60']);
  assert.equal(r.status, 1, r.stderr);
  const j = runJson(dir);
  // zlib streams also hold some external memory, so which of the two is called first varies.
  assert.ok(['native', 'external'].includes(j.verdict), j.watch.headline);
  assert.deepEqual(j.snapshots, []);
  // It waits for the sampler's full window (--min-duration after the warm-up) before it ends.
  assert.ok(j.elapsed_s >= 8, `${j.elapsed_s}`);
  const sites = j.watch.native.sites;
  const zlib = sites.find((x) => x.frames.some((f) => /deflateInit2_/.test(f.name)));
  assert.ok(zlib && zlib.leaking, JSON.stringify(sites.slice(0, 3).map((x) => [x.verdict, x.summary])));
  assert.equal(zlib.threadpool, true);
  assert.match(r.stdout, /^Growing native allocation sites, fastest first/m);
  assert.match(r.stdout, /^ {2}\d+\. \+[\d.]+ [kMG]B\/h live .* deflateInit2_/m);
  assert.deepEqual(reportData(dir).watch.native.sites.map((x) => x.summary), sites.map((x) => x.summary));
  assert.equal(alive(j.pid), false);
});

test('control: a steady app is "No leak found" when --max-duration runs out', async () => {
  const dir = scratchDir('run-ctl');
  const r = await run([...FAST, '--min-duration', '6', '--max-duration', '15', '--out', dir,
    '--', 'node', 'examples/steady-churn.js', '--seconds', '60']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^No leak found in 1\d s\.\n/);
  assert.match(r.stdout, /^(No leak: memory is stable|Inconclusive after)/m);
  const j = runJson(dir);
  assert.ok(['none', 'inconclusive'].includes(j.verdict), j.watch.headline);
  assert.equal(j.decided_during_run, false);
  assert.equal(j.ended, 'duration');
  assert.deepEqual(j.snapshots, []);
  assert.deepEqual(snapshotFiles(dir), []);
  // Progress lines on stderr while it watched.
  assert.match(r.stderr, /^run: +\S+ s +heap after GC +\S+ [kMG]?B +RSS .* watching: /m);
  assert.equal(alive(j.pid), false);
});

test('Ctrl-C stops the app and still reports what there is (exit 130)', async () => {
  const dir = scratchDir('run-int');
  const r = await run([...FAST, '--min-duration', '6', '--max-duration', '60', '--out', dir,
    '--', 'node', 'examples/steady-churn.js', '--seconds', '60'], {
    onStart: (child) => setTimeout(() => child.kill('SIGINT'), 4000),
  });
  assert.equal(r.status, 130, r.stderr);
  assert.match(r.stdout, /^No leak found in [\d.]+ s \(interrupted\)\./);
  const j = runJson(dir);
  assert.equal(j.ended, 'interrupted');
  assert.equal(j.exit_code, 130);
  assert.ok(j.elapsed_s < 10, `${j.elapsed_s}`);
  assert.equal(alive(j.pid), false);
});

test('Ctrl-C while the app writes a snapshot: no half file, the verdict so far, the app gone', async () => {
  const dir = scratchDir('run-int-snap');
  const r = await run([...FAST, '--min-duration', '8', '--max-duration', '60', '--out', dir,
    '--', 'node', 'examples/leaky-server.js', '--load'], {
    onStart: (child) => child.stderr.on('data', (d) => {
      if (/snapshot 2\/3 \(heap used/.test(d)) child.kill('SIGINT');
    }),
  });
  assert.equal(r.status, 130, r.stderr);
  const j = runJson(dir);
  assert.equal(j.verdict, 'js-heap');
  assert.equal(j.ended, 'interrupted');
  assert.equal(j.snapshots.length, 1);
  assert.equal(j.leaks, null);
  assert.deepEqual(snapshotFiles(dir), [j.snapshots[0].file.split('/').pop()]);
  assert.match(r.stdout, /^No heap snapshots to compare \(1 of 3 heap snapshots taken: interrupted\)/m);
  assert.equal(alive(j.pid), false);
  assert.deepEqual(groupMembers(j.pid), []);
});

test('--keep-running leaves the app running; --json prints run.json', async () => {
  const dir = scratchDir('run-keep');
  const r = await run([...FAST, '--keep-running', '--json', '--max-duration', '3', '--out', dir,
    '--', 'node', 'examples/steady-churn.js', '--seconds', '30']);
  assert.equal(r.status, 0, r.stderr);
  const j = runJson(dir);
  assert.deepEqual(JSON.parse(r.stdout), j);  // --json prints the document run.json holds
  assert.equal(j.app_left_running, true);
  try {
    assert.equal(alive(j.pid), true);
    assert.deepEqual(groupMembers(j.pid), [j.pid]);  // its own group (and the check sees groups)
    assert.match(r.stderr, new RegExp(`the app \\(PID ${j.pid}\\) is still running`));
    // It keeps running after we are gone (its output still has a reader).
    await sleep(1500);
    assert.equal(alive(j.pid), true);
  } finally {
    if (alive(j.pid)) process.kill(j.pid, 'SIGKILL');
  }
});

test('an app that fails on its own is no verdict: exit 2, said in one line', async () => {
  const dir = scratchDir('run-fail');
  const r = await run([...FAST, '--max-duration', '20', '--out', dir, '--', 'node', '-e', 'process.exit(3)']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^leakscope: run: the app ended by itself after [\d.]+ s \(exit code 3\)/m);
  assert.match(r.stdout, /^No leak found: the app ended by itself after [\d.]+ s \(exit code 3\)/);
  assert.equal(runJson(dir).exit_code, 2);
});

test('a command that is not node is refused in one line', async () => {
  const dir = scratchDir('run-bad');
  const r = await run(['--out', dir, '--', 'sleep', '5']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^leakscope: run: 'sleep' is not node/m);
  assert.equal(existsSync(join(dir, 'run.json')), false);
});
