#!/usr/bin/env node
// Reads src/layers.json, the one description of the layers that CMake, binding.gyp and the layer
// check (tests/layers_test.mjs) all build from, so the addon and the CLI compile exactly the engine
// CMake links, with the same warnings. binding.gyp names no layer: it asks for the layers a face
// needs, so a new layer or file is picked up without editing it.
//   node scripts/layers.js warnings          the warning flags, one per line
//   node scripts/layers.js sources LAYER     LAYER's sources (src/LAYER/*.cc), one per line
//   node scripts/layers.js deps LAYER        the layers LAYER may include and link, one per line
// A group is the layers face F needs (what it may include, transitively), less those face G needs:
//   GROUP = --needed-by F [--not-needed-by G]
//   node scripts/layers.js layers GROUP             the group's layers
//   node scripts/layers.js sources GROUP            their sources in src/
//   node scripts/layers.js generated-count GROUP    how many sources a script generates
//   node scripts/layers.js generated-inputs GROUP   the scripts (and layers.json)
//   node scripts/layers.js generated-outputs GROUP  the generated sources, for gyp (in its
//                                                   <(SHARED_INTERMEDIATE_DIR)/leakscope)
//   node scripts/layers.js generate GROUP --dir D   runs the scripts, writing in D
// A layer may carry "generated": {"script": S, "output": O} (or a list of them; "inputs": files
// besides S that make the output stale, from the package root): one more source
// of the layer, made by `node S <out-dir>/O` (from the package root), <out-dir> being D/<layer>.
'use strict';
const fs = require('fs');
const path = require('path');
const {spawnSync} = require('child_process');

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

// Every layer `face` may include, directly or through another, in layers.json's order.
function needed_by(spec, face) {
  const seen = new Set();
  const todo = [...layer(spec, face).may_include];
  while (todo.length) {
    const name = todo.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    todo.push(...layer(spec, name).may_include);
  }
  return spec.layers.map((l) => l.name).filter((n) => seen.has(n));
}

function group_layers(spec, face, except_face) {
  const except = new Set(except_face ? needed_by(spec, except_face) : []);
  return needed_by(spec, face).filter((n) => !except.has(n));
}

// The generated sources of some layers: {layer, script, output: LAYER/O}.
function generated(spec, names) {
  const out = [];
  for (const name of names) {
    const g = layer(spec, name).generated;
    for (const entry of g ? [].concat(g) : []) {
      const inputs = entry.inputs || [];
      if (typeof entry.script !== 'string' || typeof entry.output !== 'string' ||
          path.basename(entry.output) !== entry.output || !Array.isArray(inputs)) {
        throw new Error(`layers.js: layer "${name}": "generated" needs a "script", an "output" ` +
                        'file name and, optionally, a list of other "inputs"');
      }
      out.push({layer: name, script: entry.script, output: `${name}/${entry.output}`, inputs});
    }
  }
  return out;
}

function generate(entries, dir) {
  for (const e of entries) {
    const out = path.resolve(root, dir, e.output);
    fs.mkdirSync(path.dirname(out), {recursive: true});
    const r = spawnSync(process.execPath, [e.script, out], {cwd: root, stdio: 'inherit'});
    if (r.status !== 0) {
      console.error(`layers.js: \`node ${e.script} ${out}\` failed (layer ${e.layer})`);
      process.exit(r.status || 1);
    }
  }
}

module.exports = {load, layer, sources, needed_by, group_layers, generated};

function parse_group(args) {
  const face = args[args.indexOf('--needed-by') + 1];
  const i = args.indexOf('--not-needed-by');
  return {face, except: i >= 0 ? args[i + 1] : null};
}

function main(argv) {
  const [what, ...args] = argv;
  const spec = load();
  if (what === 'warnings') return spec.warnings;
  if (what === 'deps') return layer(spec, args[0]).may_include;
  if (!args.includes('--needed-by')) {
    if (what === 'sources' && args.length === 1) {
      // binding.gyp runs the scripts only for the layers the faces link as libraries.
      if (layer(spec, args[0]).generated) {
        throw new Error(`layers.js: layer "${args[0]}" is built as a face, not a library: ` +
                        'it cannot have "generated" sources');
      }
      return sources(args[0]);
    }
    throw new Error('usage');
  }
  const {face, except} = parse_group(args);
  const names = group_layers(spec, face, except);
  const made = generated(spec, names);
  switch (what) {
    case 'layers': return names;
    case 'sources': return names.flatMap(sources);
    case 'generated-count': return [String(made.length)];
    case 'generated-inputs':
      // Only files that are there: make stops on a missing prerequisite (a dependency's file may
      // be hoisted elsewhere in an app's node_modules).
      return [...new Set(['src/layers.json', 'scripts/layers.js',
                          ...made.flatMap((e) => [e.script, ...e.inputs])])]
          .filter((f) => fs.existsSync(path.join(root, f)));
    // gyp expands the variable, so make knows the files where the action writes them.
    case 'generated-outputs':
      return made.map((e) => `<(SHARED_INTERMEDIATE_DIR)/leakscope/${e.output}`);
    case 'generate': {
      const i = args.indexOf('--dir');
      generate(made, i >= 0 ? args[i + 1] : 'build/generated');
      return [];
    }
  }
  throw new Error('usage');
}

if (require.main === module) {
  let out;
  try {
    out = main(process.argv.slice(2));
  } catch (err) {
    console.error(err.message === 'usage' ?
                  'usage: layers.js warnings | sources LAYER | deps LAYER | ' +
                  '(layers|sources|generated-count|generated-inputs|generated-outputs|generate) ' +
                  '--needed-by FACE [--not-needed-by FACE] [--dir D]' : err.message);
    process.exit(2);
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
}
