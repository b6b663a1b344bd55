#!/usr/bin/env node
// Lists the C++ sources the addon compiles (used by binding.gyp): the binding's own files
// (src/addon) plus every engine source they reach through #include, so HeapDiff and the leak
// detector run the very code the CLI runs, and nothing the agent never calls (the watcher's
// fork/exec, the CLI's renderers) is built into it. A header `src/x/y.h` brings in `src/x/y.cc`
// when that exists; build-addon.js then checks that no project symbol was left undefined.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');
const include_re = /^\s*#\s*include\s+"([^"]+)"/gm;

const seen = new Set();
const sources = [];
const queue = fs.readdirSync(path.join(src, 'addon')).filter((n) => /\.(cc|h)$/.test(n)).sort()
  .map((n) => `addon/${n}`);
while (queue.length) {
  const rel = queue.shift();
  if (seen.has(rel)) continue;
  seen.add(rel);
  const file = path.join(src, rel);
  if (!fs.existsSync(file)) continue;  // a system or third-party header
  if (rel.endsWith('.cc')) sources.push(`src/${rel}`);
  for (const m of fs.readFileSync(file, 'utf8').matchAll(include_re)) {
    queue.push(m[1]);
    if (m[1].endsWith('.h')) queue.push(m[1].replace(/\.h$/, '.cc'));
  }
}
process.stdout.write(sources.sort().join('\n') + '\n');
