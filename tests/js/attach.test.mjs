// `leakscope attach PID` on real Node processes started with no flags: the snapshots arrive over
// the DevTools protocol, the leak is named, the target survives with its inspector closed, and
// every way the inspector can fail to open is refused with one line and exit code 2, without
// ever talking to a port the target does not own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { leakscope, leakscopeAsync, leakscopeBin, scratchDir } from './lib/harness.mjs';
import { nodeBinary } from './lib/node-versions.mjs';

const kPort = 9229;

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function attach(args, timeout = 240000) {
  return leakscopeAsync(['attach', ...args], { timeout });
}

// Socket inodes of a process's fds.
function socketInodes(pid) {
  const out = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]);
    } catch {}
  }
  return out;
}

// LISTEN rows of /proc/PID/net/tcp on `port` whose socket `pid` owns (or, with owner null, any).
function listeners(pid, port, owner = pid) {
  const mine = owner === null ? null : socketInodes(owner);
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port)
    .filter((f) => mine === null || mine.has(f[9]));
}

// Starts `node ARGS` and waits until it has run for a moment (so its signal handlers are set).
async function startNode(args, { bin = process.execPath, uid, readyMs = 700 } = {}) {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], uid });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  await sleep(readyMs);
  return { child, exited, stderr: () => stderr };
}

function alive(child) {
  return child.exitCode === null && child.signalCode === null;
}

// A test that needs port 9229 free skips when someone else on this machine holds it.
function portBusy() {
  return listeners(process.pid, kPort, null).length > 0;
}

test('attach to a plainly started leaky app: names the leak, leaves it alive with its port closed', async (t) => {
  if (portBusy()) return t.skip('port 9229 is held by another process on this machine');
  const app = await startNode(['examples/js-heap-leak.js', '--seconds', '300', '--rate', '512']);
  const dir = scratchDir('attach');
  try {
    const r = await attach([String(app.child.pid), '--interval', '3', '--save', dir, '--json']);
    assert.equal(r.status, 1, `exit ${r.status} ${r.signal}\n${r.stderr}`);
    const j = JSON.parse(r.stdout);
    assert.ok(j.leaks.length >= 1, r.stdout);
    const culprit = JSON.stringify(j.leaks[0]);
    assert.match(culprit, /history/, culprit.slice(0, 2000));
    // The snapshots came over the protocol, in chunks, through one opening of the inspector.
    const figures = r.stderr.split('\n').filter((l) => /objects, .* in [\d,]+ chunks/.test(l));
    assert.equal(figures.length, 3, r.stderr);
    assert.match(r.stderr, /inspector port 127\.0\.0\.1:9229 of PID \d+ was open for [\d.]+ s, now closed/);
    assert.equal(app.stderr().match(/Debugger listening/g).length, 1, app.stderr());
    assert.match(r.stderr, /socket owner checked/);
    assert.deepEqual(readdirSync(dir).sort(), [1, 2, 3].map((n) => `attach-${app.child.pid}-${n}.heapsnapshot`)
      .concat('leakscope-report.html'));
    // The report beside the snapshots carries the same leak document as --json.
    const page = readFileSync(`${dir}/leakscope-report.html`, 'utf8');
    const data = JSON.parse(page.match(/<script type="application\/json" id="leakscope-data">([^<]*)<\/script>/)[1]);
    assert.deepEqual(data.leaks.leaks.map((l) => l.class), j.leaks.map((l) => l.class));
    assert.match(r.stderr, /attach: wrote .*leakscope-report\.html/);
    const info = leakscope(['info', `${dir}/attach-${app.child.pid}-3.heapsnapshot`, '--json']);
    assert.equal(info.status, 0, info.stderr);
    await sleep(500);
    assert.ok(alive(app.child), `the target died: ${app.stderr()}`);
    assert.deepEqual(listeners(app.child.pid, kPort), [], 'the inspector port is still open');
  } finally {
    app.child.kill();
  }
});

