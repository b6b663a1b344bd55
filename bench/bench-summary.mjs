#!/usr/bin/env node
// Side-by-side benchmark: `leakscope summary` against heap-snapshot-toolkit (Chrome DevTools'
// model) loading the same snapshots and computing the same Summary, in one run. Records the wall
// time (median of N runs) and peak RSS (/usr/bin/time -v) of each, and writes the table to
// bench/RESULTS.md with the machine, the commands and the date.
//
// Usage: node bench/bench-summary.mjs [--runs N] [--toolkit-runs N] [--toolkit-runs-1gb N] [--sizes 20mb,200mb[,1gb]] [--cache DIR]
//                                     [--leakscope BIN] [--no-toolkit] [--out FILE]
// Snapshots are cached in DIR (default /work/cache, else ~/.cache/leakscope/bench) and generated
// there with tests/fixtures/realistic-app.js when missing (the 1 GB one only if it already exists or
// --sizes names it: writing it takes ~6 GB of RAM and a minute). Never commit snapshots.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, homedir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { optionReader, repoRoot } from './lib/options.mjs';

const repo = repoRoot;
const args = process.argv.slice(2);
const opt = optionReader(args);
const runs = Number(opt('--runs', '3'));
// The DevTools side of a 1 GB file takes about a minute and 4 GB per run: allow fewer runs there.
const toolkitRuns = Number(opt('--toolkit-runs', String(runs)));
const toolkitRuns1gb = Number(opt('--toolkit-runs-1gb', '1'));
const cache = opt('--cache', existsSync('/work/cache') ? '/work/cache' : join(homedir(), '.cache', 'leakscope', 'bench'));
const leakscopeBin = resolve(opt('--leakscope', process.env.LEAKSCOPE_BIN || join(repo, 'build', 'release', 'leakscope')));
const outFile = opt('--out', join(repo, 'bench', 'RESULTS.md'));
// The other benchmarks keep their own files; RESULTS.md ends with an index of them and their
// headline figures, written by hand after those runs. A rerun of this benchmark keeps that part.
const kOtherMarker = '## Other benchmarks';
const kOtherResults = [
  kOtherMarker, '',
  '- `RESULTS-dominators.md`: dominators, retained sizes and distances against DevTools and memlab.',
  '- `RESULTS-leaks.md`: `leakscope leaks` against memlab on three snapshots.',
  '- `RESULTS-series.md`: `--trace-gc` log parsing and the watcher\'s sampling overhead.',
  '- `RESULTS-agent.md`: the agent\'s GC-hook overhead, and HeapDiff against V8 alone and @airbnb/node-memwatch.',
  '',
];
function other_results() {
  const old = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  const at = old.indexOf(kOtherMarker);
  return at < 0 ? kOtherResults : old.slice(at).split('\n');
}
const withToolkit = !args.includes('--no-toolkit');
const kSizes = {
  '20mb': { scale: 12000, file: 'bench-20mb.heapsnapshot', label: '~20 MB' },
  '200mb': { scale: 145000, file: 'bench-200mb.heapsnapshot', label: '~200 MB' },
  '1gb': { scale: 740000, file: 'large.heapsnapshot', label: '~1 GB' },
};
let sizes = opt('--sizes', null)?.split(',');
if (!sizes) {
  sizes = ['20mb', '200mb'];
  if (existsSync(join(cache, kSizes['1gb'].file))) sizes.push('1gb');
}
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
if (!existsSync(leakscopeBin)) throw new Error(`no leakscope binary at ${leakscopeBin} (build it first)`);
if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is needed for peak RSS (apt-get install time)');

const hasShallowOnly = spawnSync(leakscopeBin, ['summary', '--help'], { encoding: 'utf8' }).stdout.includes('--shallow-only');
const generatedNow = new Set();
function ensureSnapshot(size) {
  const s = kSizes[size];
  if (!s) throw new Error(`unknown size ${size}`);
  mkdirSync(cache, { recursive: true });
  const file = join(cache, s.file);
  generatedNow.add(file);
  if (existsSync(file)) generatedNow.delete(file);
  if (!existsSync(file)) {
    console.error(`generating ${file} (scale ${s.scale})...`);
    const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=16384', join(repo, 'tests', 'fixtures', 'realistic-app.js'),
                                           String(s.scale), file], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`realistic-app.js failed for ${size}`);
  }
  return file;
}

