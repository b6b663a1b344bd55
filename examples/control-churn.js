'use strict';
// Control (no leak): heavy garbage churn. Every request allocates parsed bodies, arrays, closures
// and strings, and drops all of them; the heap after a GC is the same size every time.
//
//   node --expose-gc examples/control-churn.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class Invoice {
  constructor(order) {
    this.order = order;
    this.lines = Array.from({ length: 10 }, (_, i) => ({ sku: `sku-${i}`, qty: i + 1 }));
  }
  total() {
    return this.lines.reduce((sum, line) => sum + line.qty, 0);
  }
}

let checksum = 0;
function handleRequest(req) {
  const invoice = new Invoice(JSON.parse(req.body).order);
  const format = (n) => `${req.id}:${n}`;
  checksum += format(invoice.total()).length;
}

runSeries('control-churn', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest(1024));
}, { requests: 3000 });
