'use strict';
// Control (no leak): a fixed-capacity LRU cache that is already full. It churns (every miss evicts
// the oldest entry), so objects allocated in each interval are still alive at the end, which is
// exactly what memlab's method reports as a leak; the cache itself never grows.
//
//   node --expose-gc examples/control-lru.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class LruCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.entries = new Map();
  }
  get(key) {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key, value) {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value);
  }
}

class RenderedPage {
  constructor(url, html) {
    this.url = url;
    this.html = html;
  }
}

const pageCache = new LruCache(1000);

function handleRequest(req) {
  const key = `${req.url}?v=${req.id}`;
  let page = pageCache.get(key);
  if (!page) pageCache.set(key, (page = new RenderedPage(req.url, `<main>${req.id}</main>`)));
  return page.html.length;
}

// Filled before the first snapshot; each round then replaces fewer entries than the capacity, so
// every interval leaves survivors in the last snapshot.
for (let i = 0; i < 1200; i++) handleRequest(fakeRequest());

runSeries('control-lru', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 600 });
