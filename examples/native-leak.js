'use strict';
// A native leak: zlib deflate streams are created, used once and never closed or ended. Each
// keeps its zlib state (about 256 KiB, malloc'd on a libuv threadpool thread) alive, so
// anonymous RSS grows in glibc thread arenas while the JS heap and `external` hardly move:
// the shape of the 2013 Walmart leak, native memory that no heap snapshot shows.
//
//   node examples/native-leak.js [--seconds 60] [--streams 20]   (streams per second)
const zlib = require('node:zlib');
const { arg } = require('./lib/args');

const seconds = Number(arg('--seconds', '60'));
const perSecond = Number(arg('--streams', '20'));
const tickMs = 50;
const open = [];  // streams a "pool" forgot to close
let carry = 0;

const timer = setInterval(() => {
  carry += (perSecond * tickMs) / 1000;
  while (carry >= 1) {
    carry -= 1;
    const z = zlib.createDeflate({level: 6});
    z.on('data', () => {});
    // One write makes zlib initialise its state on the threadpool; the stream is never ended.
    z.write(Buffer.alloc(1024, 7));
    z.flush();
    open.push(z);
  }
  for (let k = 0; k < 200; k++) JSON.parse(JSON.stringify({k}));  // churn
}, tickMs);
setTimeout(() => {
  clearInterval(timer);
  console.log(`native-leak: ${open.length} zlib streams left open`);
  process.exit(0);
}, seconds * 1000);
