#!/usr/bin/env node
// `leakscope watch --min-duration 20` over 40 s on every watch example, leaky and control,
// repeated, on a quiet machine and with both cores kept busy by CPU-bound neighbours (two
// `node -e 'for(;;){}'`, the watcher and its app under `nice`), and the two confusion matrices
// (expected kind x verdict) appended to bench/RESULTS-leaks.md.
//
//   node bench/watch-verdicts.mjs [--runs 5] [--duration 40] [--min-duration 20]
//        [--modes quiet,loaded] [--examples js-heap-leak,...] [--no-write]
//
// A verdict is right when it is the expected kind; for a control, any leak verdict is a false
// alarm, and "inconclusive" is counted apart (not an alarm, not an answer). The load average is
// recorded at each run: the machine may be shared.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.LEAKSCOPE_BIN ?? path.join(root, 'build/release/leakscope');

function opt(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const runs = Number(opt('--runs', '5'));
const duration = Number(opt('--duration', '40'));
const minDuration = Number(opt('--min-duration', '20'));
const modes = opt('--modes', 'quiet,loaded').split(',');
const write = !process.argv.includes('--no-write');

// Every example that runs for --seconds, with the kind it must get.
const ALL = [
  { name: 'js-heap-leak', expect: 'js-heap' },
  { name: 'busy-server-leak', expect: 'js-heap' },
  { name: 'external-buffer-leak', expect: 'external' },
  { name: 'native-leak', expect: 'native' },
  { name: 'steady-churn', expect: 'none' },
  { name: 'control-rss-jitter', expect: 'none' },
];
const only = opt('--examples', '');
const examples = only ? ALL.filter((e) => only.split(',').includes(e.name)) : ALL;
const KINDS = ['js-heap', 'external', 'native', 'handles', 'none', 'inconclusive'];

function watchOnce(example, loaded) {
  return new Promise((resolve) => {
    const args = ['watch', '--min-duration', String(minDuration), '--duration', String(duration),
      '--quiet', '--json', '--', 'node', `examples/${example}.js`, '--seconds', String(duration + 30)];
    // Under load the watcher and its app run under nice, as a batch job would on a busy host.
    const [cmd, argv] = loaded ? ['nice', ['-n', '10', BIN, ...args]] : [BIN, args];
    const load1 = os.loadavg()[0];
    const started = Date.now();
    const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => {
      let j = null;
      try { j = JSON.parse(out); } catch { /* reported below */ }
      resolve({
        code, load1, load1End: os.loadavg()[0], wallS: (Date.now() - started) / 1000,
        verdict: j ? j.verdict : `error (exit ${code}: ${err.trim().split('\n').at(-1) ?? ''})`,
        basis: j?.basis ?? '', confidence: j?.confidence ?? 0, why: j?.why ?? '',
        headline: j?.headline ?? '', gcs: j?.watch?.gc_events ?? 0, samples: j?.watch?.samples ?? 0,
      });
    });
  });
}

