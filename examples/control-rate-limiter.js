'use strict';
// Control (no leak) for leaky-rate-limiter.js, with the fix: windows older than the rate window
// are swept out on every request batch, so the Map holds only the clients seen in the last
// window (here the same 500 clients keep coming back).
//
//   node --expose-gc examples/control-rate-limiter.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class RateWindow {
  constructor(now) {
    this.start = now;
    this.hits = 0;
  }
}

const windows = new Map();
const kWindowMs = 60 * 1000;

function sweep(now) {
  for (const [key, w] of windows) if (now - w.start > kWindowMs) windows.delete(key);
}

let clients = 0;
function allow(ip, route, now) {
  const key = ip + ':' + route;
  let w = windows.get(key);
  if (!w || now - w.start > kWindowMs) windows.set(key, (w = new RateWindow(now)));
  return ++w.hits <= 100;
}

function handleRequest(req) {
  const c = ++clients % 500;
  const ip = `10.0.${c >> 8}.${c & 255}`;
  return allow(ip, `/api/orders/${c}`, Date.now());
}

for (let i = 0; i < 1000; i++) handleRequest(fakeRequest());
runSeries('control-rate-limiter', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
  sweep(Date.now());
}, { requests: 2000 });
