#!/usr/bin/env node
// A/B benchmark of two leakscope binaries (e.g. the previous commit and this one) on the same
// commands, runs interleaved (A, B, A, B, ...) so that the machine's load hits both alike.
// Prints a markdown table of median wall time and peak RSS per command, with B/A ratios, for
// bench/RESULTS.md: a restructuring must keep the figures within noise.
//
// Usage: node bench/ab-binaries.mjs --a OLD_BIN --b NEW_BIN [--runs N] -- 'summary F --top 10' \
//          'leaks S1 S2 S3' ...
// Each command is split on spaces (file names must not contain spaces) and run as
// `/usr/bin/time -v BIN ARGS`; output goes to /dev/null, exit codes 0 and 1 count as success.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { optionReader } from './lib/options.mjs';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
if (sep < 0) {
  console.error('usage: ab-binaries.mjs --a OLD --b NEW [--runs N] -- "CMD ARGS" ...');
  process.exit(2);
}
const opts = args.slice(0, sep);
const commands = args.slice(sep + 1);
const opt = optionReader(opts);
const bins = { A: opt('--a'), B: opt('--b') };
const runs = Number(opt('--runs', '5'));
if (!bins.A || !bins.B || !(runs > 0) || commands.length === 0) {
  console.error('ab-binaries: need --a, --b, a positive --runs and at least one command');
  process.exit(2);
}

function timed(bin, cmd) {
  const r = spawnSync('/usr/bin/time', ['-v', bin, ...cmd.split(' ')], {
    encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${bin} ${cmd}: exit ${r.status}\n${r.stderr}`);
  const field = (re) => Number(r.stderr.match(re)?.[1]);
  const clock = r.stderr.match(/Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/);
  const wall = Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  return { wall, rssKb: field(/Maximum resident set size \(kbytes\): (\d+)/) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const loads = [loadavg()[0]];
console.log(`| command | A wall | B wall | B/A wall | A peak RSS | B peak RSS | B/A RSS | A walls | B walls |`);
console.log(`|---|---|---|---|---|---|---|---|---|`);
for (const cmd of commands) {
  const res = { A: [], B: [] };
  timed(bins.B, cmd);  // warm the page cache for both
  for (let i = 0; i < runs; ++i) {
    for (const side of ['A', 'B']) res[side].push(timed(bins[side], cmd));
    loads.push(loadavg()[0]);
  }
  const w = (side) => median(res[side].map((x) => x.wall));
  const m = (side) => median(res[side].map((x) => x.rssKb)) / 1024;
  const list = (side) => res[side].map((x) => x.wall.toFixed(2)).join(', ');
  console.log(`| \`${cmd}\` | ${w('A').toFixed(2)} s | ${w('B').toFixed(2)} s | ${(w('B') / w('A')).toFixed(3)} | ` +
              `${m('A').toFixed(0)} MB | ${m('B').toFixed(0)} MB | ${(m('B') / m('A')).toFixed(3)} | ${list('A')} | ${list('B')} |`);
}
console.log(`\n1-minute load average during the runs: ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}`);
