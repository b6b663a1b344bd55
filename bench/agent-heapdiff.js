#!/usr/bin/env node
// HeapDiff on a heap of about 2M snapshot nodes (1M objects, each holding its own string), side
// by side with @airbnb/node-memwatch on the same heap when it is installed (set AIRBNB_MEMWATCH to
// its directory, e.g. /work/cache/airbnb/node_modules/@airbnb/node-memwatch). Each run is a fresh
// process; peak RSS is the kernel's VmHWM.
//
//   node bench/agent-heapdiff.js [--runs N] [objects=1000000] [array|chunks]
//
// Each round runs, in fresh processes: V8 alone taking and deleting the two snapshots (the
// yardstick), leakscope's HeapDiff, and airbnb's when installed.
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
  const lib = which === 'airbnb' ? require(process.env.AIRBNB_MEMWATCH) : require(path.join(__dirname, '..'));
  if (which !== 'airbnb') lib.configure({ signal: false });
  globalThis.keep = build_heap(n, shape);
  const rss_before = process.memoryUsage.rss();
  let out;
  if (which === 'v8') {
    // The yardstick: V8 alone taking (and deleting) the same two snapshots, nothing read.
    const internal = require(path.join(__dirname, '..', 'lib', 'internal.js'));
    const a = internal.v8SnapshotBaseline();
    globalThis.more = build_heap(1000);
    const b = internal.v8SnapshotBaseline();
    out = { which, objects: n, take_ms: a.take_ms + b.take_ms, release_ms: a.release_ms + b.release_ms };
  } else {
    const t0 = process.hrtime.bigint();
    const hd = which === 'leakscope' && process.env.LEAKSCOPE_NO_RETAINED ? new lib.HeapDiff({ retained: false }) : new lib.HeapDiff();
    const t1 = process.hrtime.bigint();
    globalThis.more = build_heap(1000);
    const r = hd.end();
    const t2 = process.hrtime.bigint();
    out = {
      which, objects: n, nodes_after: r.after.nodes,
      ctor_ms: Number(t1 - t0) / 1e6, end_ms: Number(t2 - t1) / 1e6, timing: r.timing || null,
    };
  }
  Object.assign(out, { rss_before, peak_rss: vm_hwm() });
  process.stdout.write(JSON.stringify(out) + '\n');
} else {
  const args = process.argv.slice(2);
  const flag = (name, dflt) => {
    const i = args.indexOf(name);
    return i < 0 ? dflt : args.splice(i, 2)[1];
  };
  const rounds = Number(flag('--runs', 1));
  const n = Number(args[0] || 1000000);
  const shape = args[1] || 'array';
  const kinds = ['v8', 'leakscope'];
  if (process.env.AIRBNB_MEMWATCH) kinds.push('airbnb');
  const mb = (b) => `${(b / 1048576).toFixed(0)} MB`;
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const results = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (const which of kinds) {  // interleaved, so drifting load hits every kind alike
      const r = spawnSync(process.execPath, [__filename, '--child', which, String(n), shape], { encoding: 'utf8', env: process.env });
      if (r.status !== 0) {
        console.log(`${which}: failed (${r.status} ${r.signal}) ${r.stderr.slice(0, 300)}`);
        continue;
      }
      const o = JSON.parse(r.stdout);
      results[which].push(o);
      let line;
      if (which === 'v8') {
        line = `v8: TakeHeapSnapshot x2 ${s(o.take_ms)}, DeleteAllHeapSnapshots x2 ${s(o.release_ms)}; RSS ${mb(o.rss_before)} -> peak ${mb(o.peak_rss)}`;
      } else {
        line = `${which}: ${o.nodes_after} nodes; constructor ${s(o.ctor_ms)}, end() ${s(o.end_ms)}, ` +
               `total ${s(o.ctor_ms + o.end_ms)}; RSS ${mb(o.rss_before)} -> peak ${mb(o.peak_rss)}`;
      }
      if (o.timing) {
        const t = o.timing, total = o.ctor_ms + o.end_ms;
        const side = (p) => `read ${s(p.read_ms)}, analyze ${s(p.analyze_ms)} (retained ${s(p.retained_ms)}), ` +
                            (p.compare_ms ? `compare ${s(p.compare_ms)}, ` : '') + `V8 release ${s(p.release_ms)}`;
        line += `\n  its own V8 TakeHeapSnapshot x2: ${s(t.v8_snapshot_ms)}; total / that ${(total / t.v8_snapshot_ms).toFixed(3)}; ` +
                `kept between the two: ${mb(t.kept_bytes)}\n  constructor: ${side(t.before)}\n  end(): ${side(t.after)}`;
      }
      console.log(line);
    }
  }
  const total = (o) => o.ctor_ms + o.end_ms;
  const v8take = median(results.v8.map((o) => o.take_ms));
  const v8both = median(results.v8.map((o) => o.take_ms + o.release_ms));
  console.log(`\nmedians over ${rounds} round(s), ${shape} shape, ${n} objects:`);
  console.log(`  v8 alone: take x2 ${s(v8take)}, take + delete x2 ${s(v8both)}, peak ${mb(median(results.v8.map((o) => o.peak_rss)))}`);
  for (const which of kinds.slice(1)) {
    if (!results[which].length) continue;
    const t = median(results[which].map(total));
    const own = which === 'leakscope' ? median(results[which].map((o) => total(o) / o.timing.v8_snapshot_ms)) : null;
    console.log(`  ${which}: total ${s(t)} = ${(t / v8take).toFixed(3)} x V8's take, ${(t / v8both).toFixed(3)} x V8's take + delete` +
                (own ? ` (${own.toFixed(3)} x its own in-process takes)` : '') +
                `; peak ${mb(median(results[which].map((o) => o.peak_rss)))}`);
  }
  if (results.airbnb && results.airbnb.length) {
    const peak = (k) => median(results[k].map((o) => o.peak_rss));
    console.log(`  peak RSS leakscope / airbnb: ${(peak('leakscope') / peak('airbnb')).toFixed(3)}; V8 alone / airbnb: ${(peak('v8') / peak('airbnb')).toFixed(3)}`);
    console.log(`  time leakscope / airbnb: ${(median(results.leakscope.map(total)) / median(results.airbnb.map(total))).toFixed(3)}`);
  }
}
