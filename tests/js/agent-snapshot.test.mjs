// heapdump-style snapshots: writeSnapshot, the triggers of configure(), their rate limits and
// headroom checks, and failures that emit `error` while the process lives on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures', 'agent-snapshot.cjs');
const near_limit_fixture = path.join(here, 'fixtures', 'agent-near-limit.cjs');
const name_re = /^heapdump-\d+\.\d+\.heapsnapshot$/;

function tmp() {
  return mkdtempSync(path.join(tmpdir(), 'leakscope-snap-'));
}

function parse_lines(text) {
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function run_sync(opts, { cwd, env } = {}) {
  const r = spawnSync(process.execPath, [fixture, JSON.stringify(opts)],
                      { encoding: 'utf8', timeout: 40000, cwd, env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stderr: r.stderr, events: parse_lines(r.stdout) };
}

// Starts the fixture and resolves once it printed `ready`; returns helpers to wait for events.
function start(opts, { cwd, env } = {}) {
  const child = spawn(process.execPath, [fixture, JSON.stringify(opts)], { cwd, env: { ...process.env, ...env } });
  const events = [];
  const waiters = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const ev = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      events.push(ev);
      for (const w of [...waiters]) if (w.pred(ev, events)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(ev); }
    }
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  const wait_for = (pred, ms = 20000) => new Promise((resolve, reject) => {
    const found = events.find((e) => pred(e, events));
    if (found) return resolve(found);
    const timer = setTimeout(() => reject(new Error(`timed out; events: ${JSON.stringify(events)} ${stderr}`)), ms);
    waiters.push({ pred, resolve: (e) => { clearTimeout(timer); resolve(e); } });
  });
  return { child, events, wait_for, exited };
}

function snapshot_header_ok(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(64);
  readSync(fd, buf, 0, 64, 0);
  closeSync(fd);
  return buf.toString('latin1').startsWith('{"snapshot":{"meta":');
}

test('writeSnapshot() names the file like heapdump, in the cwd, and calls back synchronously', () => {
  const dir = tmp();
  try {
    const r = run_sync({ scenario: 'write' }, { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const w = r.events.find((e) => e.event === 'write');
    assert.match(w.returned, name_re);
    assert.deepEqual(w.cb_args, [null, w.returned]);
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 2, files.join(' '));
    for (const f of files) {
      assert.match(f, name_re);
      assert.ok(snapshot_header_ok(path.join(dir, f)));
    }
    // The whole file is a DevTools-loadable snapshot: valid JSON with the node count it claims.
    const snap = JSON.parse(readFileSync(path.join(dir, files[0]), 'utf8'));
    assert.equal(snap.nodes.length, snap.snapshot.node_count * snap.snapshot.meta.node_fields.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad path fails with ENOTDIR: callback error, `error` event, or a warning; the process lives', () => {
  const dir = tmp();
  try {
    writeFileSync(path.join(dir, 'file'), 'x');
    const bad = path.join(dir, 'file', 'snap.heapsnapshot');
    let r = run_sync({ scenario: 'write', path: bad });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.events.find((e) => e.event === 'write'), { event: 'write', returned: false, cb_args: ['ENOTDIR', null], cwd: process.cwd() });
    assert.equal(r.events.find((e) => e.event === 'write-no-cb').returned, false);
    const err = r.events.find((e) => e.event === 'error');
    assert.equal(err.code, 'ENOTDIR');
    assert.ok(err.message.includes(bad));
    assert.ok(r.events.find((e) => e.event === 'done'));
    // Without an `error` listener: a warning, not a crash.
    r = run_sync({ scenario: 'write', path: bad, errorListener: false });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.events.find((e) => e.event === 'warning' && e.message.includes('ENOTDIR')));
    assert.ok(r.events.find((e) => e.event === 'done'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a full disk (/dev/full) fails with ENOSPC and the process lives', () => {
  const r = run_sync({ scenario: 'write', path: '/dev/full' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.events.find((e) => e.event === 'write').cb_args, ['ENOSPC', null]);
  assert.ok(r.events.find((e) => e.event === 'done'));
});

test('a read-only directory: triggered snapshots emit `error` and the process lives', async (t) => {
  const dir = tmp();
  const ro = path.join(dir, 'ro');
  mkdirSync(ro);
  // Tests may run as root, which ignores permission bits; the immutable attribute binds root too.
  const lock = spawnSync('chattr', ['+i', ro]);
  if (lock.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    t.skip('chattr +i is not available here');
    return;
  }
  try {
    const p = start({ config: { dir: ro, intervalMs: 100, minIntervalMs: 0, maxCount: 3, signal: false }, scenario: 'idle', ms: 1500 });
    await p.wait_for((e) => e.event === 'done');
    const { code } = await p.exited;
    assert.equal(code, 0);
    const errors = p.events.filter((e) => e.event === 'error');
    assert.ok(errors.length >= 1, JSON.stringify(p.events));
    for (const e of errors) {
      assert.ok(['EPERM', 'EACCES', 'EROFS'].includes(e.code), e.code);
      assert.equal(e.trigger, 'timer');
    }
    assert.equal(p.events.filter((e) => e.event === 'snapshot').length, 0);
    assert.deepEqual(readdirSync(ro), []);
  } finally {
    spawnSync('chattr', ['-i', ro]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGUSR2 by default; maxCount caps the snapshots; the process keeps running', async () => {
  const dir = tmp();
  try {
    const p = start({ config: { dir, minIntervalMs: 0, maxCount: 2 } });
    const ready = await p.wait_for((e) => e.event === 'ready');
    assert.equal(ready.usr2, 1);
    for (let i = 1; i <= 3; i++) {
      p.child.kill('SIGUSR2');
      await p.wait_for((e, all) => all.filter((x) => x.event === 'snapshot' || x.event === 'snapshot-skipped').length >= i);
    }
    const snaps = p.events.filter((e) => e.event === 'snapshot');
    assert.equal(snaps.length, 2);
    for (const s of snaps) {
      assert.equal(s.trigger, 'signal');
      assert.match(path.basename(s.path), name_re);
      assert.ok(statSync(s.path).size === s.bytes && s.bytes > 100000);
    }
    assert.deepEqual(p.events.filter((e) => e.event === 'snapshot-skipped').map((e) => [e.trigger, e.reason]),
                     [['signal', 'max-count']]);
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    assert.equal(code, 0);
    assert.equal(readdirSync(dir).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the signal is configurable, and off with LEAKSCOPE_OPTIONS=nosignal', async () => {
  const dir = tmp();
  try {
    const p = start({ config: { dir, signal: 'SIGHUP', minIntervalMs: 0 } });
    const ready = await p.wait_for((e) => e.event === 'ready');
    assert.equal(ready.usr2, 0, 'SIGUSR2 is released when another signal is chosen');
    p.child.kill('SIGHUP');
    const s = await p.wait_for((e) => e.event === 'snapshot');
    assert.equal(s.trigger, 'signal');
    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0);
    const r = run_sync({ scenario: 'idle', ms: 10 }, { env: { LEAKSCOPE_OPTIONS: 'nosignal' } });
    assert.equal(r.events.find((e) => e.event === 'ready').usr2, 0);
    const r2 = run_sync({ scenario: 'idle', ms: 10 }, { env: { NODE_HEAPDUMP_OPTIONS: 'nosignal' } });
    assert.equal(r2.events.find((e) => e.event === 'ready').usr2, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('timer trigger respects the minimum interval', async () => {
  const dir = tmp();
  try {
    // A 50 ms timer against a 1.5 s minimum interval: the first tick writes, the ticks of the next
    // 1.5 s are refused, then one more may write (snapshots can take long on a loaded machine).
    const p = start({ config: { dir, intervalMs: 50, minIntervalMs: 1500, maxCount: 100, signal: false }, scenario: 'idle', ms: 2500 });
    await p.wait_for((e) => e.event === 'done');
    await p.exited;
    const snaps = p.events.filter((e) => e.event === 'snapshot');
    assert.ok(snaps.length >= 1 && snaps.length <= 2, `${snaps.length} snapshots`);
    // The limiter's own start times (event delivery and write times vary under load).
    const starts = snaps.map((s) => s.started_at);
    for (let i = 1; i < snaps.length; i++) assert.ok(starts[i] - starts[i - 1] >= 1500, `${starts[i] - starts[i - 1]} ms apart`);
    assert.ok(p.events.some((e) => e.event === 'snapshot-skipped' && e.reason === 'min-interval'));
    assert.equal(readdirSync(dir).length, snaps.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('heap-used threshold fires once (rate limited) when the heap crosses it', () => {
  const dir = tmp();
  try {
    const r = run_sync({ config: { dir, heapUsedBytes: 20 * 1024 * 1024, signal: false }, scenario: 'grow' });
    assert.equal(r.status, 0, r.stderr);
    const snaps = r.events.filter((e) => e.event === 'snapshot');
    assert.equal(snaps.length, 1, JSON.stringify(r.events));
    assert.equal(snaps[0].trigger, 'heap-used');
    assert.ok(r.events.some((e) => e.event === 'snapshot-skipped' && e.reason === 'min-interval'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rss threshold fires from the poll; configure() rejects bad options', () => {
  const dir = tmp();
  try {
    const r = run_sync({ config: { dir, rssBytes: 1, pollMs: 100, signal: false }, scenario: 'idle', ms: 600 });
    assert.equal(r.status, 0, r.stderr);
    const snaps = r.events.filter((e) => e.event === 'snapshot');
    assert.equal(snaps.length, 1, JSON.stringify(r.events));
    assert.equal(snaps[0].trigger, 'rss');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const code = `const ls = require(${JSON.stringify(path.join(here, '..', '..'))});
    const bad = [{ nope: 1 }, { signal: 'SIGNOPE' }, { signal: 'SIGKILL' }, { intervalMs: -1 }, { dir: '' },
                 { leak: { minPoints: 'x' } }, { leak: { bogus: 1 } }, { leak: { confidence: 1 } }];
    const out = bad.map((o) => { try { ls.configure(o); return 'accepted'; } catch (e) { return e.name; } });
    const eff = ls.configure({ signal: false, leak: { minDurationMs: 5000 } });
    console.log(JSON.stringify({ out, signal: eff.signal, minDurationMs: eff.leak.minDurationMs, maxCount: eff.maxCount }));`;
  const r2 = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r2.status, 0, r2.stderr);
  assert.deepEqual(JSON.parse(r2.stdout), {
    // A negative number is out of range (RangeError), a string where a number belongs a wrong type.
    out: ['TypeError', 'TypeError', 'TypeError', 'RangeError', 'TypeError', 'TypeError', 'TypeError', 'RangeError'],
    signal: false, minDurationMs: 5000, maxCount: 5,
  });
});

test('memory and disk headroom checks refuse a snapshot with an `error`, not a crash', () => {
  const dir = tmp();
  try {
    for (const [config, reason] of [[{ memoryFactor: 1e9 }, 'memory'], [{ minFreeDiskBytes: 1e18 }, 'disk']]) {
      const r = run_sync({ config: { dir, intervalMs: 50, minIntervalMs: 0, signal: false, ...config }, scenario: 'idle', ms: 300 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.events.filter((e) => e.event === 'snapshot').length, 0);
      assert.ok(r.events.some((e) => e.event === 'snapshot-skipped' && e.reason === reason), reason);
      assert.ok(r.events.some((e) => e.event === 'error' && e.code === `LEAKSCOPE_NO_${reason.toUpperCase()}`));
    }
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('near-heap-limit: one snapshot, then the worker still dies gracefully and main lives', () => {
  const dir = tmp();
  try {
    const r = spawnSync(process.execPath, [near_limit_fixture, dir], { encoding: 'utf8', timeout: 40000 });
    assert.equal(r.status, 0, r.stderr);
    const events = parse_lines(r.stdout);
    const snaps = events.filter((e) => e.event === 'snapshot');
    assert.equal(snaps.length, 1, JSON.stringify(events));
    assert.equal(snaps[0].trigger, 'near-heap-limit');
    assert.ok(snapshot_header_ok(snaps[0].path));
    assert.ok(events.some((e) => e.event === 'worker-error' && e.code === 'ERR_WORKER_OUT_OF_MEMORY'));
    assert.ok(events.some((e) => e.event === 'main-alive'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO (read or not) is refused at once by writeSnapshot and leakscope/heapdump, never waited on', async () => {
  const dir = tmp();
  try {
    const fifo = path.join(dir, 'hf');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo failed');
    const root = path.join(here, '..', '..');
    const code = `const ls = require(${JSON.stringify(root)});
      const hd = require(${JSON.stringify(path.join(root, 'lib', 'heapdump.js'))});
      const fifo = ${JSON.stringify(fifo)};
      const out = {};
      out.returned = ls.writeSnapshot(fifo, (err, p) => { out.cb = [err && err.code, err && err.message, p]; });
      ls.on('error', (err) => { out.event = [err.code, err.path, err.syscall]; });
      out.returned_no_cb = ls.writeSnapshot(fifo);
      out.heapdump = hd.writeSnapshot(fifo, (err, p) => { out.heapdump_cb = [err && err.message, err && err.code, p]; });
      out.heapdump_no_cb = hd.writeSnapshot(fifo);
      console.log(JSON.stringify(out));`;
    // No reader: open() used to block for ever.
    let r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.signal, null, `hung: ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    let out = JSON.parse(r.stdout);
    assert.equal(out.returned, false);
    assert.equal(out.cb[0], 'ENXIO');
    assert.match(out.cb[1], /hf: a FIFO or socket, not a regular file \(ENXIO, open\)/);
    assert.equal(out.cb[2], null);  // undefined, through JSON
    assert.equal(out.returned_no_cb, false);
    assert.deepEqual(out.event, ['ENXIO', fifo, 'open']);
    assert.equal(out.heapdump, false);
    assert.deepEqual(out.heapdump_cb, ['heapdump write error ENXIO', 'ENXIO', null]);
    assert.equal(out.heapdump_no_cb, false);
    // With a reader holding it open (and never reading): refused as well, the reader sees EOF.
    // 3<> opens without waiting for a writer; `ready` once the FIFO has its reader.
    const reader = spawn('sh', ['-c', 'exec 3<>"$0"; echo ready; exec sleep 30', fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((resolve) => reader.stdout.once('data', resolve));
      r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 20000 });
      assert.equal(r.signal, null, `hung: ${r.stderr}`);
      assert.equal(r.status, 0, r.stderr);
      out = JSON.parse(r.stdout);
      assert.equal(out.returned, false);
      assert.equal(out.cb[0], 'ENXIO');
      assert.match(out.cb[1], /hf: a FIFO \(named pipe\), not a regular file \(ENXIO, open\)/);
      assert.deepEqual(out.heapdump_cb, ['heapdump write error ENXIO', 'ENXIO', null]);
    } finally {
      reader.kill();
    }
    assert.ok(statSync(fifo).isFIFO(), 'the FIFO itself stays');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink to a regular file, and /dev/null, still take a snapshot', () => {
  const dir = tmp();
  try {
    const target = path.join(dir, 'real.heapsnapshot');
    writeFileSync(target, 'old');
    const link = path.join(dir, 'link.heapsnapshot');
    spawnSync('ln', ['-s', target, link]);
    const root = path.join(here, '..', '..');
    const code = `const ls = require(${JSON.stringify(root)});
      console.log(JSON.stringify([ls.writeSnapshot(${JSON.stringify(link)}), ls.writeSnapshot('/dev/null')]));`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [link, '/dev/null']);
    assert.ok(snapshot_header_ok(target));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
