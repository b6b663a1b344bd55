// require('leakscope/heapdump') and require('leakscope/memwatch') against the published test
// suites of the packages they replace (heapdump 0.3.15's test/, run by tap as its package.json
// says; memwatch 0.2.2's tests.js, run by mocha), UNMODIFIED: the tarballs are fetched with
// `npm pack` (cached under the build directory), their tests are copied next to a package shim
// (node_modules/heapdump/index.js = require('leakscope/heapdump')) so that their
// require('../') and require('./') load our entry points through package.json "exports".
// Their runners and assertion libraries are our devDependencies (tap 0.4.13, shelljs 0.3.0,
// mocha 1.2.2, should 0.6.3: the versions their package.json asks for).
// Then what those suites do not check: return values, error codes, the signal, the shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync,
         writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
const build_dir = process.env.LEAKSCOPE_BUILD_DIR || path.join(root, 'build', 'release');
const cache = path.join(build_dir, 'peer-packages');
const fixture = path.join(here, 'fixtures', 'dropin.cjs');
const project_require = createRequire(path.join(root, 'package.json'));

function fetch_peer(name, version) {
  const file = path.join(cache, `${name}-${version}.tgz`);
  if (!existsSync(file)) {
    mkdirSync(cache, { recursive: true });
    const r = spawnSync('npm', ['pack', `${name}@${version}`, '--pack-destination', cache, '--silent'],
                        { encoding: 'utf8', timeout: 180000 });
    assert.equal(r.status, 0, `npm pack ${name}@${version}: ${r.stderr}`);
  }
  assert.ok(existsSync(file), `npm pack wrote no ${file}`);
  return file;
}

// A devDependency's bin script (when `bin` is given), and the node_modules it lives in (NODE_PATH
// for the suites, which run outside this tree).
function dev_package(name, bin) {
  let manifest;
  try {
    manifest = project_require.resolve(`${name}/package.json`);
  } catch {
    assert.fail(`devDependency ${name} is not installed: run \`npm ci\``);
  }
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  const rel = bin && (typeof pkg.bin === 'string' ? pkg.bin : pkg.bin[bin]);
  return { script: rel && path.join(path.dirname(manifest), rel), node_modules: path.dirname(path.dirname(manifest)) };
}

