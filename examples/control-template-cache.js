'use strict';
// Control (no leak) for leaky-template-cache.js, as the fix writes it: the template text is
// fixed and the user's data goes in the view, so the cache holds one entry per template and is
// full after the first requests.
//
//   node --expose-gc examples/control-template-cache.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

const templateCache = {};
const tags = ['{{', '}}'];

function parse(template) {
  const root = [];
  const stack = [root];
  const re = /\{\{([#/]?)\s*([\w.]+)\s*\}\}/g;
  let last = 0;
  let m;
  while ((m = re.exec(template)) !== null) {
    const top = stack[stack.length - 1];
    if (m.index > last) top.push(['text', template.slice(last, m.index), last, m.index]);
    if (m[1] === '#') {
      const section = ['#', m[2], m.index, re.lastIndex, []];
      top.push(section);
      stack.push(section[4]);
    } else if (m[1] === '/') {
      stack.pop();
    } else {
      top.push(['name', m[2], m.index, re.lastIndex]);
    }
    last = re.lastIndex;
  }
  if (last < template.length) stack[stack.length - 1].push(['text', template.slice(last), last, template.length]);
  return root;
}

function render(template, view) {
  const key = template + ':' + tags.join(' ');
  let tokens = templateCache[key];
  if (!tokens) templateCache[key] = tokens = parse(template);
  const out = [];
  const walk = (list, scope) => {
    for (const t of list) {
      if (t[0] === 'text') out.push(t[1]);
      else if (t[0] === 'name') out.push(String(scope[t[1]] ?? ''));
      else if (t[0] === '#') for (const item of scope[t[1]] ?? []) walk(t[4], item);
    }
  };
  walk(tokens, view);
  return out.join('');
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
