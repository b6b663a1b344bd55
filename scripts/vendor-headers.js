#!/usr/bin/env node
// The package's `prepack` step: copies the header-only C++ libraries the build uses from this
// machine's /usr/include (the Debian -dev packages CMake builds with) into vendor/include, with each
// library's licence, so that `npm install` needs only node, npm, python3, make and g++. binding.gyp
// puts vendor/include first (-isystem); the CMake build keeps using /usr/include.
//
// fmt, CLI11 and nlohmann-json are copied whole (fmt is used header-only, FMT_HEADER_ONLY). Boost
// is 160 MB of headers, so only the files the sources that include it actually open are copied:
// the compiler lists them (g++ -M, and clang++ -M when present: Boost picks some headers by
// compiler). vendor/ is generated and git-ignored; package.json's "files" carries it.
'use strict';
const fs = require('fs');
const path = require('path');
const {spawnSync} = require('child_process');

const root = path.join(__dirname, '..');
const system = '/usr/include';
const vendor = path.join(root, 'vendor');

function fail(message) {
  console.error(`vendor-headers: ${message}`);
  process.exit(1);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {cwd: root, encoding: 'utf8', maxBuffer: 64 << 20});
  if (r.error) return {ok: false, out: '', err: r.error.message};
  return {ok: r.status === 0, out: r.stdout, err: r.stderr};
}

// The Debian package that installed a file, and its version, for the licence and the record.
function debian_package(file) {
  const owner = run('dpkg-query', ['-S', file]);
  if (!owner.ok) fail(`no Debian package owns ${file} (install the -dev packages scripts/install-deps.sh names)`);
  const name = owner.out.split(':')[0].trim();
  const version = run('dpkg-query', ['-W', '-f=${Version}', name]).out.trim();
  return {name, version};
}

function copy_file(from, to) {
  fs.mkdirSync(path.dirname(to), {recursive: true});
  fs.copyFileSync(from, to);
}

function copy_tree(from, to) {
  let n = 0;
  for (const entry of fs.readdirSync(from, {withFileTypes: true})) {
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) n += copy_tree(a, b);
    else if (entry.isFile()) {
      copy_file(a, b);
      ++n;
    }
  }
  return n;
}

function all_sources(dir) {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? all_sources(p) : [p];
  });
}

// Every Boost header the sources that include Boost open, as the compilers see them with the
// flags binding.gyp uses. A header of ours that includes Boost would hide the includer from this
// scan, so that is refused (the layer rule already keeps Boost in one .cc file).
function boost_headers() {
  const sources = all_sources(path.join(root, 'src'));
  const users = sources.filter((f) => /#\s*include\s*<boost\//.test(fs.readFileSync(f, 'utf8')));
  const headers = users.filter((f) => !f.endsWith('.cc'));
  if (headers.length) fail(`${headers.join(', ')} includes Boost: only .cc files may`);
  const files = new Set();
  const compilers = ['g++', 'clang++'].filter((c) => run(c, ['--version']).ok);
  if (!compilers.includes('g++')) fail('g++ is needed to list the Boost headers');
  for (const cc of compilers) {
    for (const src of users) {
      const r = run(cc, ['-std=c++20', '-DFMT_HEADER_ONLY', '-Isrc', '-M', path.relative(root, src)]);
      if (!r.ok) fail(`${cc} -M ${path.relative(root, src)} failed: ${r.err.split('\n')[0]}`);
      for (const word of r.out.split(/[\s\\]+/)) {
        if (word.startsWith(`${system}/boost/`)) files.add(path.normalize(word));
      }
    }
  }
  return {users: users.map((f) => path.relative(root, f)), files: [...files].sort()};
}

// Debian's copyright file holds Boost's licence as the "License: BSL-1.0" stanza; the headers say
// "See accompanying file LICENSE_1_0.txt", so that is written from it, word for word.
function boost_licence(copyright) {
  const lines = fs.readFileSync(copyright, 'utf8').split('\n');
  const start = lines.findIndex((l, i) => l.trim() === 'License: BSL-1.0' &&
                                          (lines[i + 1] || '').trim().startsWith('Boost Software License'));
  if (start < 0) fail(`no "License: BSL-1.0" stanza in ${copyright}`);
  const body = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(' ')) break;
    body.push(line.trim() === '.' ? '' : line.slice(1));
  }
  return body.join('\n') + '\n';
}

function main() {
  fs.rmSync(vendor, {recursive: true, force: true});
  const include = path.join(vendor, 'include');
  const licences = path.join(vendor, 'licenses');
  const record = [];

  for (const [lib, dir, probe] of [['fmt', 'fmt', 'fmt/core.h'], ['CLI11', 'CLI', 'CLI/CLI.hpp'],
                                   ['nlohmann-json', 'nlohmann', 'nlohmann/json.hpp']]) {
    const from = path.join(system, dir);
    if (!fs.existsSync(path.join(system, probe))) fail(`${path.join(system, probe)} is missing`);
    const pkg = debian_package(path.join(system, probe));
    const n = copy_tree(from, path.join(include, dir));
    copy_file(`/usr/share/doc/${pkg.name}/copyright`, path.join(licences, lib, 'copyright'));
    record.push(`${lib}: ${dir}/ (${n} files) from Debian ${pkg.name} ${pkg.version}`);
  }

  const {users, files: boost} = boost_headers();
  if (!boost.length) fail('no Boost header found: is libboost-dev installed?');
  const pkg = debian_package(boost.find((f) => f.endsWith('/version.hpp')) || boost[0]);
  for (const file of boost) copy_file(file, path.join(include, path.relative(system, file)));
  const licence = boost_licence(`/usr/share/doc/${pkg.name}/copyright`);
  fs.mkdirSync(path.join(licences, 'boost'), {recursive: true});
  fs.writeFileSync(path.join(licences, 'boost', 'LICENSE_1_0.txt'), licence);
  fs.writeFileSync(path.join(include, 'boost', 'LICENSE_1_0.txt'), licence);
  record.push(`Boost: ${boost.length} headers of boost/ (those ${users.join(', ')} opens) ` +
              `from Debian ${pkg.name} ${pkg.version}`);

  fs.writeFileSync(path.join(vendor, 'README.md'),
                   '# Vendored headers\n\nGenerated by `scripts/vendor-headers.js` when the package ' +
                   'is packed; do not edit. Licences are in `licenses/<library>/`.\n\n' +
                   record.map((r) => `- ${r}`).join('\n') + '\n');
  console.error(`vendor-headers: ${record.join('; ')}`);
}

main();