// temp/node_modules/{leakscope -> this tree, <name>/ (the shim and the package's own tests)}.
function peer_dir(temp, name, version, entry, copy) {
  const unpacked = path.join(temp, `${name}-pkg`);
  mkdirSync(unpacked);
  const r = spawnSync('tar', ['xzf', fetch_peer(name, version), '-C', unpacked], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const modules = path.join(temp, 'node_modules');
  mkdirSync(modules, { recursive: true });
  if (!existsSync(path.join(modules, 'leakscope'))) symlinkSync(root, path.join(modules, 'leakscope'), 'dir');
  const dir = path.join(modules, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  writeFileSync(path.join(dir, 'index.js'), `module.exports = require(${JSON.stringify(entry)});\n`);
  for (const item of copy) cpSync(path.join(unpacked, 'package', item), path.join(dir, item), { recursive: true });
  return dir;
}

function env_with(node_modules) {
  const env = { ...process.env, NODE_PATH: [node_modules, process.env.NODE_PATH].filter(Boolean).join(path.delimiter) };
  delete env.NODE_HEAPDUMP_OPTIONS;
  delete env.LEAKSCOPE_OPTIONS;
  return env;
}

test('heapdump 0.3.15\'s own test suite passes against leakscope/heapdump', { timeout: 600000 }, () => {
  const temp = mkdtempSync(path.join(tmpdir(), 'leakscope-heapdump-'));
  try {
    const dir = peer_dir(temp, 'heapdump', '0.3.15', 'leakscope/heapdump', ['test']);
    const tap = dev_package('tap', 'tap');
    dev_package('shelljs');
    const env = env_with(tap.node_modules);
    const same = spawnSync(process.execPath, ['-p', 'require("heapdump") === require("leakscope/heapdump")'],
                           { cwd: temp, env, encoding: 'utf8' });
    assert.equal(same.stdout.trim(), 'true', same.stderr);
    // package.json: "test": "tap test/test-*"
    const tests = readdirSync(path.join(dir, 'test')).filter((f) => f.startsWith('test-')).sort();
    assert.equal(tests.length, 4, tests.join());
    const r = spawnSync(process.execPath, [tap.script, ...tests.map((f) => `test/${f}`)],
                        { cwd: dir, env, encoding: 'utf8', timeout: 300000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    for (const f of tests) assert.match(r.stdout, new RegExp(`^ok test/${f}`, 'm'), r.stdout);
    assert.match(r.stdout, /^total \.+ (\d+)\/\1$/m, r.stdout);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
});

test('memwatch 0.2.2\'s own tests.js passes against leakscope/memwatch', { timeout: 600000 }, () => {
  const temp = mkdtempSync(path.join(tmpdir(), 'leakscope-memwatch-'));
  try {
    const dir = peer_dir(temp, 'memwatch', '0.2.2', 'leakscope/memwatch', ['tests.js']);
    // _mocha is the runner; mocha 1.2.2's bin/mocha only re-spawns it with node flags, through
    // spawn's long-gone customFds, which loses its output on current Node.
    const mocha = dev_package('mocha', '_mocha');
    dev_package('should');
    const env = env_with(mocha.node_modules);
    // package.json: "test": "mocha tests"
    const r = spawnSync(process.execPath, [mocha.script, 'tests'], { cwd: dir, env, encoding: 'utf8', timeout: 300000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /5 tests complete/, r.stdout);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
});

function run_fixture(mode, env_extra = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-dropin-'));
  try {
    const env = { ...process.env, ...env_extra };
    if (!('NODE_HEAPDUMP_OPTIONS' in env_extra)) delete env.NODE_HEAPDUMP_OPTIONS;
    const r = spawnSync(process.execPath, [fixture, mode, dir], { encoding: 'utf8', env, timeout: 120000 });
    const lines = r.stdout.split('\n').filter(Boolean);
    return { status: r.status, signal: r.signal, stderr: r.stderr, result: lines.length ? JSON.parse(lines[0]) : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('leakscope/heapdump: true/false, (err, filename), heapdump\'s names and error text with code', () => {
  const r = run_fixture('heapdump-api');
  assert.equal(r.status, 0, r.stderr);
  const o = r.result;
  assert.equal(o.named, true);
  assert.deepEqual(o.named_args, [null, 'named.heapsnapshot']);
  assert.equal(o.default, true);
  assert.equal(o.default_args[0], null);
  assert.match(o.default_args[1], /^heapdump-\d+\.\d+\.heapsnapshot$/);
  assert.equal(o.non_string, true, 'a non-string filename means the default name, as heapdump');
  assert.equal(o.no_callback_error, false);
  assert.equal(o.error, false);
  assert.deepEqual(o.error_args, [1, true, 'heapdump write error ENOENT', 'ENOENT']);
  assert.equal(o.files.length, 3, JSON.stringify(o.files));
  assert.equal(o.files.filter((f) => /^heapdump-\d+\.\d+\.heapsnapshot$/.test(f)).length, 2);
});

test('leakscope/heapdump: SIGUSR2 writes a snapshot; NODE_HEAPDUMP_OPTIONS=nosignal as heapdump', () => {
  let r = run_fixture('signal');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.result, { files: 1 });
  // Loaded with the main API too: one snapshot per signal, not two.
  r = run_fixture('signal-both');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.result, { files: 2 });
  // nosignal: no handler, so SIGUSR2's default action ends the process, as with heapdump; an
  // unknown option is reported with heapdump's words.
  r = run_fixture('signal', { NODE_HEAPDUMP_OPTIONS: 'nosignal, bogus' });
  assert.equal(r.signal, 'SIGUSR2');
  assert.match(r.stderr, /^node-heapdump: unrecognized option: bogus$/m);
});

test('leakscope/memwatch: memwatch\'s shapes and class names; the main API keeps DevTools\' names', () => {
  const r = run_fixture('memwatch-api');
  assert.equal(r.status, 0, r.stderr);
  const o = r.result;
  assert.deepEqual(o.stats_keys, ['num_full_gc', 'num_inc_gc', 'heap_compactions', 'usage_trend', 'estimated_base',
                                  'current_base', 'min', 'max']);
  assert.equal(o.gc_returns, 'undefined');
  assert.deepEqual(o.diff_keys, {
    top: ['before', 'after', 'change'],
    before: ['nodes', 'time', 'size_bytes', 'size'],
    after: ['nodes', 'time', 'size_bytes', 'size'],
    change: ['size_bytes', 'size', 'freed_nodes', 'allocated_nodes', 'details'],
    detail: ['what', 'size_bytes', 'size', '+', '-'],
  });
  assert.equal(o.time_is_date, true);
  for (const name of ['String', 'LeakingClass']) assert.ok(o.names.includes(name), o.names.join());
  assert.ok(!o.names.some((n) => n === '' || n.startsWith('(')), o.names.join());
  assert.ok(o.main_names.includes('(string)') && !o.main_names.includes('String'), o.main_names.join());
  assert.deepEqual(o.instance_keys, []);
  assert.equal(o.no_new, 'TypeError: Use the new operator to create instances of this object.');
  assert.equal(o.double_end, 'attempt to end() a HeapDiff that was already ended');
});
