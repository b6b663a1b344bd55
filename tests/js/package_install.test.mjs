// The npm package as a user gets it: `npm pack`, then the tarball installed globally
// (`npm i -g --prefix P`) and into a fresh app (`npm i ../leakscope-x.y.z.tgz`) on a machine that
// has node, npm, python3, make and g++ but none of the Debian -dev headers the CMake build uses:
// each install runs in its own mount namespace (`unshare -m`, root only) with an empty tmpfs over
// /usr/include/{fmt,nlohmann,CLI,boost}, so the build can only use what the package carries. Then
// the installed `leakscope` command, `npx leakscope` in the app and `require('leakscope')` run on
// real snapshots; and an install where Node's headers cannot be found must fail with one line
// saying what to install.
//
// Each install compiles the addon and the CLI (96 files) with LEAKSCOPE_TEST_JOBS (default 2)
// jobs: the whole test took 37 min on this 2-core machine under a load of 6-11 (other builds),
// which suggests about 10-12 min when it has the machine to itself (ctest runs it alone).
//
// npm takes the package's dependencies (node-addon-api, uplot) from its cache when it has them
// (--prefer-offline); without them and without the registry, the test skips and says why.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kRepoRoot, scratchDir } from './lib/harness.mjs';

const hidden = ['/usr/include/fmt', '/usr/include/nlohmann', '/usr/include/CLI', '/usr/include/boost'];
const jobs = process.env.LEAKSCOPE_TEST_JOBS || '2';
const dir = scratchDir('package');
const prefix = path.join(dir, 'prefix');
const app = path.join(dir, 'app');
const snaps = path.join(dir, 'snaps');
let tarball = null;
let skip = null;
const installs = {};

function sh(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  return { status: r.status, signal: r.signal, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '',
           stderr: r.stderr ?? '', error: r.error };
}

// Runs a command in a private mount namespace with the given folders hidden under empty tmpfs.
const hideScript = path.join(dir, 'hide.sh');
writeFileSync(hideScript, '#!/bin/sh\n# usage: hide.sh DIR... -- COMMAND...\nset -e\n' +
  'while [ "$1" != "--" ]; do [ -d "$1" ] && mount -t tmpfs -o size=1m leakscope-hidden "$1"; shift; done\n' +
  'shift\nexec "$@"\n');
chmodSync(hideScript, 0o755);
function hiding(folders, cmd, args, options) {
  return sh('unshare', ['-m', hideScript, ...folders, '--', cmd, ...args], options);
}

const npmEnv = { ...process.env, LEAKSCOPE_JOBS: jobs, npm_config_update_notifier: 'false' };
const npmFlags = ['--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=error'];

function networkTrouble(out) {
  return /ENOTCACHED|EAI_AGAIN|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH/.test(out) &&
         !/leakscope: /.test(out);
}

function timed(fn) {
  const t = process.hrtime.bigint();
  const r = fn();
  r.seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return r;
}

