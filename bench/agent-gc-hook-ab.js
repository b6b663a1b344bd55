#!/usr/bin/env node
// GC-hook overhead measured A/B inside one process: the same GC-heavy work in short segments,
// alternating with the agent's V8 GC callbacks installed and removed (ABBA order). On a shared
// machine, interference then hits both sides alike, which separate processes cannot ensure.
//
//   node bench/agent-gc-hook-ab.js [segments=60] [allocations per segment=3000000]
'use strict';
const path = require('path');
const ls = require(path.join(__dirname, '..'));
const internal = require(path.join(__dirname, '..', 'lib', 'internal.js'));
ls.configure({ signal: false });
ls.on('stats', () => {});
const { PerformanceObserver } = require('perf_hooks');

const segments = Number(process.argv[2] || 60);
const per = Number(process.argv[3] || 3000000);
const ring = new Array(4096);
let sink = 0;
function work() {
  for (let i = 0; i < per; i++) {
    const o = { i, a: [i, i + 1] };
    ring[i & 4095] = o;
    sink += o.a.length;
  }
}

let gcs = 0;
new PerformanceObserver((list) => { gcs += list.getEntries().length; }).observe({ entryTypes: ['gc'] });

const times = { on: [], off: [] };
work();  // warm up the JIT
const order = ['on', 'off', 'off', 'on'];
const t_all = process.hrtime.bigint();
for (let s = 0; s < segments; s++) {
  const mode = order[s % 4];
  internal.setGcHooks(mode === 'on');
  const t0 = process.hrtime.bigint();
  work();
  times[mode].push(Number(process.hrtime.bigint() - t0) / 1e6);
}
internal.setGcHooks(true);
const total_s = Number(process.hrtime.bigint() - t_all) / 1e9;
setTimeout(() => {
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const pct = (a, b) => (((a - b) / b) * 100).toFixed(2);
  console.log(`${segments} segments of ${per} allocations; ${gcs} GCs in ${total_s.toFixed(1)} s (${(gcs / total_s).toFixed(0)} GCs/s)`);
  console.log(`hooks on:  total ${sum(times.on).toFixed(0)} ms, median segment ${median(times.on).toFixed(2)} ms`);
  console.log(`hooks off: total ${sum(times.off).toFixed(0)} ms, median segment ${median(times.off).toFixed(2)} ms`);
  console.log(`slowdown: total ${pct(sum(times.on), sum(times.off))} %, median ${pct(median(times.on), median(times.off))} %`);
  if (sink === 0) console.log('');
}, 100);
