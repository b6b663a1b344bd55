'use strict';
// An unbounded Map cache keyed by request id: responses are cached "for retries", but the key is
// unique per request, so nothing is ever hit again and nothing is ever evicted.
//
//   node --expose-gc examples/leaky-request-cache.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class CachedResponse {
  constructor(status, body) {
    this.status = status;
    this.body = body;
    this.cachedAt = Date.now();
  }
}

const responseCache = new Map();  // the leak: keyed by a value that is never seen twice

function handleRequest(req) {
  const hit = responseCache.get(req.id);
  if (hit) return hit;
  const order = JSON.parse(req.body);
  const response = new CachedResponse(200, JSON.stringify({ ok: true, order: order.order, items: [1, 2, 3] }));
  responseCache.set(req.id, response);
  return response;
}

runSeries('leaky-request-cache', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 1500 });
