#!/usr/bin/env node
// The native sampler's cost (issue 13): CPU time (user+sys) and peak RSS of an allocation-heavy
// Node workload run plain, with the flags `leakscope native` adds alone, under
// libleakscope-preload.so with those flags (as the CLI runs it), and under heaptrack (the peer).
// Runs are interleaved (one of each mode per round) and each figure is the median over the rounds.
//
//   node bench/native-overhead.mjs [--runs 5] [--workloads zlib,http] [--lib PATH] [--no-heaptrack]
//                                  [--micro]
//
// Workloads (this file runs them itself: `native-overhead.mjs --workload NAME`):
//   zlib  the research's leak.js shape: Deflate streams written once and kept open, 64 KiB Buffers
//         kept, and churn (deflateSync of fresh Buffers, short-lived Buffers and strings);
//   http  an HTTP server answering JSON to a local keep-alive load generator (another, unsampled
//         process); only the server is measured.
// --micro adds the hooks' cost per call: a C loop of malloc/free pairs (16 B to 1 KiB, 256 live),
// CPU ns per pair plain, with the library loaded but off (no LEAKSCOPE_NATIVE_OUT), and sampling.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');

async function zlibWorkload() {
  const zlib = await import('node:zlib');
  const kept = [];
  const buffers = [];
  let sink = 0;
  for (let round = 0; round < 400; round++) {
    const d = zlib.createDeflate();
    d.write(Buffer.alloc(4096, round & 255));
    kept.push(d);
    buffers.push(Buffer.alloc(64 * 1024, 1), Buffer.alloc(64 * 1024, 2));
    for (let i = 0; i < 12; i++) {
      const input = Buffer.alloc(16 * 1024, (round + i) & 255);
      sink += zlib.deflateSync(input).length;
      sink += Buffer.from(JSON.stringify({ round, i, s: 'x'.repeat(200) })).length;
    }
    await new Promise((r) => setImmediate(r));
  }
  console.log(`zlib ${kept.length} ${buffers.length} ${sink > 0}`);
}

async function httpServer() {
  const http = await import('node:http');
  const payload = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b', 'c'] }));
  let served = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/exit') {
      res.end('bye');
      server.close();
      setImmediate(() => process.exit(0));
      return;
    }
    served++;
    const body = JSON.stringify({ served, payload });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
}

// The load generator: `requests` GETs over `concurrency` keep-alive connections, then /exit.
async function httpLoad(port, requests, concurrency) {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const get = (path) => new Promise((ok, fail) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', ok);
    }).on('error', fail);
  });
  let next = 0;
  const worker = async () => { while (next++ < requests) await get('/'); };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await get('/exit').catch(() => {});
  agent.destroy();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Runs `argv` under /usr/bin/time; resolves {cpu, rss, wall}. For http, also drives the load.
