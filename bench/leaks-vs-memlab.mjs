#!/usr/bin/env node
// `leakscope leaks` against `memlab find-leaks` on the same three snapshots, side by side in one
// run: wall time and peak RSS (from /usr/bin/time -v) per run, the median of each, and the ratios.
// Writes a Markdown table on stdout.
//
//   node bench/leaks-vs-memlab.mjs S1 S2 S3 [--runs N] [--memlab-runs M]
// The three files must come from one process (e.g. /work/shared/research/gen/three-snapshots.js).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return Number(v);
};
const runs = opt('--runs', 5);
const memlabRuns = opt('--memlab-runs', 3);
const [s1, s2, s3] = args;
if (!s3) {
  console.error('usage: node bench/leaks-vs-memlab.mjs S1 S2 S3 [--runs N] [--memlab-runs M]');
  process.exit(2);
}
const bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const memlab = 'node_modules/.bin/memlab';

function timed(cmd, argv) {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (!wall || !rss) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { seconds, rssMB: Number(rss[1]) / 1024, status: r.status, stdout: r.stdout,
           stderr: r.stderr, load: loadavg()[0] };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = { leakscope: [], memlab: [] };
let verdict = '';
for (let i = 0; i < runs; i++) {
  const r = timed(bin, ['leaks', s1, s2, s3]);
  verdict = r.stdout.split('\n')[0];
  results.leakscope.push(r);
  console.error(`leakscope run ${i + 1}: ${r.seconds.toFixed(2)} s, ${r.rssMB.toFixed(0)} MB (load ${r.load.toFixed(1)})`);
}
let memlabSummary = '';
for (let i = 0; i < memlabRuns; i++) {
  const work = mkdtempSync(path.join(tmpdir(), 'memlab-work-'));
  try {
    const r = timed(memlab, ['find-leaks', '--baseline', s1, '--target', s2, '--final', s3,
                             '--trace-all-objects', '--work-dir', work]);
    memlabSummary = (/MemLab found \d+ leak\(s\)/.exec(r.stdout + r.stderr) ?? [''])[0];
    results.memlab.push(r);
    console.error(`memlab run ${i + 1}: ${r.seconds.toFixed(2)} s, ${r.rssMB.toFixed(0)} MB (load ${r.load.toFixed(1)})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const row = (name, rs) => {
  const w = median(rs.map((r) => r.seconds));
  const m = median(rs.map((r) => r.rssMB));
  return { name, w, m, all: rs.map((r) => `${r.seconds.toFixed(2)}`).join(', '),
           loads: rs.map((r) => r.load.toFixed(1)).join(', ') };
};
const a = row('leakscope leaks', results.leakscope);
const b = row('memlab find-leaks --trace-all-objects', results.memlab);
const mb = (f) => (statSync(f).size / 1e6).toFixed(1);
console.log(`| tool | runs | median wall | median peak RSS | all walls (s) | 1-min load at each run |`);
console.log(`|---|---|---|---|---|---|`);
for (const r of [a, b]) {
  console.log(`| ${r.name} | ${r.name.startsWith('memlab') ? results.memlab.length : results.leakscope.length} | ${r.w.toFixed(2)} s | ${r.m.toFixed(0)} MB | ${r.all} | ${r.loads} |`);
}
console.log('');
console.log(`Ratio (memlab / leakscope): wall ${(b.w / a.w).toFixed(1)}x, peak RSS ${(b.m / a.m).toFixed(1)}x.`);
console.log(`Files: ${mb(s1)} / ${mb(s2)} / ${mb(s3)} MB; machine: ${cpus().length} cores (${cpus()[0].model}).`);
console.log(`leakscope verdict: ${verdict}`);
console.log(`memlab: ${memlabSummary}`);
