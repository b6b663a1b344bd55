'use strict';
// A template cache keyed by the template's text: a mustache-style renderer caches the parsed
// tokens of every template under `template + ':' + tags`. The app builds its templates with the
// user's name already in them, so every request brings a template nobody will render again, and
// the cache (a plain object used as a dictionary) gains a key per request forever.
//
//   node --expose-gc examples/leaky-template-cache.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

const templateCache = {};
const tags = ['{{', '}}'];

// Tokens as mustache writes them: [type, value, start, end] arrays, and a section's tokens nested
// in its token, so a parsed template is a tree of small arrays.
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
  if (!tokens) templateCache[key] = tokens = parse(template);  // the bug: the key is unbounded
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

function handleRequest(req) {
  // The user's name is pasted into the template instead of passed in the view.
  const template = `<h1>Orders of ${req.id}</h1><ul>{{#orders}}<li>{{sku}} × {{qty}}</li>{{/orders}}</ul>` +
    '<footer>{{total}}</footer>';
  return render(template, { orders: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }], total: 3 }).length;
}

runSeries('leaky-template-cache', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 1000 });
