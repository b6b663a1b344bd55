#!/usr/bin/env node
// `leakscope core --pid` side by side with v8.writeHeapSnapshot() on the same process with a ~1 GB
// JS heap (bench/core-target.js), and the census against `leakscope summary --shallow-only` on a
// snapshot of the same heap. Per run, in a fresh target: the live dump's pause and census time
// and the target's peak RSS during it; the snapshot's pause and the target's peak RSS during it;
// `leakscope core` on the saved dump and `leakscope summary --shallow-only` on the snapshot, timed
// with /usr/bin/time -v. Prints a Markdown table of medians and every run; files stay in --cache.
//
// Usage: node bench/core-bench.mjs [--runs 3] [--heap-mb 1024] [--node PATH] [--leakscope BIN]
//                                  [--cache DIR] [--keep]
// The target's peak RSS is its VmHWM, reset before each side with `echo 5 > /proc/PID/clear_refs`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { optionReader, repoRoot } from './lib/options.mjs';

const repo = repoRoot;
const args = process.argv.slice(2);
const opt = optionReader(args);
const runs = Number(opt('--runs', '3'));
const heapMb = Number(opt('--heap-mb', '1024'));
const nodeBin = opt('--node', process.execPath);
const bin = resolve(opt('--leakscope', process.env.LEAKSCOPE_BIN || join(repo, 'build', 'release', 'leakscope')));
const cache = opt('--cache', existsSync('/work/cache') ? '/work/cache/core-bench' : '/tmp/core-bench');
mkdirSync(cache, { recursive: true });
if (!existsSync(bin)) throw new Error(`no leakscope binary at ${bin}`);
if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is needed (apt-get install time)');

const status = (pid, field) => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};
const resetPeak = (pid) => writeFileSync(`/proc/${pid}/clear_refs`, '5');

function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}\n${r.stderr.slice(-2000)}`);
  const field = (name) => new RegExp(`${name}: (.*)`).exec(r.stderr)?.[1] ?? '';
  const [h, m, s] = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').reverse().concat([0, 0]);
  return {
    stdout: r.stdout,
    wall: Number(h) + 60 * Number(m) + 3600 * Number(s),
    cpu: Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)')),
    maxRss: Number(field('Maximum resident set size \\(kbytes\\)')) * 1024,
  };
}

function startTarget() {
  const child = spawn(nodeBin, ['--expose-gc', '--max-old-space-size=16384', join(repo, 'bench', 'core-target.js')],
                      { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, HEAP_MB: String(heapMb) } });
  let out = '';
  const waiters = [];
  child.stdout.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (re) => new Promise((ok, fail) => {
    const check = () => {
      const m = re.exec(out);
      if (m) ok(m);
      else if (child.exitCode !== null) fail(new Error(`target exited ${child.exitCode}`));
      else waiters.push(check);
    };
    check();
  });
  return { child, waitFor };
}

async function oneRun(i) {
  const { child, waitFor } = startTarget();
  try {
    const ready = await waitFor(/ready (\d+) records heapUsed (\d+)/);
    const r = { records: Number(ready[1]), heapUsed: Number(ready[2]), rssBefore: status(child.pid, 'VmRSS') };
    const dump = join(cache, 'target.core');
    resetPeak(child.pid);
    const core = timed([bin, 'core', '--pid', String(child.pid), '--json', '--top', '0', '--save', dump]);
    const live = JSON.parse(core.stdout);
    Object.assign(r, {
      stopped: live.live.stopped_seconds, dumpSeconds: live.live.dump_seconds,
      liveCensus: live.census_seconds, coreWall: core.wall, coreMaxRss: core.maxRss,
      targetPeakCore: status(child.pid, 'VmHWM'), dumpSize: statSync(dump).size,
      objects: live.object_count,
    });
    const offline = timed([bin, 'core', dump, '--json', '--top', '0']);
    Object.assign(r, { offlineWall: offline.wall, offlineCpu: offline.cpu, offlineMaxRss: offline.maxRss,
                       offlineCensus: JSON.parse(offline.stdout).census_seconds });
    rmSync(dump, { force: true });

    const snap = join(cache, 'target.heapsnapshot');
    resetPeak(child.pid);
    child.stdin.write(`snapshot ${snap}\n`);
    const wrote = await waitFor(/wrote \S+ (\d+)/);
    Object.assign(r, { snapshotPause: Number(wrote[1]) / 1000, targetPeakSnapshot: status(child.pid, 'VmHWM'),
                       snapshotSize: statSync(snap).size });
    const summary = timed([bin, 'summary', snap, '--shallow-only', '--top', '10']);
    Object.assign(r, { summaryWall: summary.wall, summaryCpu: summary.cpu, summaryMaxRss: summary.maxRss });
    if (!args.includes('--keep')) rmSync(snap, { force: true });
    console.error(`run ${i + 1}: ${JSON.stringify(r)}`);
    return r;
  } finally {
    child.kill('SIGKILL');
  }
}

const before = loadavg().map((x) => x.toFixed(2)).join(' ');
const results = [];
for (let i = 0; i < runs; i++) results.push(await oneRun(i));
writeFileSync(join(cache, 'results.json'), JSON.stringify(results, null, 1));
const median = (k) => {
  const v = results.map((r) => r[k]).sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
const gb = (b) => `${(b / 1e9).toFixed(2)} GB`;
const s = (x) => `${x.toFixed(2)} s`;
const nodeVersion = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
const lines = [
  `Date: ${new Date().toISOString()}  `,
  `Machine: ${cpus().length} CPUs, ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${before} before, ${loadavg().map((x) => x.toFixed(2)).join(' ')} after  `,
  `Command: \`node bench/core-bench.mjs --runs ${runs} --heap-mb ${heapMb}\` (Node ${nodeVersion}; medians of ${runs} fresh targets)  `,
  `Target: ${results[0].records.toLocaleString('en')} Records, heapUsed ${mb(median('heapUsed'))}, RSS ${mb(median('rssBefore'))} before either side`,
  '',
  '| | target paused | target peak RSS (VmHWM) | tool wall | tool CPU | tool peak RSS | output |',
  '|---|---|---|---|---|---|---|',
  `| \`leakscope core --pid\` (dump + census, --save) | ${s(median('stopped'))} | ${gb(median('targetPeakCore'))} | ${s(median('coreWall'))} (census ${s(median('liveCensus'))}) | – | ${gb(median('coreMaxRss'))} | ${gb(median('dumpSize'))} core |`,
  `| \`v8.writeHeapSnapshot()\` in the target | ${s(median('snapshotPause'))} | ${gb(median('targetPeakSnapshot'))} | – | – | – | ${gb(median('snapshotSize'))} snapshot |`,
  `| \`leakscope core FILE\` on the saved dump | – | – | ${s(median('offlineWall'))} (census ${s(median('offlineCensus'))}) | ${s(median('offlineCpu'))} | ${gb(median('offlineMaxRss'))} | – |`,
  `| \`leakscope summary --shallow-only\` on the snapshot | – | – | ${s(median('summaryWall'))} | ${s(median('summaryCpu'))} | ${gb(median('summaryMaxRss'))} | – |`,
  '',
  'All runs:',
  '',
  ...results.map((r, i) => `- run ${i + 1}: paused ${s(r.stopped)} (core) / ${s(r.snapshotPause)} (snapshot); target peak ${gb(r.targetPeakCore)} / ${gb(r.targetPeakSnapshot)}; core census ${s(r.liveCensus)} live, ${s(r.offlineWall)} wall offline; summary --shallow-only ${s(r.summaryWall)} wall`),
];
console.log(lines.join('\n'));
