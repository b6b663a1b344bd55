#!/usr/bin/env node
// The agent on a small leaky "server": sessions that are never evicted. It prints the stats after
// each full GC, the leak verdict once the baseline really grows, and a HeapDiff whose top growing
// class comes with the path that keeps it alive.
//
//   node examples/agent-demo.js [--seconds 12]
'use strict';
const leakscope = require('..');

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 12;
// Short thresholds for a demo; the defaults (2 min window, 30 s warm-up) suit real services.
leakscope.configure({ signal: false, leak: { minDurationMs: 3000, warmupMs: 1000, minPoints: 8 } });

leakscope.on('stats', (s) => {
  if (s.num_full_gc % 20 === 0) {
    console.log(`full GC #${s.num_full_gc}: base ${(s.current_base / 1048576).toFixed(1)} MB, ` +
                `trend ${s.usage_trend} %, pause ${s.gc_duration_ms.toFixed(1)} ms`);
  }
});
leakscope.on('leak', (l) => console.log(`LEAK: ${l.reason} (confidence ${l.confidence.toFixed(3)})`));

class Session {
  constructor(id) {
    this.id = id;
    this.user = { name: `user-${id}`, roles: ['reader'] };
    this.createdAt = Date.now();
  }
}
const sessions = new Map();
globalThis.app = { sessions };
let next = 0;

const hd = new leakscope.HeapDiff();
const start = Date.now();
const timer = setInterval(() => {
  for (let i = 0; i < 500; i++) sessions.set(next, new Session(next++));  // never deleted
  let garbage = [];
  for (let i = 0; i < 20000; i++) garbage.push({ i });
  garbage = null;
  leakscope.gc();
  if (Date.now() - start > seconds * 1000) {
    clearInterval(timer);
    const diff = hd.end();
    console.log(`HeapDiff: ${diff.before.size} -> ${diff.after.size} (${diff.change.size}), ` +
                `+${diff.change.allocated_nodes} / -${diff.change.freed_nodes} nodes`);
    const top = diff.change.details.slice().sort((a, b) => b.size_bytes - a.size_bytes).slice(0, 5);
    for (const d of top) console.log(`  ${d.what.padEnd(24)} +${d['+']} -${d['-']} ${d.size}`);
    if (diff.change.top_growth) console.log(`top growth held by: ${diff.change.top_growth.path}`);
    console.log(leakscope.metrics().split('\n').filter((l) => /^leakscope_(gc_total|leak_detected)/.test(l)).join('\n'));
  }
}, 50);
