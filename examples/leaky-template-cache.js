'use strict';
// A template cache keyed by the template's text: a mustache-style renderer caches the parsed
// tokens of every template under `template + ':' + tags`. The app builds its templates with the
// user's name already in them, so every request brings a template nobody will render again, and
// the cache (a plain object used as a dictionary) gains a key per request forever.
//
//   node --expose-gc examples/leaky-template-cache.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');
const { parse, renderTokens } = require('./lib/mustache-tokens');

const templateCache = {};
const tags = ['{{', '}}'];

function render(template, view) {
  const key = template + ':' + tags.join(' ');
  let tokens = templateCache[key];
  if (!tokens) templateCache[key] = tokens = parse(template);  // the bug: the key is unbounded
  return renderTokens(tokens, view);
}

function handleRequest(req) {
  // The user's name is pasted into the template instead of passed in the view.
  const template = `<h1>Orders of ${req.id}</h1><ul>{{#orders}}<li>{{sku}} × {{qty}}</li>{{/orders}}</ul>` +
    '<footer>{{total}}</footer>';
  return render(template, { orders: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }], total: 3 }).length;
}

runSeries('leaky-template-cache', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 1000 });