function startNeighbours() {
  // Two CPU-bound processes: both cores busy.
  return [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}

const results = {};  // mode -> example -> [run]
for (const mode of modes) {
  const loaded = mode === 'loaded';
  const neighbours = loaded ? startNeighbours() : [];
  if (loaded) await new Promise((r) => setTimeout(r, 1000));
  results[mode] = {};
  try {
    for (let k = 0; k < runs; k++) {
      // Interleaved (every example once per round), so a load change hits all alike.
      for (const ex of examples) {
        const r = await watchOnce(ex.name, loaded);
        (results[mode][ex.name] ??= []).push(r);
        process.stderr.write(`${mode} ${ex.name} #${k + 1}: ${r.verdict}${r.basis ? ` (${r.basis}, ${(100 * r.confidence).toFixed(1)} %)` : ''} ` +
          `load ${r.load1.toFixed(1)}, ${r.gcs} GC lines, ${r.samples} samples\n`);
      }
    }
  } finally {
    for (const n of neighbours) n.kill('SIGKILL');
  }
}

function matrix(mode) {
  const lines = [`| example (expected) | ${KINDS.join(' | ')} | right |`, `|---|${KINDS.map(() => '---').join('|')}|---|`];
  let right = 0, total = 0, falseAlarms = 0, controls = 0;
  for (const ex of examples) {
    const rs = results[mode][ex.name] ?? [];
    const counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
    let other = 0;
    for (const r of rs) {
      if (r.verdict in counts) counts[r.verdict]++; else other++;
    }
    const ok = counts[ex.expect];
    right += ok;
    total += rs.length;
    if (ex.expect === 'none') {
      controls += rs.length;
      falseAlarms += rs.filter((r) => ['js-heap', 'external', 'native', 'handles'].includes(r.verdict)).length;
    }
    lines.push(`| ${ex.name} (${ex.expect}) | ${KINDS.map((k) => counts[k] || '·').join(' | ')} | ${ok}/${rs.length}${other ? ` (${other} errors)` : ''} |`);
  }
  const loads = examples.flatMap((ex) => (results[mode][ex.name] ?? []).map((r) => r.load1));
  const early = examples.flatMap((ex) => (results[mode][ex.name] ?? []).filter((r) => r.basis === 'early')).length;
  return {
    table: lines.join('\n'), right, total, falseAlarms, controls, early,
    loadMin: Math.min(...loads), loadMax: Math.max(...loads),
  };
}

function runsTable(mode) {
  const lines = ['| example | run | verdict | basis | confidence | GC lines | samples | 1-min load | why (when not the expected kind) |', '|---|---|---|---|---|---|---|---|---|'];
  for (const ex of examples) {
    (results[mode][ex.name] ?? []).forEach((r, i) => {
      const why = r.verdict === ex.expect ? '' : (r.headline || r.verdict).replaceAll('|', '/');
      lines.push(`| ${ex.name} | ${i + 1} | ${r.verdict} | ${r.basis || '-'} | ${r.confidence ? (100 * r.confidence).toFixed(1) + ' %' : '-'} | ${r.gcs} | ${r.samples} | ${r.load1.toFixed(1)} | ${why} |`);
    });
  }
  return lines.join('\n');
}

const node = spawnSync(process.execPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
let md = `\n## \`watch\` verdicts on the examples, quiet and loaded\n\n` +
  `Date: ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC. Machine: ${os.cpus().length} cores (${cpu}), ` +
  `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${node}; shared with other work (builds of other ` +
  `branches), so "quiet" is only as quiet as the 1-minute load averages below. Command:\n\n` +
  '```\n' + `node bench/watch-verdicts.mjs --runs ${runs} --duration ${duration} --min-duration ${minDuration}\n` + '```\n\n' +
  `Each run: \`leakscope watch --min-duration ${minDuration} --duration ${duration} --quiet --json -- node examples/NAME.js --seconds ${duration + 30}\`; ` +
  `loaded: two \`node -e 'for(;;){}'\` run throughout and the watch (with its app) runs under \`nice -n 10\`. ` +
  `Rows: the example and the kind it must get; columns: the verdicts over ${runs} runs.\n`;
for (const mode of modes) {
  const m = matrix(mode);
  md += `\n### ${mode}\n\n${m.table}\n\nRight: ${m.right}/${m.total}; false alarms on controls: ${m.falseAlarms}/${m.controls}; ` +
    `leaks decided early (before the ${minDuration} s window was complete): ${m.early}; 1-minute load ${m.loadMin.toFixed(1)} to ${m.loadMax.toFixed(1)}.\n`;
  md += `\n<details><summary>every run (${mode})</summary>\n\n${runsTable(mode)}\n\n</details>\n`;
}
process.stdout.write(md);
if (write) {
  const file = path.join(root, 'bench', 'RESULTS-leaks.md');
  if (!existsSync(file)) throw new Error(`${file} is missing`);
  appendFileSync(file, md);
  process.stderr.write(`appended to ${file}\n`);
}
