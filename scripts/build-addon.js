#!/usr/bin/env node
// Builds the agent addon (build/Release/leakscope.node) with node-gyp, offline, against the headers
// of the Node that runs this script: <prefix>/include/node, where <prefix> comes from
// process.execPath (or process.config). node-gyp is never allowed to download headers.
//
// Run by `npm install` (the package's install script) and by scripts/test.sh. It uses `configure`
// and `build`, never `rebuild`/`clean`: those would delete build/, which CMake's build trees share.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');

function has_headers(prefix) {
  return prefix && fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) &&
         fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi'));
}

function find_nodedir() {
  const candidates = [
    process.env.LEAKSCOPE_NODEDIR,
    path.dirname(path.dirname(fs.realpathSync(process.execPath))),
    path.dirname(path.dirname(process.execPath)),
    process.config && process.config.variables && process.config.variables.node_prefix,
    process.env.npm_config_nodedir,
  ];
  for (const c of candidates) if (has_headers(c)) return c;
  return null;
}

function find_node_gyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  const prefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin',
                            'node-gyp.js'));
  // npm itself: <npm>/bin/npm-cli.js -> <npm>/node_modules/node-gyp
  if (process.env.npm_execpath) {
    candidates.push(path.join(path.dirname(path.dirname(process.env.npm_execpath)), 'node_modules',
                              'node-gyp', 'bin', 'node-gyp.js'));
  }
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  return null;
}

const nodedir = find_nodedir();
if (!nodedir) {
  console.error(`leakscope: no Node headers (include/node/node.h) next to ${process.execPath}; ` +
                'install the Node development headers or set LEAKSCOPE_NODEDIR');
  process.exit(1);
}
const gyp = find_node_gyp();
if (!gyp) {
  console.error('leakscope: node-gyp not found (it ships with npm); set npm_config_node_gyp');
  process.exit(1);
}
const jobs = process.env.LEAKSCOPE_JOBS || '2';
const debug = process.argv.includes('--debug') ? ['--debug'] : [];
for (const step of [['configure'], ['build', `--jobs=${jobs}`]]) {
  const args = [gyp, ...step, `--nodedir=${nodedir}`, '--loglevel=warn', ...debug];
  const r = spawnSync(process.execPath, args, {cwd: root, stdio: 'inherit'});
  if (r.status !== 0) {
    console.error(`leakscope: node-gyp ${step[0]} failed (nodedir ${nodedir})`);
    process.exit(r.status || 1);
  }
}

// A shared object may leave symbols undefined, and Node loads addons lazily: a layer missing from
// binding.gyp's dependencies would only fail when first called. So refuse a build that leaves
// any of the project's own symbols undefined.
const addon = path.join(root, 'build', debug.length ? 'Debug' : 'Release', 'leakscope.node');
const nm = spawnSync('nm', ['-u', '-C', addon], {encoding: 'utf8'});
if (nm.status === 0) {
  const missing = nm.stdout.split('\n').filter((l) => l.includes('leakscope::'));
  if (missing.length) {
    console.error(`leakscope: the addon leaves project symbols undefined (add their sources):\n${missing.join('\n')}`);
    process.exit(1);
  }
}
