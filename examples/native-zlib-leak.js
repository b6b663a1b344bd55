'use strict';
// A native leak off the JS thread: zlib deflate streams are opened, written once and never
// closed. Node initialises each stream's zlib state on the libuv threadpool, so the allocation
// stack has no JS frame at all (`leakscope native` says so). Each stream holds zlib's documented
// deflate memory, (1 << (windowBits + 2)) + (1 << (memLevel + 9)) bytes, plus its ~6 KB state;
// each second this prints that estimate for the streams it holds:
//   held <unix-ms> <bytes>
//
//   node examples/native-zlib-leak.js [--seconds 30] [--streams 8]   (streams per second)
const zlib = require('node:zlib');
const { arg } = require('./lib/args');

const seconds = Number(arg('--seconds', '30'));
const perSecond = Number(arg('--streams', '8'));
const windowBits = 15;
const memLevel = 8;
const perStream = (1 << (windowBits + 2)) + (1 << (memLevel + 9)) + 5952;
const open = [];  // the leak: a "pool" that forgot to close its streams

function openStream() {
  const z = zlib.createDeflate({level: 6, windowBits, memLevel});
  z.on('data', () => {});
  z.write(Buffer.alloc(1024, open.length & 0xff));  // zlib initialises on the first write
  z.flush();
  open.push(z);
}

let carry = 0;
const timer = setInterval(() => {
  for (carry += perSecond / 4; carry >= 1; carry--) openStream();
}, 250);
const report = setInterval(() => console.log(`held ${Date.now()} ${open.length * perStream}`), 1000);
setTimeout(() => {
  clearInterval(timer);
  clearInterval(report);
  console.log(`held ${Date.now()} ${open.length * perStream}`);
}, seconds * 1000);
