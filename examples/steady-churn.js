'use strict';
// A control with no leak: lots of garbage per tick (parsed JSON, strings, short-lived Buffers)
// and a bounded cache (at most 2,000 entries, oldest evicted), so memory is flat after warm-up.
//
//   node examples/steady-churn.js [--seconds 60]
const { arg } = require('./lib/args');

const seconds = Number(arg('--seconds', '60'));
const cache = new Map();
const maxEntries = 2000;
let n = 0;

// Fill the cache up front, so the steady state starts early.
for (; n < maxEntries; n++) cache.set(n, {id: n, name: `entry-${n}`, tags: ['a', 'b']});

function tick() {
  for (let k = 0; k < 300; k++) {
    const body = JSON.parse(JSON.stringify({id: n, items: [n, n + 1, n + 2], s: 'y'.repeat(40)}));
    const scratch = Buffer.from(body.s);  // short-lived external memory
    cache.set(n, {id: n, name: `entry-${n}`, tags: [scratch.length]});
    cache.delete(n - maxEntries);  // evict the oldest
    n++;
  }
}

// Warm up at full speed first, so V8 has grown its young generation to the size this load
// needs before the steady part starts (a real server reaches this state in its first minutes).
for (let i = 0; i < 200; i++) tick();
const timer = setInterval(tick, 50);
setTimeout(() => {
  clearInterval(timer);
  console.log(`steady-churn: ${n} entries seen, ${cache.size} cached`);
}, seconds * 1000);
