#!/usr/bin/env node
// Builds the agent addon (build/Release/leakscope.node) and the `leakscope` command
// (build/Release/leakscope) with node-gyp: the package's install script. In a source checkout
// (CMakeLists.txt beside it), CMake builds the command, so only the addon is built there unless
// --cli is given; --addon-only asks for the addon anywhere.
//
// What a user sees is one line: what was built and how long it took, or what is wrong. node-gyp's
// and the compiler's output goes to build/leakscope-build.log, whose path a failure names.
//   - Node's headers: a --nodedir (npm_config_nodedir, LEAKSCOPE_NODEDIR), else the ones installed
//     beside this node, else node-gyp's cache, else node-gyp fetches them; if that fails too, one
//     line says what to install.
//   - Parallel: LEAKSCOPE_JOBS, JOBS or npm's --jobs, else one job per CPU.
//   - Incremental: `configure` and `build`, never `rebuild`/`clean` (those would delete build/,
//     which CMake's build trees share); make skips what is up to date.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');

const root = path.join(__dirname, '..');
const log_file = path.join(root, 'build', 'leakscope-build.log');
const version = process.versions.node;

function fail(message) {
  console.error(`leakscope: ${message}`);
  process.exit(1);
}

function has_headers(dir) {
  const inc = dir && path.join(dir, 'include', 'node');
  return !!inc && fs.existsSync(path.join(inc, 'node_api.h')) &&
         fs.existsSync(path.join(inc, 'node.h')) && fs.existsSync(path.join(inc, 'common.gypi'));
}

