'use strict';
// The parsing and rendering half of a mustache-style renderer, shared by leaky-template-cache.js
// and its control: what differs between them is only how they key their cache of parsed tokens.
//
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

function renderTokens(tokens, view) {
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

module.exports = { parse, renderTokens };
