#!/usr/bin/env node
// Lists the C++ sources the addon compiles (used by binding.gyp): the binding itself plus the core
// engine, so HeapDiff and the leak detector run the very code the CLI runs.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const dirs = ['src/addon', 'src/heap', 'src/analysis', 'src/series', 'src/report'];
const out = [];
for (const dir of dirs) {
  let names = [];
  try {
    names = fs.readdirSync(path.join(root, dir));
  } catch {
    continue;
  }
  for (const name of names.sort()) if (name.endsWith('.cc')) out.push(`${dir}/${name}`);
}
process.stdout.write(out.join('\n') + '\n');
