'use strict';
// Control (no leak): per-request metadata in a WeakMap keyed by the request object, and a
// WeakRef cache of rendered fragments. Once a request is done, its entries go with it; the
// WeakRef targets are collected. Nothing here is a leak, though each round allocates plenty.
//
//   node --expose-gc examples/control-weak.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class RequestTiming {
  constructor() {
    this.start = Date.now();
    this.marks = [];
  }
}

const timings = new WeakMap();
const fragments = new Map();  // key -> WeakRef<Fragment>; bounded: 50 keys

class Fragment {
  constructor(html) {
    this.html = html;
  }
}

function handleRequest(req, i) {
  timings.set(req, new RequestTiming());
  timings.get(req).marks.push('parsed');
  const key = `frag-${i % 50}`;
  const cached = fragments.get(key)?.deref();
  if (!cached) fragments.set(key, new WeakRef(new Fragment(`<p>${req.id}</p>`)));
}

runSeries('control-weak', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest(), i);
}, { requests: 2000 });
