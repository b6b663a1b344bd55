#!/usr/bin/env node
// Benchmarks the full retention pipeline (load, re-attribution, dominators, retained sizes,
// distances, census with retained sizes) against the DevTools model (heap-snapshot-toolkit) and
// memlab, side by side on the same file, and writes bench/RESULTS-dominators.md.
//
// Usage: node bench/bench-dominators.mjs [SNAPSHOT] [--runs N] [--peer-runs N (0: no peers)] [--no-memlab]
//        [--bin build/release/leakscope] [--out bench/RESULTS-dominators.md]
// Default snapshot: /work/cache/medium.heapsnapshot (node --max-old-space-size=8000
// /work/shared/research/gen/leaky-heap.js 145000 /work/cache/medium.heapsnapshot).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { optionReader } from './lib/options.mjs';

const args = process.argv.slice(2);
const opt = optionReader(args);
const valued = new Set(['--runs', '--peer-runs', '--bin', '--out']);
const snapshot = args.find((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]))
  ?? '/work/cache/medium.heapsnapshot';
const runs = Number(opt('--runs', 3));
const peerRuns = Number(opt('--peer-runs', 1));
const bin = opt('--bin', 'build/release/leakscope');
const out = opt('--out', 'bench/RESULTS-dominators.md');
const withMemlab = !args.includes('--no-memlab');
if (!existsSync(snapshot)) {
  console.error(`bench-dominators: ${snapshot}: no such file`);
  process.exit(2);
}

// Runs a command under GNU time; returns wall seconds, max RSS bytes and stdout.
function timed(cmd, cmdArgs, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...cmdArgs], {
    encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...env },
  });
  const lines = r.stderr.trim().split('\n');
  const [wall, kb] = lines.at(-1).split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  return { wall, rss: kb * 1024, stdout: r.stdout };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtS = (s) => `${s.toFixed(2)} s`;
const fmtMB = (b) => `${(b / 1e6).toFixed(0)} MB`;

const results = {};
function measure(name, n, fn) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    samples.push(fn());
    process.stderr.write(`${name}: run ${i + 1}/${n}: ${fmtS(samples.at(-1).wall)}, ${fmtMB(samples.at(-1).rss)}\n`);
  }
  results[name] = {
    wall: median(samples.map((s) => s.wall)),
    rss: median(samples.map((s) => s.rss)),
    samples,
  };
  return results[name];
}

const load0 = loadavg();
measure('leakscope summary (full pipeline)', runs, () => timed(bin, ['summary', snapshot, '--json']));
measure('leakscope summary --shallow-only', runs, () => timed(bin, ['summary', snapshot, '--shallow-only', '--json']));
const phases = measure('leakscope dump-analysis (phases)', runs, () => timed(bin, ['dump-analysis', snapshot]));
const phaseSeconds = phases.samples.map((s) => JSON.parse(s.stdout).seconds);
const phaseMedian = Object.fromEntries(Object.keys(phaseSeconds[0]).map((k) => [k, median(phaseSeconds.map((p) => p[k]))]));

if (peerRuns > 0) {
  measure('DevTools model (heap-snapshot-toolkit 1.1.3)', peerRuns, () =>
    timed(process.execPath, ['--max-old-space-size=20000', 'bench/toolkit-summary.mjs', snapshot]));
}
if (withMemlab && peerRuns > 0) {
  const work = mkdtempSync(path.join(tmpdir(), 'memlab-'));
  try {
    measure('memlab 2.0.5 analyze object-size', peerRuns, () =>
      timed('node_modules/.bin/memlab', ['analyze', 'object-size', '--snapshot', snapshot, '--work-dir', work]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
const load1 = loadavg();

const ours = results['leakscope summary (full pipeline)'];
const lines = [];
lines.push('# Retention pipeline benchmark (dominators, retained sizes, distances)', '');
lines.push(`- Date: ${new Date().toISOString()}`);
lines.push(`- Machine: ${cpus().length} × ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; load average ${load0[0].toFixed(2)} before, ${load1[0].toFixed(2)} after (the machine is shared: treat timings as ±30 %)`);
lines.push(`- Snapshot: \`${snapshot}\` (${(statSync(snapshot).size / 1e6).toFixed(1)} MB)`);
lines.push(`- Command: \`node bench/bench-dominators.mjs ${args.join(' ')}\` (${runs} runs of leakscope, ${peerRuns} of each peer; medians; wall clock and max RSS from GNU time)`, '');
lines.push('| what | wall (median) | peak RSS | vs leakscope full pipeline |', '|---|---|---|---|');
for (const [name, r] of Object.entries(results)) {
  const ratio = r === ours ? '1×' : `${(r.wall / ours.wall).toFixed(1)}× the time, ${(r.rss / ours.rss).toFixed(1)}× the memory`;
  lines.push(`| ${name} | ${fmtS(r.wall)} | ${fmtMB(r.rss)} | ${ratio} |`);
}
lines.push('', 'leakscope phases (medians of `dump-analysis`; distances run on the second core at the same time as essential edges + dominators, so they overlap):', '');
lines.push('| phase | seconds |', '|---|---|');
for (const [k, v] of Object.entries(phaseMedian)) lines.push(`| ${k} | ${v.toFixed(3)} |`);
lines.push('');
writeFileSync(out, lines.join('\n'));
console.log(lines.join('\n'));