test('port 9229 taken by another process: refused, and that process is never contacted', async (t) => {
  if (portBusy()) return t.skip('port 9229 is held by another process on this machine');
  let contacts = 0;
  const server = net.createServer((s) => {
    contacts++;
    s.destroy();
  });
  await new Promise((r) => server.listen(kPort, '127.0.0.1', r));
  const app = await startNode(['-e', 'setInterval(() => {}, 1000)']);
  try {
    const r = await attach([String(app.child.pid), '--open-timeout', '2']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`port 9229 is taken by PID ${process.pid} \\(node\\)`), r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(contacts, 0, 'leakscope connected to a port the target does not own');
    assert.match(app.stderr(), /address already in use/);
    assert.ok(alive(app.child));
  } finally {
    app.child.kill();
    server.close();
  }
});

test('port 9229 held by another Node inspector: refused without attaching to it', async (t) => {
  if (portBusy()) return t.skip('port 9229 is held by another process on this machine');
  const other = await startNode(['--inspect=127.0.0.1:9229', '-e', 'setInterval(() => {}, 1000)'], { readyMs: 1000 });
  const app = await startNode(['-e', 'setInterval(() => {}, 1000)']);
  try {
    assert.equal(listeners(other.child.pid, kPort).length, 1, other.stderr());
    const r = await attach([String(app.child.pid), '--open-timeout', '2']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`port 9229 is taken by PID ${other.child.pid}`), r.stderr);
    await sleep(200);
    assert.doesNotMatch(other.stderr(), /Debugger attached/);
  } finally {
    app.child.kill();
    other.child.kill();
  }
});

for (const major of [22, 24]) {
  test(`--disable-sigusr1 on Node ${major}: refused, the target keeps running`, async (t) => {
    const node = nodeBinary(major);
    if (node.skip) return t.skip(node.skip);
    const app = await startNode(['--disable-sigusr1', '-e', 'setInterval(() => {}, 1000)'], { bin: node.bin });
    try {
      const r = await attach([String(app.child.pid), '--open-timeout', '1']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /blocks SIGUSR1|SIGUSR1 is still pending/, r.stderr);
      assert.match(r.stderr, /disable-sigusr1/);
      assert.ok(alive(app.child));
      assert.deepEqual(listeners(app.child.pid, kPort), []);
    } finally {
      app.child.kill();
    }
  });
}

test("an app with its own SIGUSR1 listener: refused with the reason", async () => {
  const app = await startNode(['-e', "process.on('SIGUSR1', () => console.error('got it')); setInterval(() => {}, 1000)"]);
  try {
    const r = await attach([String(app.child.pid), '--open-timeout', '1']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /handles SIGUSR1 itself/, r.stderr);
    assert.match(app.stderr(), /got it/);
    assert.ok(alive(app.child));
  } finally {
    app.child.kill();
  }
});

test('not a Node process, no such PID, a bad PID', async () => {
  const sleeper = spawn('sleep', ['30']);
  try {
    const r = await attach([String(sleeper.pid)]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is not a Node\.js process/, r.stderr);
  } finally {
    sleeper.kill();
  }
  const max = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  let gone = max - 1;
  while (existsSync(`/proc/${gone}`)) gone--;
  const r = await attach([String(gone)]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`no process with PID ${gone}`), r.stderr);
  const bad = await attach(['-5']);
  assert.equal(bad.status, 2);
});

test("another user's process is refused, even for root", async (t) => {
  if (process.getuid() !== 0) return t.skip('needs root to start a process as another user');
  const app = await startNode(['-e', 'setInterval(() => {}, 1000)'], { uid: 65534 });
  try {
    const r = await attach([String(app.child.pid)]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /belongs to user 65534/, r.stderr);
    assert.doesNotMatch(app.stderr(), /Debugger listening/, 'it was signalled');
    assert.ok(alive(app.child));
  } finally {
    app.child.kill();
  }
});

