'use strict';
// The control for the native leak examples: as much native memory allocated as they allocate
// (zlib streams and Buffers), but each stream is closed and each Buffer dropped soon after, so
// what is live stays flat (a sawtooth between GCs). `leakscope native` must not report it.
//
//   node examples/native-churn.js [--seconds 30] [--rate 2048] [--streams 8]
const zlib = require('node:zlib');
const { arg } = require('./lib/args');

const seconds = Number(arg('--seconds', '30'));
const rateKB = Number(arg('--rate', '2048'));
const perSecond = Number(arg('--streams', '8'));
const chunk = 64 * 1024;
const perTick = Math.max(1, Math.round((rateKB * 1024) / 4 / chunk));
let recent = [];  // the last tick's Buffers only: replaced every tick
let streams = [];

function churn() {
  const next = [];
  for (let k = 0; k < perTick; k++) next.push(Buffer.alloc(chunk, k & 0xff));
  recent = next;
  for (const z of streams) z.close();
  streams = [];
  for (let k = 0; k < perSecond / 4; k++) {
    const z = zlib.createDeflate({level: 6});
    z.on('data', () => {});
    z.write(Buffer.alloc(1024, k));
    z.flush();
    streams.push(z);
  }
}

const timer = setInterval(churn, 250);
setTimeout(() => {
  clearInterval(timer);
  for (const z of streams) z.close();
  console.log(`churn: ${recent.length} buffers, ${streams.length} streams at the end`);
}, seconds * 1000);
