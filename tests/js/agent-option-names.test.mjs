// Each name of the agent's API has one home, and lib/index.d.ts must say the same. The `leak`
// option names live in lib/options.js (JS) and kLeakOptionKeys in src/addon/leak_methods.h (the
// addon, which reports every key it knows in leakState().options); the other options in
// lib/options.js; the methods on lib/index.js's agent. The .d.ts is read as text, so a name added
// on one side only fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const leakscope = require(root);
leakscope.configure({ signal: false });
const options = require(path.join(root, 'lib', 'options.js'));
const dts = readFileSync(path.join(root, 'lib', 'index.d.ts'), 'utf8');

// The member names of `interface <name> {...}` (no nested braces at the top level of its body
// other than inline object types, which the regexp's anchoring skips).
function interface_members(name) {
  const start = dts.indexOf(`interface ${name} `);
  assert.ok(start >= 0, `index.d.ts has no interface ${name}`);
  const open = dts.indexOf('{', start);
  let depth = 0;
  let end = open;
  for (; end < dts.length; end++) {
    if (dts[end] === '{') depth++;
    else if (dts[end] === '}' && --depth === 0) break;
  }
  const body = dts.slice(open + 1, end);
  const names = new Set();
  // Top-level members only: those indented one step deeper than the interface keyword.
  const indent = dts.slice(dts.lastIndexOf('\n', start) + 1, start).length + 2;
  const member = new RegExp(`^ {${indent}}(?:readonly\\s+)?(\\w+)\\??\\s*[(:]`, 'gm');
  for (const m of body.matchAll(member)) names.add(m[1]);
  return [...names].sort();
}

const sorted = (names) => [...names].sort();

test('the leak option names: lib/options.js, the addon and index.d.ts agree', () => {
  assert.equal(options.leak_option_names.length, 9);
  assert.deepEqual(sorted(Object.keys(leakscope._binding.leakState().options)), sorted(options.leak_option_names));
  assert.deepEqual(interface_members('LeakOptions'), sorted(options.leak_option_names));
  assert.deepEqual(sorted(Object.keys(leakscope.configure({}).leak)), sorted(options.leak_option_names));
});

test('the other option names: lib/options.js, its defaults, configure() and index.d.ts agree', () => {
  assert.deepEqual(sorted(Object.keys(options.defaults)), sorted(options.option_names));
  assert.deepEqual(interface_members('Options'), sorted([...options.option_names, 'leak']));
  assert.deepEqual(sorted(Object.keys(leakscope.configure({}))), sorted([...options.option_names, 'leak']));
});

test('the agent exports what index.d.ts declares, and no test or benchmark hook', () => {
  const inherited = new Set(Object.getOwnPropertyNames(EventEmitter.prototype));
  const declared = interface_members('LeakScope').filter((n) => !inherited.has(n));
  // _events, _eventsCount, _maxListeners: EventEmitter's own; _binding: the raw binding, for
  // diagnostics (README: leakState()).
  const exported = Object.keys(leakscope).filter((n) => !n.startsWith('_'));
  assert.deepEqual(sorted(exported), sorted(declared));
  for (const hook of ['setGcHooks', 'v8SnapshotBaseline', 'checkSnapshotReader']) {
    assert.equal(leakscope[hook], undefined, hook);
    assert.equal(leakscope._binding[hook], undefined, `${hook} on the binding's public methods`);
    assert.equal(typeof require(path.join(root, 'lib', 'internal.js'))[hook], 'function', hook);
  }
  // The package's exports map does not reach the internal hooks.
  assert.throws(() => require('leakscope/lib/internal.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
});
