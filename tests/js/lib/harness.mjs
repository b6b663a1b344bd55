// Shared helpers for the node:test suites: run the leakscope CLI, write fixture snapshots into a
// per-run scratch directory, and compare rows.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const kRepoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const kFixtures = join(kRepoRoot, 'tests', 'fixtures');

export function leakscopeBin() {
  const bin = process.env.LEAKSCOPE_BIN || join(kRepoRoot, 'build', 'release', 'leakscope');
  if (!existsSync(bin)) {
    throw new Error(`leakscope binary not found at ${bin}: build it (scripts/build.sh) or set LEAKSCOPE_BIN`);
  }
  return bin;
}

// Runs `leakscope ARGS`; returns { status, signal, stdout, stderr }.
export function leakscope(args, options = {}) {
  const r = spawnSync(leakscopeBin(), args, {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: options.timeout ?? 300000,
    input: options.input,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// Runs `leakscope ARGS` without blocking the test (for commands that run an app or attach to one,
// while the test signals or inspects it): onStart(child) gets the child process; the result,
// { status, signal, stdout, stderr }, comes once the child has exited and its pipes are drained.
// A child still running after `timeout` ms is killed (SIGKILL).
export function leakscopeAsync(args, { timeout = 240000, onStart } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(leakscopeBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    if (onStart) onStart(child);
    // 'close' waits for the pipes, but an app leakscope leaves running (run --keep-running) holds
    // them open: after the exit, wait for them half a second at most.
    let ended = null;
    const finish = () => resolvePromise({ ...ended, stdout, stderr });
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      ended = { status, signal };
      setTimeout(finish, 500);
    });
    child.on('close', () => finish());  // always after 'exit'; a second resolve is a no-op
  });
}

// Runs leakscope and parses its --json output, failing loudly with its stderr.
export function leakscopeJson(args) {
  const r = leakscope(args);
  if (r.status !== 0 || r.signal !== null) {
    throw new Error(`leakscope ${args.join(' ')} exited ${r.status} (signal ${r.signal}):\n${r.stderr}`);
  }
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`leakscope ${args.join(' ')} printed invalid JSON (${e.message}):\n${r.stdout.slice(0, 2000)}`);
  }
}

export function summaryJson(snapshot, extra = []) {
  return leakscopeJson(['summary', snapshot, '--json', '--top', '0', ...extra]);
}

export function infoJson(snapshot) {
  return leakscopeJson(['info', snapshot, '--json']);
}

// A scratch directory removed when the process exits (unless LEAKSCOPE_KEEP_TMP is set).
export function scratchDir(tag) {
  const dir = mkdtempSync(join(process.env.LEAKSCOPE_TMP || tmpdir(), `leakscope-${tag}-`));
  if (!process.env.LEAKSCOPE_KEEP_TMP) {
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
}

// A snapshot of a bare `node -e` process: small and real, written at test time.
export function writeBareSnapshot(out) {
  const r = spawnSync(process.execPath, ['-e', 'require("v8").writeHeapSnapshot(process.argv[1])', out],
                      { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`writing ${out} failed (${r.status}, ${r.signal}):\n${r.stderr}`);
  return out;
}

// Writes a fixture snapshot with the given node binary (default: the one running the tests).
export function writeFixture(name, out, nodeBin = process.execPath) {
  const r = spawnSync(nodeBin, ['--expose-gc', join(kFixtures, name), out], {
    encoding: 'utf8',
    timeout: 300000,
  });
  if (r.status !== 0) {
    throw new Error(`${nodeBin} ${name} failed (${r.status}, ${r.signal}):\n${r.stderr}`);
  }
  return out;
}

// Rows of `summary --json` by name; throws when a name is ambiguous and `unique` is set.
export function rowsNamed(summary, name) {
  return summary.classes.filter((c) => c.name === name);
}

export function oneRow(summary, name) {
  const rows = rowsNamed(summary, name);
  if (rows.length !== 1) {
    const near = summary.classes.filter((c) => c.name.includes(name.slice(0, 6))).map((c) => c.name);
    throw new Error(`expected one row named ${JSON.stringify(name)}, found ${rows.length}; similar: ${JSON.stringify(near.slice(0, 10))}`);
  }
  return rows[0];
}

// Runs a program (e.g. an example app writing its snapshots) without blocking the event loop, so
// that suites can run several at once; rejects with its stderr when it exits non-zero.
export function runProgram(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')}: ${code} ${err}`))));
  });
}
