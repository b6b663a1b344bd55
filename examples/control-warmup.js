'use strict';
// Control (no leak): a memoization cache over a bounded key space (500 skus). Half of the skus
// are seen before the first snapshot, the rest between the first and the second (warm-up); after
// that it only serves hits: it plateaus. The first interval looks like growth; the last does not.
//
//   node --expose-gc examples/control-warmup.js OUTDIR [--requests N]
const { runSeries } = require('./lib/snapshot-series');

class PriceQuote {
  constructor(sku) {
    this.sku = sku;
    this.price = (sku * 7919) % 1000;
    this.currency = 'EUR';
  }
}

const quotes = new Map();  // at most 500 skus exist

function quote(sku) {
  let q = quotes.get(sku);
  if (!q) quotes.set(sku, (q = new PriceQuote(sku)));
  return q.price;
}

runSeries('control-warmup', (k, requests) => {
  const skus = k === 1 ? 250 : 500;
  for (let i = 0; i < requests; i++) quote(Math.floor(Math.random() * 100000) % skus);
}, { requests: 5000 });
