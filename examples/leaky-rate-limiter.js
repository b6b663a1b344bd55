'use strict';
// A rate limiter whose windows are never evicted: hits are counted per client in a module-level
// Map keyed by `ip + ':' + route`, and a window is only ever reset, never deleted. Every new
// client (or a scanner walking many routes) adds an entry for the life of the process.
//
//   node --expose-gc examples/leaky-rate-limiter.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class RateWindow {
  constructor(now) {
    this.start = now;
    this.hits = 0;
  }
}

const windows = new Map();
const kWindowMs = 60 * 1000;

let clients = 0;
function allow(ip, route, now) {
  const key = ip + ':' + route;
  let w = windows.get(key);
  if (!w || now - w.start > kWindowMs) windows.set(key, (w = new RateWindow(now)));  // the bug: no delete
  return ++w.hits <= 100;
}

function handleRequest(req) {
  const ip = `10.${(++clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;
  return allow(ip, req.url, Date.now());
}

runSeries('leaky-rate-limiter', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 2000 });
