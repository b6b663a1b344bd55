'use strict';
// A native leak held from JS: every 250 ms `keepChunks` allocates Buffers (their backing stores
// are calloc'd by Node's ArrayBuffer allocator, outside the V8 heap) and keeps them in an array
// that is never trimmed, for the whole run. `leakscope native` names the JS function and line
// that allocated them; each second this prints what it holds, for the tests to compare:
//   held <unix-ms> <bytes>
//
//   node examples/native-buffer-leak.js [--seconds 30] [--rate 2048]   (KB per second)
const { arg } = require('./lib/args');

const seconds = Number(arg('--seconds', '30'));
const rateKB = Number(arg('--rate', '2048'));
const tickMs = 250;
const chunk = 64 * 1024;
const kept = [];  // the leak: never trimmed
const perTick = Math.max(1, Math.round((rateKB * 1024 * tickMs) / 1000 / chunk));

function keepChunks(count) {
  for (let k = 0; k < count; k++) kept.push(Buffer.alloc(chunk, kept.length & 0xff));
}

const timer = setInterval(keepChunks, tickMs, perTick);
const report = setInterval(() => console.log(`held ${Date.now()} ${kept.length * chunk}`), 1000);
setTimeout(() => {
  clearInterval(timer);
  clearInterval(report);
  console.log(`held ${Date.now()} ${kept.length * chunk}`);
}, seconds * 1000);
