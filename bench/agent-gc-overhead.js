#!/usr/bin/env node
// GC-hook overhead of the agent on a GC-heavy workload (hundreds of scavenges per second),
// measured side by side: runs alternate between a plain process and one with the agent loaded,
// in fresh processes, and the medians are compared.
//
//   node bench/agent-gc-overhead.js [rounds=7] [iterations=40000000] [semi-space MB, e.g. 1]
// Best-of figures are the ones to read on a shared machine: interference only ever adds time.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

if (process.argv[2] === '--child') {
  const with_agent = process.argv[3] === 'agent';
  const iterations = Number(process.argv[4]);
  if (with_agent) {
    const ls = require(path.join(__dirname, '..'));
    ls.configure({ signal: false });
    ls.on('stats', () => {});
  }
  const { PerformanceObserver } = require('perf_hooks');
  let gcs = 0;
  new PerformanceObserver((list) => { gcs += list.getEntries().length; }).observe({ entryTypes: ['gc'] });
  // Short-lived objects with a small surviving window: scavenge after scavenge, some promotion.
  const ring = new Array(4096);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let sum = 0;
  for (let i = 0; i < iterations; i++) {
    const o = { i, a: [i, i + 1], s: null };
    ring[i & 4095] = o;
    sum += o.a.length;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpu_ms = (cpu.user + cpu.system) / 1000;
  setTimeout(() => process.stdout.write(JSON.stringify({ ms, cpu_ms, gcs, sum }) + '\n'), 100);
} else {
  const rounds = Number(process.argv[2] || 7);
  const iterations = Number(process.argv[3] || 40000000);
  const results = { none: [], agent: [] };
  // A small semi-space means more scavenges per second: the worst case for a GC hook.
  const flags = process.argv[4] ? [`--max-semi-space-size=${process.argv[4]}`] : [];
  const cpu = { none: [], agent: [] };
  let gcs = 0;
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 ? ['agent', 'none'] : ['none', 'agent']) {
      const out = spawnSync(process.execPath, [...flags, __filename, '--child', mode, String(iterations)], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(out.stderr);
      const res = JSON.parse(out.stdout);
      results[mode].push(res.ms);
      cpu[mode].push(res.cpu_ms);
      gcs = res.gcs;
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const none = median(results.none);
  const agent = median(results.agent);
  const per_s = gcs / (none / 1000);
  console.log(`workload: ${iterations} allocations, ${gcs} GCs per run (${per_s.toFixed(0)} GCs/s), ${rounds} rounds each`);
  console.log(`no agent:   median ${none.toFixed(1)} ms  [${results.none.map((x) => x.toFixed(0)).join(' ')}]`);
  console.log(`with agent: median ${agent.toFixed(1)} ms  [${results.agent.map((x) => x.toFixed(0)).join(' ')}]`);
  const min = (a) => Math.min(...a);
  const pct = (a, b) => (((a - b) / b) * 100).toFixed(2);
  console.log(`slowdown, wall: median ${pct(agent, none)} %, best-of ${pct(min(results.agent), min(results.none))} %`);
  console.log(`slowdown, cpu:  median ${pct(median(cpu.agent), median(cpu.none))} %, best-of ${pct(min(cpu.agent), min(cpu.none))} %`);
}
