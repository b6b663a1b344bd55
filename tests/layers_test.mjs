// The layer rule, checked on every test run: a file under src/LAYER/ includes project headers only
// from LAYER itself and the layers src/layers.json lets LAYER include (the ones it links). CMake
// links each layer against those alone, but a header-only use of a higher layer links fine, so
// the includes are read here.
import assert from 'node:assert/strict';
import {createRequire} from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// Known departures, each "file -> header", while one is being removed: none today.
const ALLOWED = new Set([]);

const INCLUDE = /^\s*#\s*include\s+"([^"/]+)\/([^"]+)"/gm;

// Every include of a project header from a layer the including file's layer may not use, as
// "file -> header" strings, for the tree under `tree`.
export function layer_violations(tree) {
  const spec = JSON.parse(fs.readFileSync(path.join(tree, 'src', 'layers.json'), 'utf8'));
  const names = new Set(spec.layers.map((l) => l.name));
  const out = [];
  for (const layer of spec.layers) {
    const allowed = new Set([layer.name, ...layer.may_include]);
    const dir = path.join(tree, 'src', layer.name);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).filter((n) => /\.(cc|h)$/.test(n)).sort()) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(INCLUDE)) {
        if (names.has(m[1]) && !allowed.has(m[1])) {
          out.push(`src/${layer.name}/${file} -> ${m[1]}/${m[2]}`);
        }
      }
    }
  }
  return out;
}

test('no file includes a header from a layer above its own', () => {
  const found = layer_violations(root).filter((v) => !ALLOWED.has(v));
  assert.deepEqual(found, [], 'upward includes (see the layer table in ARCHITECTURE.md)');
});

test('every allowed departure still exists (delete the entry once it is gone)', () => {
  const found = new Set(layer_violations(root));
  assert.deepEqual([...ALLOWED].filter((v) => !found.has(v)), []);
});

test('the check reports an upward include and a sideways one', () => {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'leakscope-layers-'));
  try {
    fs.mkdirSync(path.join(tree, 'src', 'heap'), {recursive: true});
    fs.mkdirSync(path.join(tree, 'src', 'series'), {recursive: true});
    fs.copyFileSync(path.join(root, 'src', 'layers.json'), path.join(tree, 'src', 'layers.json'));
    fs.writeFileSync(path.join(tree, 'src', 'heap', 'a.h'),
                     '#include "heap/b.h"\n#include <vector>\n  #  include "report/format.h"\n');
    fs.writeFileSync(path.join(tree, 'src', 'series', 'c.cc'), '#include "analysis/census.h"\n');
    assert.deepEqual(layer_violations(tree),
                     ['src/heap/a.h -> report/format.h', 'src/series/c.cc -> analysis/census.h']);
  } finally {
    fs.rmSync(tree, {recursive: true, force: true});
  }
});

test('CMake and binding.gyp take each layer from the same list', () => {
  const layers = require(path.join(root, 'scripts', 'layers.js'));
  const spec = layers.load();
  const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
  // binding.gyp names no layer: it asks layers.js for the layers each face needs, so a new layer
  // is built without editing it.
  for (const group of ['--needed-by addon', '--needed-by cli --not-needed-by addon']) {
    assert.ok(gyp.includes(`layers.js sources ${group})`), `binding.gyp builds the layers ${group}`);
  }
  for (const face of ['addon', 'cli']) assert.ok(gyp.includes(`layers.js sources ${face})`), `binding.gyp builds ${face}`);
  // The two libraries hold every layer the addon and the CLI need, each once; the addon's only
  // what it may include (live/ is the CLI's alone).
  const engine = layers.group_layers(spec, 'addon');
  const cliOnly = layers.group_layers(spec, 'cli', 'addon');
  assert.deepEqual(engine, layers.needed_by(spec, 'addon'));
  assert.deepEqual([...engine, ...cliOnly].sort(), [...new Set([...engine, ...layers.needed_by(spec, 'cli')])].sort());
  assert.ok(cliOnly.includes('live') && !engine.includes('live'));
  for (const name of [...engine, ...cliOnly]) {
    assert.ok(layers.sources(name).length > 0 || layers.generated(spec, [name]).length > 0, `src/${name} has sources`);
  }
});