test('Ctrl-C between snapshots: the inspector is closed before leakscope stops', async (t) => {
  if (portBusy()) return t.skip('port 9229 is held by another process on this machine');
  const app = await startNode(['examples/js-heap-leak.js', '--seconds', '300', '--rate', '256']);
  try {
    const child = spawn(leakscopeBin(), ['attach', String(app.child.pid), '--interval', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const done = new Promise((r) => child.on('close', (status) => r(status)));
    while (!/snapshot 1\/3: [\d,]+ objects/.test(stderr)) {
      assert.equal(child.exitCode, null, stderr);
      await sleep(100);
    }
    assert.equal(listeners(app.child.pid, kPort).length, 1, 'the inspector is open during the session');
    child.kill('SIGINT');
    assert.equal(await done, 130, stderr);
    assert.match(stderr, /was open for [\d.]+ s, now closed/, stderr);
    assert.match(stderr, /interrupted after 1 of 3 snapshots/, stderr);
    assert.deepEqual(listeners(app.child.pid, kPort), []);
    assert.ok(alive(app.child));
  } finally {
    app.child.kill();
  }
});

test('a target that finishes while attached exits on time, not kept alive by us', async (t) => {
  if (portBusy()) return t.skip('port 9229 is held by another process on this machine');
  const app = await startNode(['-e', 'const keep = []; const t = setInterval(() => keep.push({}), 10); setTimeout(() => clearInterval(t), 4000)']);
  const started = Date.now();
  const r = await attach([String(app.child.pid), '--interval', '10']);
  const { code } = await app.exited;
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /the target is exiting/, r.stderr);
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 9000, `the target lived ${Date.now() - started} ms`);
});

test('an inspector opened before (--inspect=127.0.0.1:9231) is used and left open', async () => {
  const app = await startNode(['--inspect=127.0.0.1:9231', '-e', 'const keep = []; setInterval(() => keep.push({ n: keep.length }), 5)'], { readyMs: 1000 });
  try {
    const r = await attach([String(app.child.pid), '--interval', '1', '--json']);
    // The verdict is the first test's subject; here, that the three snapshots came.
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.equal(r.stderr.match(/objects, .* in [\d,]+ chunks/g).length, 3, r.stderr);
    assert.match(r.stderr, /already had its inspector on 127\.0\.0\.1:9231/, r.stderr);
    assert.match(r.stderr, /stays open \(it was open before we came\)/, r.stderr);
    assert.equal(app.stderr().match(/Debugger listening/g).length, 1, 'it was signalled again');
    assert.equal(listeners(app.child.pid, 9231).length, 1);
    assert.ok(alive(app.child));
  } finally {
    app.child.kill();
  }
});

test('a main thread blocked in a synchronous call: refused; the late inspector is closed by the next attach', async (t) => {
  if (portBusy()) return t.skip('port 9229 is held by another process on this machine');
  const app = await startNode(['-e', "require('node:child_process').execSync('sleep 3'); const keep = []; setInterval(() => keep.push({ n: keep.length }), 5)"]);
  try {
    const r = await attach([String(app.child.pid), '--open-timeout', '1']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /blocked in a synchronous call/, r.stderr);
    // The signal is acted on once the call returns: the port opens with nobody attached.
    while (listeners(app.child.pid, kPort).length === 0) await sleep(100);
    const again = await attach([String(app.child.pid), '--interval', '1']);
    assert.ok(again.status === 0 || again.status === 1, again.stderr);
    assert.equal(again.stderr.match(/objects, .* in [\d,]+ chunks/g).length, 3, again.stderr);
    assert.match(again.stderr, /already had its inspector .*it is closed at the end/, again.stderr);
    assert.match(again.stderr, /was open for [\d.]+ s, now closed/, again.stderr);
    assert.deepEqual(listeners(app.child.pid, kPort), []);
    assert.ok(alive(app.child));
  } finally {
    app.child.kill();
  }
});

test('a target in its own network namespace is reached inside it', async (t) => {
  if (process.getuid() !== 0) return t.skip('needs root to enter another network namespace');
  if (spawnSync('unshare', ['-n', 'true']).status !== 0) return t.skip('unshare -n is not available here');
  const app = await startNode(['-n', 'sh', '-c', `ip link set lo up 2>/dev/null; exec ${process.execPath} examples/js-heap-leak.js --seconds 300 --rate 512`], { bin: 'unshare', readyMs: 1500 });
  try {
    const pid = Number(spawnSync('pgrep', ['-P', String(app.child.pid)], { encoding: 'utf8' }).stdout.trim() || app.child.pid);
    const r = await attach([String(pid), '--interval', '2']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /runs in another network namespace; working inside it/);
    assert.match(r.stderr, /was open for [\d.]+ s, now closed/);
    assert.match(r.stdout, /history/);
  } finally {
    app.child.kill();
  }
});