// In `cwd`: --perf-basic-prof makes Node 20 and 22 write isolate-*-v8.log files there.
function measure(argv, env, workload, cwd) {
  return new Promise((ok, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %U %S %M', ...argv],
                        { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let loading = null;
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (workload === 'http' && m && !loading) loading = httpLoad(Number(m[1]), 20000, 16);
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', async (code) => {
      if (loading) await loading;
      const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      if (code !== 0 || !m) return fail(new Error(`${argv.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      ok({ cpu: Number(m[1]) + Number(m[2]), rss: Number(m[3]) * 1024,
           wall: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

function parseArgs(argv) {
  const opt = { runs: 5, workloads: ['zlib', 'http'], lib: null, heaptrack: true, micro: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') opt.runs = Number(argv[++i]);
    else if (argv[i] === '--workloads') opt.workloads = argv[++i].split(',');
    else if (argv[i] === '--lib') opt.lib = argv[++i];
    else if (argv[i] === '--no-heaptrack') opt.heaptrack = false;
    else if (argv[i] === '--micro') opt.micro = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  opt.lib ??= [join(root, 'build', 'release', 'libleakscope-preload.so'),
    join(root, 'build', 'Release', 'libleakscope-preload.so')].find((p) => existsSync(p));
  if (!opt.lib) throw new Error('libleakscope-preload.so not found: build it or pass --lib');
  return opt;
}

const kMicro = `
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char** argv) {
  long n = atol(argv[1]);
  void* ring[256] = {0};
  unsigned seed = 1;
  struct timespec a, b;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
  for (long i = 0; i < n; i++) {
    free(ring[i & 255]);
    ring[i & 255] = malloc(16 + (rand_r(&seed) & 1023));
  }
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
  printf("%.2f\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
  return 0;
}
`;

// ns per malloc/free pair: plain, library loaded but off, sampling (medians over `runs`).
function micro(opt, scratch) {
  const src = join(scratch, 'micro.c');
  const bin = join(scratch, 'micro');
  writeFileSync(src, kMicro);
  const cc = spawnSync('cc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc: ${cc.stderr}`);
  const modes = [['plain', {}], ['library loaded, off', { LD_PRELOAD: opt.lib }],
    ['sampling (512 KiB)', { LD_PRELOAD: opt.lib, LEAKSCOPE_NATIVE_OUT: join(scratch, 'micro.native') }]];
  const ns = new Map(modes.map(([m]) => [m, []]));
  for (let i = 0; i < opt.runs; i++) {
    for (const [m, env] of modes) {
      const r = spawnSync(bin, ['20000000'], { encoding: 'utf8', env: { ...process.env, ...env } });
      ns.get(m).push(Number(r.stdout));
    }
  }
  return modes.map(([m]) => ({ mode: m, ns: median(ns.get(m)), all: ns.get(m) }));
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const scratch = mkdtempSync(join(tmpdir(), 'leakscope-native-bench-'));
  const kFlags = ['--perf-basic-prof', '--interpreted-frames-native-stack'];
  const modes = [
    { name: 'plain', argv: (w) => [process.execPath, self, '--workload', w], env: () => ({}) },
    { name: 'perf-map flags alone', argv: (w) => [process.execPath, ...kFlags, self, '--workload', w], env: () => ({}) },
    // Through env(1): /usr/bin/time must not load the sampler itself (it would take the variables
    // out of the environment before node starts).
    { name: 'leakscope preload + flags',
      argv: (w, i) => ['/usr/bin/env', `LD_PRELOAD=${opt.lib}`, `LEAKSCOPE_NATIVE_OUT=${join(scratch, `${w}-${i}.native`)}`,
                       process.execPath, ...kFlags, self, '--workload', w],
      env: () => ({}) },
  ];
  if (opt.heaptrack && existsSync('/usr/bin/heaptrack')) {
    modes.push({ name: 'heaptrack', argv: (w, i) => ['/usr/bin/heaptrack', '-o', join(scratch, `${w}-${i}.heaptrack`),
                                                     process.execPath, self, '--workload', w], env: () => ({}) });
  }
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  const rows = [];
  for (const w of opt.workloads) {
    const results = new Map(modes.map((m) => [m.name, []]));
    for (let i = 0; i < opt.runs; i++) {
      for (const m of modes) {
        const env = { ...process.env, ...m.env(w, i) };
        results.get(m.name).push(await measure(m.argv(w, i), env, w, scratch));
      }
    }
    const plain = results.get('plain');
    for (const m of modes) {
      const r = results.get(m.name);
      const native = m.name.startsWith('leakscope') ? join(scratch, `${w}-0.native`) : null;
      rows.push({ workload: w, mode: m.name, cpu: median(r.map((x) => x.cpu)),
                  ratio: median(r.map((x) => x.cpu)) / median(plain.map((x) => x.cpu)),
                  rss: median(r.map((x) => x.rss)), rssAdded: median(r.map((x) => x.rss)) - median(plain.map((x) => x.rss)),
                  all: r.map((x) => x.cpu.toFixed(2)).join(', '),
                  file: native && existsSync(native) ? statSync(native).size : null });
    }
  }
  const microRows = opt.micro ? micro(opt, scratch) : [];
  rmSync(scratch, { recursive: true, force: true });
  const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
  console.log(`Date: ${startedAt}  `);
  console.log(`Machine: ${cpus().length} CPUs, load average ${load} before the run; Node ${process.version}; ` +
              `${opt.runs} interleaved runs per mode, medians  `);
  console.log(`Command: \`node bench/native-overhead.mjs ${process.argv.slice(2).join(' ')}\`\n`);
  console.log('| workload | mode | CPU s (user+sys) | / plain | peak RSS | RSS added | sample file | all runs (CPU s) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.workload} | ${r.mode} | ${r.cpu.toFixed(2)} | ${r.ratio.toFixed(3)}x | ${mb(r.rss)} | ` +
                `${r.mode === 'plain' ? '–' : mb(r.rssAdded)} | ${r.file === null ? '–' : `${(r.file / 1024).toFixed(0)} KiB`} | ${r.all} |`);
  }
  if (microRows.length) {
    console.log('\n| malloc/free pair (C loop, 20M pairs) | CPU ns per pair | all runs |');
    console.log('|---|---|---|');
    for (const r of microRows) console.log(`| ${r.mode} | ${r.ns.toFixed(1)} | ${r.all.join(', ')} |`);
  }
}

const i = process.argv.indexOf('--workload');
if (i >= 0) {
  const w = process.argv[i + 1];
  if (w === 'zlib') await zlibWorkload();
  else if (w === 'http') await httpServer();
  else throw new Error(`unknown workload ${w}`);
} else {
  await main();
}
