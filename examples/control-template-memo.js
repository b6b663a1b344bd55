'use strict';
// Control for leaky-template-memo.js: the same package and the same requests, with the template
// a constant of the program and the per-request values passed as data, as the package means it
// to be used. The module-level memo holds one template however many requests are served.
//
//   node --expose-gc examples/control-template-memo.js OUTDIR [--rounds 3] [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');
const templates = require('./lib/tiny-templates');

const ORDER_PAGE = '<p>Order {{order}} ({{method}} {{url}}): {{note}}</p><p>{{id}}</p>';

function handleRequest(req) {
  const order = JSON.parse(req.body);
  return templates.render(ORDER_PAGE, { ...req, order: order.order, note: order.note });
}

runSeries('control-template-memo', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest(512));
}, { requests: 1500 });