before(() => {
  if (process.getuid?.() !== 0) return void (skip = 'needs root for unshare -m and mount (hiding the -dev headers)');
  const probe = hiding([dir], 'true', []);
  if (probe.status !== 0) return void (skip = `unshare -m cannot mount here: ${probe.out.trim()}`);

  const pack = sh('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], { cwd: kRepoRoot, env: npmEnv });
  assert.equal(pack.status, 0, pack.out);
  const name = readdirSync(dir).find((f) => /^leakscope-.*\.tgz$/.test(f));
  assert.ok(name, `npm pack wrote no tarball: ${pack.out}`);
  tarball = path.join(dir, name);

  installs.global = timed(() => hiding(hidden, 'npm', ['i', '-g', '--prefix', prefix, tarball, ...npmFlags],
                                       { cwd: dir, env: npmEnv }));
  if (installs.global.status !== 0 && networkTrouble(installs.global.out)) {
    return void (skip = `npm has neither the registry nor node-addon-api and uplot in its cache: ${installs.global.out.trim().split('\n')[0]}`);
  }
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  installs.app = timed(() => hiding(hidden, 'npm', ['i', `../${name}`, ...npmFlags], { cwd: app, env: npmEnv }));
  for (const [where, r] of Object.entries(installs)) {
    console.log(`# npm install (${where}): ${r.seconds.toFixed(0)} s, exit ${r.status}; ` +
                (r.out.match(/leakscope: built .*/) || ['(no build line)'])[0]);
  }

  // Three snapshots of a small app that leaks, as the README's quick start takes them.
  const series = sh(process.execPath, ['--expose-gc', 'examples/leaky-class-array.js', snaps], { cwd: kRepoRoot });
  assert.equal(series.status, 0, series.out);
});

test('the tarball carries the sources, the launcher, the vendored headers and their licences', (t) => {
  if (skip) return t.skip(skip);
  const list = sh('tar', ['-tzf', tarball]).stdout.split('\n').map((f) => f.replace(/^package\//, ''));
  for (const f of ['bin/leakscope.js', 'binding.gyp', 'scripts/build-addon.js', 'scripts/layers.js',
                   'lib/index.js', 'lib/index.d.ts', 'vendor/include/fmt/core.h', 'vendor/include/CLI/CLI.hpp',
                   'vendor/include/nlohmann/json.hpp', 'vendor/include/boost/beast/websocket.hpp',
                   'vendor/include/boost/LICENSE_1_0.txt', 'vendor/licenses/fmt/copyright',
                   'vendor/licenses/CLI11/copyright', 'vendor/licenses/nlohmann-json/copyright',
                   'vendor/licenses/boost/LICENSE_1_0.txt']) {
    assert.ok(list.includes(f), `${f} is in the tarball`);
  }
  // What binding.gyp compiles and generates must be packed: every layer's sources and scripts.
  const spec = JSON.parse(readFileSync(path.join(kRepoRoot, 'src', 'layers.json'), 'utf8'));
  for (const layer of spec.layers) {
    for (const f of readdirSync(path.join(kRepoRoot, 'src', layer.name))) {
      assert.ok(list.includes(`src/${layer.name}/${f}`), `src/${layer.name}/${f} is in the tarball`);
    }
    for (const g of [].concat(layer.generated || [])) {
      for (const f of [g.script, ...(g.inputs || []).filter((i) => !i.startsWith('node_modules/'))]) assert.ok(list.includes(f), `${f} (generates ${g.output}) is in the tarball`);
    }
  }
  // Only the Boost headers attach's client opens, not all of Boost (160 MB).
  const boost = list.filter((f) => f.startsWith('vendor/include/boost/')).length;
  assert.ok(boost > 100 && boost < 3000, `${boost} Boost headers`);
});

test('npm i -g: the leakscope command, with the -dev headers hidden', (t) => {
  if (skip) return t.skip(skip);
  assert.equal(installs.global.status, 0, installs.global.out);
  const bin = path.join(prefix, 'bin', 'leakscope');
  const version = sh(bin, ['--version']);
  assert.equal(version.status, 0, version.out);
  assert.match(version.stdout, /^leakscope \d+\.\d+\.\d+/);

  const snapshot = path.join(dir, 'one.heapsnapshot');
  const write = sh(process.execPath, ['-e', `require('v8').writeHeapSnapshot(${JSON.stringify(snapshot)})`]);
  assert.equal(write.status, 0, write.out);
  const summary = sh(bin, ['summary', snapshot, '--json']);
  assert.equal(summary.status, 0, summary.out);
  const classes = JSON.parse(summary.stdout).classes ?? JSON.parse(summary.stdout).rows;
  assert.ok(Array.isArray(classes) && classes.length > 10, summary.stdout.slice(0, 300));

  const help = sh(bin, ['--help']);
  for (const cmd of ['summary', 'leaks', 'diff', 'attach', 'watch', 'gclog', 'check', 'path', 'top']) {
    assert.match(help.stdout, new RegExp(`\\b${cmd}\\b`), `--help lists ${cmd}`);
  }
});

// attach speaks the DevTools protocol through Boost.Beast, which only vendor/include provided.
test('npm i -g: leakscope attach finds the leak in a running app', async (t) => {
  if (skip) return t.skip(skip);
  assert.equal(installs.global.status, 0, installs.global.out);
  const target = spawn(process.execPath, ['examples/js-heap-leak.js', '--seconds', '300', '--rate', '512'],
                       { cwd: kRepoRoot, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 700));  // its signal handlers are set
    const r = sh(path.join(prefix, 'bin', 'leakscope'), ['attach', String(target.pid), '--interval', '3', '--json'],
                 { timeout: 240000 });
    assert.equal(r.status, 1, r.out);
    assert.ok(JSON.parse(r.stdout).leaks.length >= 1, r.stdout);
    assert.equal(r.stderr.split('\n').filter((l) => /objects, .* in [\d,]+ chunks/.test(l)).length, 3, r.stderr);
  } finally {
    target.kill();
  }
});

test('npm i in an app: npx leakscope leaks finds the leak', (t) => {
  if (skip) return t.skip(skip);
  assert.equal(installs.app.status, 0, installs.app.out);
  const files = [1, 2, 3].map((k) => path.join(snaps, `s${k}.heapsnapshot`));
  const r = sh('npx', ['leakscope', 'leaks', ...files, '--json'], { cwd: app, env: npmEnv });
  assert.equal(r.status, 1, r.out);  // 1: a leak was found
  const j = JSON.parse(r.stdout);
  assert.equal(j.leak, true, j.verdict);
  assert.equal(j.leaks[0].class, 'AuditEntry', j.verdict);
  // The launcher passes the CLI's errors and exit code through unchanged.
  const bad = sh('npx', ['leakscope', 'summary', path.join(dir, 'missing.heapsnapshot')],
                 { cwd: app, env: npmEnv });
  assert.equal(bad.status, 2, bad.out);
  assert.match(bad.stderr, /missing\.heapsnapshot/);
});

test("npm i in an app: require('leakscope').gc() and the drop-in entry points", (t) => {
  if (skip) return t.skip(skip);
  assert.equal(installs.app.status, 0, installs.app.out);
  const code = "const l = require('leakscope'); const s = l.gc(); require('leakscope/heapdump'); " +
               "const m = require('leakscope/memwatch'); const d = new m.HeapDiff(); " +
               'console.log(JSON.stringify({full: s.num_full_gc, used: s.used_heap_size, nodes: d.end().after.nodes}))';
  const r = sh(process.execPath, ['-e', code], { cwd: app });
  assert.equal(r.status, 0, r.out);
  const j = JSON.parse(r.stdout);
  assert.ok(j.full >= 1 && j.used > 0 && j.nodes > 1000, r.stdout);
});

test('no Node headers and no way to fetch them: one line says what to install', (t) => {
  if (skip) return t.skip(skip);
  // Node's own headers hidden too (this node's are in <prefix>/include/node); node-gyp's cache
  // empty and its download address dead.
  const nodeHeaders = path.join(path.dirname(path.dirname(process.execPath)), 'include', 'node');
  const base = { ...npmEnv, npm_config_devdir: path.join(dir, 'empty-node-gyp-cache'),
                 npm_config_dist_url: 'http://127.0.0.1:2' };
  const cases = [
    // (a user npmrc may name a nodedir: none here)
    ['looked up', { npm_config_userconfig: path.join(dir, 'no-npmrc') }, /no headers for Node\.js v\d+.*fetching them failed.*nodejs-dev.*--nodedir/],
    ['given with --nodedir', { npm_config_nodedir: path.dirname(path.dirname(process.execPath)) },
     /no Node\.js headers .* in --nodedir .*nodejs-dev/],
  ];
  for (const [how, extra, want] of cases) {
    const other = path.join(dir, `app-no-headers-${cases.findIndex((c) => c[0] === how)}`);
    mkdirSync(other);
    writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: 'app2', version: '1.0.0', private: true }));
    const r = hiding([...hidden, nodeHeaders], 'npm', ['i', tarball, ...npmFlags], { cwd: other, env: { ...base, ...extra } });
    if (networkTrouble(r.out)) return t.skip(`npm cannot get the dependencies: ${r.out.trim().split('\n')[0]}`);
    assert.notEqual(r.status, 0, `${how}: ${r.out}`);
    const ours = r.out.split('\n').filter((l) => l.includes('leakscope: '));
    assert.equal(ours.length, 1, `${how}: ${r.out}`);
    assert.match(ours[0], want, how);
    assert.doesNotMatch(r.out, /g\+\+ |gyp info|In file included|\.cc:\d+/, `${how}: no compiler output`);
    assert.ok(!existsSync(path.join(other, 'node_modules', 'leakscope', 'build', 'Release', 'leakscope.node')));
  }
});
