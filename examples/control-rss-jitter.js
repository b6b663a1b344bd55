'use strict';
// A control with no leak whose RSS still moves by megabytes: bursts of short-lived Buffers of
// random sizes (an upload being assembled, a report being rendered), zlib round trips whose
// native state is malloc'd on the threadpool and freed again, and a few large strings. Nothing is
// kept, but glibc keeps freed chunks in its arenas and returns them only now and then, V8 grows
// and shrinks its young generation, and the Buffers' pages come and go: anonymous RSS jitters and
// steps by several MB for reasons that are not leaks. A watcher that calls this a native leak
// cries wolf.
//
//   node examples/control-rss-jitter.js [--seconds 60]
const zlib = require('node:zlib');
const { arg } = require('./lib/args');

const seconds = Number(arg('--seconds', '60'));
const bounded = [];  // a bounded window of recent results, as a real service keeps
let seed = 12345;
const rand = () => {
  // A fixed LCG: the same bursts in every run, so reruns see the same process.
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

function burst() {
  // 2 to 24 MB of Buffers alive at once, then dropped.
  const parts = [];
  const n = 32 + Math.floor(rand() * 352);
  for (let i = 0; i < n; i++) parts.push(Buffer.alloc(64 * 1024, i & 0xff));
  const whole = Buffer.concat(parts.slice(0, Math.min(parts.length, 64)));
  // zlib state is malloc'd per call and freed again; the output is dropped.
  const packed = zlib.deflateSync(whole.subarray(0, 256 * 1024), {level: 1});
  zlib.inflateSync(packed);
  // Strings outside the young generation (large objects), dropped too.
  const text = 'r'.repeat(1 << 20) + String(n);
  bounded.push(text.length + packed.length);
  if (bounded.length > 50) bounded.shift();
}

let timer = null;
const schedule = () => {
  // Irregular bursts, 50 to 400 ms apart.
  timer = setTimeout(() => {
    burst();
    schedule();
  }, 50 + rand() * 350);
};
schedule();
setTimeout(() => {
  clearTimeout(timer);
  console.log(`control-rss-jitter: ${bounded.length} results kept (bounded)`);
}, seconds * 1000);
