#!/usr/bin/env node
// HeapDiff on a heap of about 2M snapshot nodes (1M objects, each holding its own string), side
// by side with @airbnb/node-memwatch on the same heap when it is installed (set AIRBNB_MEMWATCH to
// its directory, e.g. /work/cache/airbnb/node_modules/@airbnb/node-memwatch). Each run is a fresh
// process; peak RSS is the kernel's VmHWM.
//
//   node bench/agent-heapdiff.js [objects=1000000] [array|chunks]
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

function vm_hwm() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return Number(m[1]) * 1024;
}

// 'array': one array of n objects. V8 names every element slot of the array's backing store
// with a 1 KB formatted string, so this shape costs V8's snapshot ~800 bytes a node.
// 'chunks': n/1000 arrays of 1000 objects (the same objects, without that V8 cost).
function build_heap(n, shape = 'array') {
  const keep = [];
  if (shape === 'chunks') {
    for (let c = 0; c < n; c += 1000) {
      const chunk = [];
      for (let i = c; i < Math.min(n, c + 1000); i++) chunk.push({ i, s: 'item-' + i });
      keep.push(chunk);
    }
  } else {
    for (let i = 0; i < n; i++) keep.push({ i, s: 'item-' + i });
  }
  return keep;
}

if (process.argv[2] === '--child') {
  const which = process.argv[3];
  const n = Number(process.argv[4]);
  const shape = process.argv[5];
  const lib = which === 'leakscope' ? require(path.join(__dirname, '..')) : require(process.env.AIRBNB_MEMWATCH);
  if (which === 'leakscope') lib.configure({ signal: false });
  globalThis.keep = build_heap(n, shape);
  const rss_before = process.memoryUsage.rss();
  const t0 = process.hrtime.bigint();
  const hd = which === "leakscope" && process.env.LEAKSCOPE_NO_RETAINED ? new lib.HeapDiff({ retained: false }) : new lib.HeapDiff();
  const t1 = process.hrtime.bigint();
  globalThis.more = build_heap(1000);
  const r = hd.end();
  const t2 = process.hrtime.bigint();
  const out = {
    which, objects: n, nodes_after: r.after.nodes,
    ctor_ms: Number(t1 - t0) / 1e6, end_ms: Number(t2 - t1) / 1e6,
    rss_before, peak_rss: vm_hwm(), timing: r.timing || null,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
} else {
  const n = Number(process.argv[2] || 1000000);
  const shape = process.argv[3] || 'array';
  const runs = ['leakscope'];
  if (process.env.AIRBNB_MEMWATCH) runs.push('airbnb');
  const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;
  for (const which of runs) {
    const r = spawnSync(process.execPath, [__filename, '--child', which, String(n), shape], { encoding: 'utf8', env: process.env });
    if (r.status !== 0) {
      console.log(`${which}: failed (${r.status} ${r.signal}) ${r.stderr.slice(0, 300)}`);
      continue;
    }
    const o = JSON.parse(r.stdout);
    let line = `${which}: ${o.nodes_after} nodes; constructor ${(o.ctor_ms / 1000).toFixed(2)} s, end() ${(o.end_ms / 1000).toFixed(2)} s, ` +
               `total ${((o.ctor_ms + o.end_ms) / 1000).toFixed(2)} s; RSS ${mb(o.rss_before)} -> peak ${mb(o.peak_rss)}`;
    if (o.timing) {
      const t = o.timing, v8 = t.v8_snapshot_ms, total = o.ctor_ms + o.end_ms;
      const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
      const side = (p) => `read ${s(p.read_ms)}, analyze ${s(p.analyze_ms)} (retained ${s(p.retained_ms)}), ` +
                          (p.compare_ms ? `compare ${s(p.compare_ms)}, ` : '') +
                          `V8 release ${s(p.release_ms)}`;
      const release = t.before.release_ms + t.after.release_ms;
      line += `\n  V8 TakeHeapSnapshot x2: ${s(v8)}; ratio total/V8 ${(total / v8).toFixed(3)}` +
              ` (V8's take + release: ${(total / (v8 + release)).toFixed(3)}); kept between the two: ${mb(t.kept_bytes)}` +
              `\n  constructor: ${side(t.before)}\n  end(): ${side(t.after)}`;
    }
    console.log(line);
  }
}
