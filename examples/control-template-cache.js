'use strict';
// Control (no leak) for leaky-template-cache.js, as the fix writes it: the template text is
// fixed and the user's data goes in the view, so the cache holds one entry per template and is
// full after the first requests.
//
//   node --expose-gc examples/control-template-cache.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');
const { parse, renderTokens } = require('./lib/mustache-tokens');

const templateCache = {};
const tags = ['{{', '}}'];

function render(template, view) {
  const key = template + ':' + tags.join(' ');
  let tokens = templateCache[key];
  if (!tokens) templateCache[key] = tokens = parse(template);
  return renderTokens(tokens, view);
}

const pages = Array.from({ length: 40 }, (_, i) =>
  `<h1>{{title}} (page ${i})</h1><ul>{{#orders}}<li>{{sku}} × {{qty}}</li>{{/orders}}</ul><footer>{{total}}</footer>`);

function handleRequest(req, i) {
  const view = { title: `Orders of ${req.id}`, orders: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }], total: 3 };
  return render(pages[i % pages.length], view).length;
}

runSeries('control-template-cache', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest(), i);
}, { requests: 1000 });
