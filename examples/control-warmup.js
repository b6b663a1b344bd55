'use strict';
// Control (no leak): a memoization cache over a bounded key space. It fills during the first
// round (warm-up) and then only serves hits: it plateaus. The first interval looks like growth;
// the later ones do not.
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
  for (let i = 0; i < requests; i++) quote(Math.floor(Math.random() * 100000) % 500);
}, { requests: 5000 });
