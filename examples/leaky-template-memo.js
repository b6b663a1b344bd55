'use strict';
// A module-level memo inside a package grows without bound: each request builds its template
// text with the request's own values (`'Order ' + id + ...`) instead of passing them as data, so
// lib/tiny-templates.js compiles and memoizes a new template per request. The memo is module
// state of a required file: the program reaches it only through require.cache.
//
//   node --expose-gc examples/leaky-template-memo.js OUTDIR [--rounds 3] [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');
const templates = require('./lib/tiny-templates');

function handleRequest(req) {
  const order = JSON.parse(req.body);
  // The bug: the per-request values are baked into the template text, the memo's key.
  const source = `<p>Order ${order.order} ({{method}} {{url}}): ${order.note}</p><p>{{id}}</p>`;
  return templates.render(source, req);
}

runSeries('leaky-template-memo', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest(512));
}, { requests: 1500 });