function headers_version(dir) {
  try {
    const text = fs.readFileSync(path.join(dir, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => (text.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`)) || [])[1];
    return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  } catch {
    return null;
  }
}

// node-gyp's own cache (its --devdir): <devdir>/<version>/include/node.
function gyp_cache_dir() {
  const devdir = process.env.npm_config_devdir ||
                 path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'node-gyp');
  return path.join(devdir.replace(/^~/, os.homedir()), version);
}

function local_nodedir() {
  const beside = [
    path.dirname(path.dirname(fs.realpathSync(process.execPath))),
    path.dirname(path.dirname(process.execPath)),
    process.config && process.config.variables && process.config.variables.node_prefix,
  ];
  for (const dir of beside) if (has_headers(dir) && headers_version(dir) === version) return dir;
  return null;
}

function run_logged(args, timeout_ms) {
  const fd = fs.openSync(log_file, 'a');
  fs.writeSync(fd, `\n$ ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  const r = spawnSync(args[0], args.slice(1), {cwd: root, stdio: ['ignore', fd, fd], timeout: timeout_ms});
  fs.closeSync(fd);
  return r;
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

const headers_help = 'install the Node.js development headers for this node (Debian/Ubuntu: apt-get ' +
                     'install libnode-dev or nodejs-dev; Fedora: nodejs-devel; Alpine: nodejs-dev) or ' +
                     'point npm at a Node.js tree with --nodedir=DIR';

// Where node-gyp finds Node's headers; fetches them into its cache when nothing local has them.
function find_nodedir(gyp) {
  const given = process.env.LEAKSCOPE_NODEDIR || process.env.npm_config_nodedir;
  if (given) {
    if (!has_headers(given)) fail(`no Node.js headers (include/node/node_api.h, node.h, common.gypi) in --nodedir ${given}; ${headers_help}`);
    return given;
  }
  const local = local_nodedir();
  if (local) return local;
  const cache = gyp_cache_dir();
  if (has_headers(cache)) return cache;
  const offline = ['true', '1'].includes(String(process.env.npm_config_offline));
  let why = 'npm is offline';
  if (!offline) {
    const r = run_logged([process.execPath, gyp, 'install', version, '--loglevel=warn'], 180000);
    if (r.status === 0 && has_headers(cache)) return cache;
    why = r.error ? r.error.message
                  : error_line(/stack \w*Error: |request to .* failed|E[A-Z]{4,}|status code/) ||
                    `node-gyp install exited with ${r.status}`;
  }
  fail(`no headers for Node.js v${version} beside ${process.execPath}, nor in node-gyp's cache ` +
       `${cache}, and fetching them failed (${why}); ${headers_help}`);
}

function on_path(name) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

// node-gyp needs make, a C++ compiler and Python; say which is missing before it does, at length.
function check_tools() {
  const cxx = (process.env.CXX || '').split(/\s+/).filter(Boolean)[0];
  const missing = [];
  if (!on_path(process.env.MAKE || 'make')) missing.push('make');
  if (cxx ? !(path.isAbsolute(cxx) ? fs.existsSync(cxx) : on_path(cxx)) : !on_path('g++') && !on_path('c++')) {
    missing.push(cxx || 'g++');
  }
  if (!process.env.PYTHON && !process.env.npm_config_python && !on_path('python3')) missing.push('python3');
  if (missing.length) {
    fail(`building the native addon and the CLI needs make, a C++20 compiler (g++ 10+ or clang 13+) ` +
         `and python3; missing: ${missing.join(', ')}`);
  }
}

// The line of the log that says what went wrong: the first matching `preferred`, else the
// compiler's first error, else node-gyp's.
function error_line(preferred) {
  let text = '';
  try {
    text = fs.readFileSync(log_file, 'utf8');
  } catch {}
  const lines = text.split('\n');
  const first = (preferred && lines.find((l) => preferred.test(l))) ||
                lines.find((l) => /\berror\b/i.test(l) && !/^gyp (ERR|info)/.test(l)) ||
                lines.find((l) => /\berror\b/i.test(l));
  return first ? first.replace(/^gyp ERR! (stack )?/, '').trim().slice(0, 300) : '';
}

// npm deletes a package whose install failed, build/ and its log with it: keep a copy.
function keep_log() {
  const copy = path.join(os.tmpdir(), `leakscope-build-${process.pid}.log`);
  try {
    fs.copyFileSync(log_file, copy);
    return copy;
  } catch {
    return log_file;
  }
}

function jobs() {
  for (const v of [process.env.LEAKSCOPE_JOBS, process.env.JOBS, process.env.npm_config_jobs]) {
    if (v && /^([1-9]\d*|max)$/i.test(v)) return v.toLowerCase() === 'max' ? String(os.cpus().length) : v;
  }
  return String(os.availableParallelism ? os.availableParallelism() : os.cpus().length);
}

function main() {
  const argv = process.argv.slice(2);
  const debug = argv.includes('--debug');
  const checkout = fs.existsSync(path.join(root, 'CMakeLists.txt'));
  const cli = argv.includes('--cli') || process.env.LEAKSCOPE_BUILD_CLI === '1' ||
              (!checkout && !argv.includes('--addon-only'));
  check_tools();
  const gyp = find_node_gyp();
  if (!gyp) fail('node-gyp not found (it ships with npm); set npm_config_node_gyp');
  fs.mkdirSync(path.dirname(log_file), {recursive: true});
  fs.writeFileSync(log_file, `leakscope build, ${new Date().toISOString()}, node ${process.version}\n`);
  const nodedir = find_nodedir(gyp);
  const n = jobs();
  const started = Date.now();
  const common = [`--nodedir=${nodedir}`, '--loglevel=warn', ...(debug ? ['--debug'] : [])];
  // Only the addon: make's alias for it (the CLI is another target of the same Makefile).
  const goals = cli ? [] : ['leakscope.node'];
  for (const step of [['configure'], ['build', ...goals, `--jobs=${n}`]]) {
    const r = run_logged([process.execPath, gyp, ...step, ...common]);
    if (r.status !== 0) {
      const what = r.error ? r.error.message : error_line() || `node-gyp ${step[0]} exited with ${r.status}`;
      fail(`the native build failed: ${what} (full log: ${keep_log()})`);
    }
  }
  const out = path.join(root, 'build', debug ? 'Debug' : 'Release');
  check_addon(path.join(out, 'leakscope.node'));
  if (cli) check_cli(path.join(out, 'leakscope'));
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.error(`leakscope: built ${cli ? 'the addon and the CLI' : 'the addon'} in ${secs} s ` +
                `(${n} jobs, Node headers from ${nodedir}; log: ${log_file})`);
}

// A shared object may leave symbols undefined, and Node loads addons lazily: a layer missing from
// the addon's libraries would only fail when first called. So refuse a build that leaves any of
// the project's own symbols undefined.
function check_addon(addon) {
  const nm = spawnSync('nm', ['-u', '-C', addon], {encoding: 'utf8'});
  if (nm.status !== 0) return;
  const missing = nm.stdout.split('\n').filter((l) => l.includes('leakscope::'));
  if (missing.length) {
    fail(`the addon leaves project symbols undefined (add their sources): ${missing.join('; ')}`);
  }
}

function check_cli(cli) {
  const r = spawnSync(cli, ['--version'], {encoding: 'utf8'});
  if (r.status !== 0) fail(`the built CLI does not start (${cli} --version: ${r.error ? r.error.message : (r.stderr || '').trim()})`);
}

main();
