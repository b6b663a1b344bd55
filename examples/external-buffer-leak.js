'use strict';
// An external-memory leak: Buffers (ArrayBuffer backing stores, outside the V8 heap) are kept
// in a cache that is never evicted. Each Buffer object is tiny on the JS heap, so heap snapshots
// and the post-GC heap barely move, while process.memoryUsage().external and RSS grow.
//
//   node examples/external-buffer-leak.js [--seconds 60] [--rate 2048]   (KB per second)
const { arg } = require('./lib/args');
const seconds = Number(arg('--seconds', '60'));
const rateKB = Number(arg('--rate', '2048'));
const tickMs = 50;
const chunk = 64 * 1024;
const cache = new Map();  // the leak: response bodies by request id, never deleted

const perTick = Math.max(1, Math.round((rateKB * 1024 * tickMs) / 1000 / chunk));
let n = 0;
const timer = setInterval(() => {
  for (let k = 0; k < perTick; k++) {
    // Filled, not zeroed, so the pages are really touched and show in RSS.
    cache.set(`req-${n}`, Buffer.alloc(chunk, n & 0xff));
    n++;
  }
  for (let k = 0; k < 200; k++) JSON.parse(JSON.stringify({k, s: 'x'.repeat(20)}));  // churn
}, tickMs);
setTimeout(() => {
  clearInterval(timer);
  console.log(`external-buffer-leak: cached ${cache.size} buffers`);
}, seconds * 1000);