// One timed run under /usr/bin/time -v: wall seconds and peak RSS in bytes.
function timed(cmd, cmdArgs) {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...cmdArgs], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - started) / 1000;  // /usr/bin/time rounds to 10 ms
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const rss = r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  // CPU time is less disturbed than wall time when others share the machine.
  const user = Number(r.stderr.match(/User time \(seconds\): ([\d.]+)/)[1]);
  const sys = Number(r.stderr.match(/System time \(seconds\): ([\d.]+)/)[1]);
  return { seconds, cpu: user + sys, rss: Number(rss[1]) * 1024, stdout: r.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function measure(cmd, cmdArgs, n = runs) {
  const all = [];
  for (let i = 0; i < n; i++) all.push(timed(cmd, cmdArgs));
  return { seconds: median(all.map((r) => r.seconds)), cpu: median(all.map((r) => r.cpu)),
           rss: Math.max(...all.map((r) => r.rss)), runs: all };
}

const mb = (b) => (b / 1e6).toFixed(1) + ' MB';
const gb = (b) => (b >= 1e9 ? (b / 1e9).toFixed(2) + ' GB' : mb(b));
const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const results = [];
for (const size of sizes) {
  const file = ensureSnapshot(size);
  const bytes = statSync(file).size;
  // Warm the page cache once so both tools read from memory.
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] });
  // The census alone (issue 2's job) and the census with dominators, retained sizes and distances
  // (what DevTools' model computes too), when this leakscope has --shallow-only.
  const ls = measure(leakscopeBin, ['summary', file, '--top', '10']);
  const lsShallow = hasShallowOnly ? measure(leakscopeBin, ['summary', file, '--top', '10', '--shallow-only']) : null;
  let tk = null;
  if (withToolkit) {
    tk = measure(process.execPath, ['--max-old-space-size=16384', join(repo, 'bench', 'toolkit-summary.mjs'), file],
                 size === '1gb' ? Math.min(toolkitRuns, toolkitRuns1gb) : toolkitRuns);
  }
  const row = { size, file, bytes, leakscope: ls, shallow: lsShallow, toolkit: tk };
  results.push(row);
  console.error(`${kSizes[size].label} (${mb(bytes)}): leakscope ${ls.seconds.toFixed(2)} s / ${gb(ls.rss)}` +
                (lsShallow ? `; --shallow-only ${lsShallow.seconds.toFixed(2)} s / ${gb(lsShallow.rss)}` : '') +
                (tk ? `; heap-snapshot-toolkit ${tk.seconds.toFixed(2)} s / ${gb(tk.rss)}` : ''));
}

const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
const version = spawnSync(leakscopeBin, ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
const commit = spawnSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const lines = [];
lines.push('# Benchmark: `leakscope summary` vs Chrome DevTools\' model (heap-snapshot-toolkit)', '');
lines.push(`Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}  `);
lines.push(`Machine: ${cpus().length} CPUs (nproc), ${cpuModel}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${loadBefore} before and ${loadAfter} after the run (the machine is shared: expect noise)  `);
lines.push(`leakscope: ${version} (commit ${commit}), Node ${process.version}, heap-snapshot-toolkit 1.1.3  `);
lines.push(`Command: \`${['node bench/bench-summary.mjs', ...args].join(' ')}\` (leakscope ${runs} run(s), toolkit ${toolkitRuns} (${Math.min(toolkitRuns, toolkitRuns1gb)} on 1 GB); wall and CPU = median, RSS = max)  `);
lines.push('Snapshots: `tests/fixtures/realistic-app.js SCALE` (12000 ~ 20 MB, 145000 ~ 200 MB, 740000 ~ 1 GB) when missing, page cache warm.  ');
const reused = results.filter((r) => !generatedNow.has(r.file));
if (reused.length) {
  lines.push('Reused from the cache as they were: ' +
             reused.map((r) => `\`${r.file}\` (written ${statSync(r.file).mtime.toISOString().replace(/\.\d+Z$/, 'Z')})`).join(', ') + '.');
}
lines.push('');
lines.push('Each side: `leakscope summary FILE --top 10` (census + dominators, retained sizes, distances), `leakscope summary FILE',
           '--top 10 --shallow-only` (the census alone) and `node --max-old-space-size=16384 bench/toolkit-summary.mjs FILE`',
           '(stream parse + full DevTools model incl. dominators + Summary aggregates), timed with `/usr/bin/time -v`.', '');
lines.push('| snapshot | file size | tool | wall | CPU (user+sys) | peak RSS | RSS / file | DevTools wall / this | DevTools RSS / this |');
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const tk = r.toolkit;
  const rowFor = (label, m) => `| ${kSizes[r.size].label} | ${mb(r.bytes)} | ${label} | ${m.seconds.toFixed(2)} s | ${m.cpu.toFixed(2)} s | ${gb(m.rss)} | ` +
    `${(m.rss / r.bytes).toFixed(2)} | ${tk && m !== tk ? (tk.seconds / m.seconds).toFixed(1) + 'x' : '–'} | ` +
    `${tk && m !== tk ? (tk.rss / m.rss).toFixed(1) + 'x' : '–'} |`;
  if (r.shallow) lines.push(rowFor('leakscope summary --shallow-only', r.shallow));
  lines.push(rowFor('leakscope summary', r.leakscope));
  if (tk) lines.push(rowFor('heap-snapshot-toolkit (DevTools)', tk));
}
lines.push('', 'All runs (wall seconds):', '');
for (const r of results) {
  lines.push(`- ${kSizes[r.size].label}: leakscope ${r.leakscope.runs.map((x) => x.seconds.toFixed(2)).join(', ')}` +
             (r.shallow ? `; --shallow-only ${r.shallow.runs.map((x) => x.seconds.toFixed(2)).join(', ')}` : '') +
             (r.toolkit ? `; toolkit ${r.toolkit.runs.map((x) => x.seconds.toFixed(2)).join(', ')}` : ''));
}
lines.push('', 'Files: ' + results.map((r) => `\`${r.file}\``).join(', ') + '.');
lines.push('', 'Targets (issue 2): the 1 GB file loads and is summarised in <= 1.5 s wall with peak RSS <= 1.2x the file size.', '');
lines.push(...other_results());
writeFileSync(outFile, lines.join('\n'));
console.error(`wrote ${outFile}`);
