#!/usr/bin/env node
// Reads src/layers.json, the one description of the layers that CMake, binding.gyp and the layer
// check (tests/layers_test.mjs) all build from, so the addon compiles exactly the engine the CLI
// links, with the same warnings.
//   node scripts/layers.js warnings        the warning flags, one per line
//   node scripts/layers.js sources LAYER   LAYER's sources (src/LAYER/*.cc), one per line
//   node scripts/layers.js deps LAYER      the layers LAYER may include and link, one per line
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function load() {
  return JSON.parse(fs.readFileSync(path.join(root, 'src', 'layers.json'), 'utf8'));
}

function layer(spec, name) {
  const l = spec.layers.find((x) => x.name === name);
  if (!l) throw new Error(`layers.js: no layer "${name}" in src/layers.json`);
  return l;
}

// A layer is its folder: every .cc file in it, as CMake's glob sees it.
function sources(name) {
  const dir = path.join(root, 'src', name);
  return fs.readdirSync(dir).filter((n) => n.endsWith('.cc')).sort().map((n) => `src/${name}/${n}`);
}

module.exports = {load, layer, sources};

if (require.main === module) {
  const [what, name] = process.argv.slice(2);
  const spec = load();
  let out;
  if (what === 'warnings') {
    out = spec.warnings;
  } else if (what === 'sources') {
    layer(spec, name);
    out = sources(name);
  } else if (what === 'deps') {
    out = layer(spec, name).may_include;
  } else {
    console.error('usage: layers.js warnings | sources LAYER | deps LAYER');
    process.exit(2);
  }
  process.stdout.write(out.join('\n') + '\n');
}
