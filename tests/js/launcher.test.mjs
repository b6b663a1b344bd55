// bin/leakscope.js, the npm package's `leakscope` command, in a package tree of its own where a
// small shell script stands in for the native CLI (build/Release/leakscope): the arguments, stdin,
// stdout, stderr and exit code pass through unchanged, a signal sent to the launcher reaches the
// CLI, a CLI killed by a signal makes the launcher die of it too, and a missing CLI is one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kRepoRoot, scratchDir } from './lib/harness.mjs';

const dir = scratchDir('launcher');

function packageWith(name, script) {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  copyFileSync(path.join(kRepoRoot, 'bin', 'leakscope.js'), path.join(root, 'bin', 'leakscope.js'));
  if (script !== null) {
    mkdirSync(path.join(root, 'build', 'Release'), { recursive: true });
    const cli = path.join(root, 'build', 'Release', 'leakscope');
    writeFileSync(cli, `#!/bin/sh\n${script}\n`);
    chmodSync(cli, 0o755);
  }
  return path.join(root, 'bin', 'leakscope.js');
}

test('arguments, stdio and the exit code pass through', () => {
  const launcher = packageWith('echo', 'for a in "$@"; do echo "arg:$a"; done; cat; echo oops >&2; exit 7');
  const r = spawnSync(process.execPath, [launcher, 'leaks', 'a b', '--json', ''], { input: 'from stdin\n', encoding: 'utf8' });
  assert.equal(r.status, 7);
  assert.equal(r.stdout, 'arg:leaks\narg:a b\narg:--json\narg:\nfrom stdin\n');
  assert.equal(r.stderr, 'oops\n');
});

test('a signal sent to the launcher reaches the CLI', async () => {
  const launcher = packageWith('trap', "trap 'echo got-term; exit 42' TERM; echo ready; i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done");
  const child = spawn(process.execPath, [launcher], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve) => child.stdout.on('data', (d) => { out += d; if (out.includes('ready')) resolve(); }));
  child.kill('SIGTERM');
  const [code, signal] = await new Promise((r) => child.on('exit', (c, s) => r([c, s])));
  assert.equal(signal, null);
  assert.equal(code, 42);
  assert.match(out, /got-term/);
});

test('a CLI killed by a signal: the launcher dies of the same signal', () => {
  const launcher = packageWith('killed', 'kill -USR2 $$');
  const r = spawnSync(process.execPath, [launcher], { encoding: 'utf8' });
  assert.equal(r.signal, 'SIGUSR2');
});

test('no native CLI: one line saying what is wrong, exit code 2', () => {
  const launcher = packageWith('missing', null);
  const r = spawnSync(process.execPath, [launcher, '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^leakscope: the native CLI is not built \(no .*build\/Release\/leakscope\); .*npm rebuild leakscope/);
});
