// `leakscope core`: the class census read from a Node process's memory, without a heap snapshot.
// Real processes with known contents on Node 18, 20, 22 and 24: the census from `--pid` (leakscope's
// own dump), from the core it saves and from a gcore core is compared with the heap snapshot
// census of the same process; the target must survive, resumed, with its RSS not ballooned.
// Bad input (a non-Node process, a mismatched binary, another user's process, no such process,
// truncated and bit-flipped cores) gives one line on stderr and exit code 2, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, openSync, readFileSync, readSync, statSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { kFixtures, leakscope, leakscopeJson, scratchDir, summaryJson } from './lib/harness.mjs';
import { nodeBinary } from './lib/node-versions.mjs';

const dir = scratchDir('core');
// Counts within this fraction of the snapshot's, both ways (the census leaves out dead objects:
// swept, past an allocation top, or that nothing live points at; and the young generation; see
// the README's `leakscope core` section).
const kTolerance = 0.01;
// The plain {id, name} objects are "{name}" as DevTools names them: a heap snapshot has no edge to
// a Smi, so the numeric id is not among the property names.
// At least this many of each (the fixture's own, on top of what Node itself keeps).
const kExpected = { Session: 30000, CacheEntry: 10000, '{name}': 20000 };
// "Object": the fixture's 3,000 objects DevTools cannot name by a property (Smi fields only, none,
// a name of their own) and Node's own; Function: its 1,000 closures and Node's. Its 1,000
// dictionary-mode {host, port} objects are named from their NameDictionary, in its order.
const kAtLeast = {
  '(string)': 40000, '(concatenated string)': 5000, '(sliced string)': 5000, Array: 10000,
  Map: 2000, Set: 2000, Object: 3000, Function: 1000,
};
const kDictionaryNames = ['{host, port}', '{port, host}'];
// Every class the core census shows with this many instances must match the snapshot's census.
const kCompared = 1000;
// Shallow sizes are compared where `leakscope summary` charges an object nothing else: it adds
// the storage an object alone owns (an Array's elements, a Map's table, an external string's
// characters), which the census does not.
const kSizeCompared = new Set(['Session', 'CacheEntry', '{name}', '(concatenated string)', '(sliced string)']);
function startFixture(bin, script = 'core-census.js') {
  const child = spawn(bin, ['--expose-gc', join(kFixtures, script)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = [];
  child.stdout.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (text) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture never printed "${text}"`)), 120000);
    const check = () => {
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      } else {
        waiters.push(check);
      }
    };
    check();
  });
  return { child, waitFor };
}

function stateOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0];
}

function rowCount(json, name) {
  const row = json.classes.find((r) => r.name === name);
  return row ? row.count : 0;
}

function assertClose(actual, expected, what, tolerance = kTolerance) {
  assert.ok(Math.abs(actual - expected) <= Math.max(1, expected * tolerance),
            `${what}: ${actual}, expected ${expected} within ${tolerance * 100} %`);
}

function assertBadInput(r, pattern) {
  assert.equal(r.signal, null, `crashed with ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 2, `exit ${r.status}; stdout ${r.stdout.slice(0, 500)}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  if (pattern) assert.match(r.stderr, pattern);
}

const saved = {};

for (const major of [18, 20, 22, 24]) {
  const node = nodeBinary(major);
  test(`node ${major}: --pid counts what the heap snapshot counts, target unharmed`,
       { skip: node.skip }, async () => {
    const { child, waitFor } = startFixture(node.bin);
    try {
      await waitFor('ready');
      const core = join(dir, `node${major}.core`);
      const live = leakscopeJson(['core', '--pid', String(child.pid), '--json', '--top', '0',
                                  '--save', core]);
      assert.equal(live.approximate, true);
      assert.equal(live.node.build_id_checked, true);
      assert.ok(live.live.stopped_seconds > 0 && live.live.stopped_seconds < 30);
      // Alive and running again, and its memory did not balloon (gcore's failure).
      assert.equal(process.kill(child.pid, 0), true);
      assert.notEqual(stateOf(child.pid), 'T');
      assert.ok(live.live.rss_after < live.live.rss_before * 1.1 + 8e6,
                `RSS ${live.live.rss_before} → ${live.live.rss_after}`);
      for (const [name, n] of Object.entries(kExpected)) assertClose(rowCount(live, name), n, name);

      const snap = join(dir, `node${major}.heapsnapshot`);
      child.stdin.write(`snapshot ${snap}\n`);
      await waitFor(`wrote ${snap}`);
      const summary = summaryJson(snap, ['--shallow-only']);
      for (const [name, n] of Object.entries(kAtLeast)) {
        assert.ok(rowCount(live, name) >= n, `${name}: ${rowCount(live, name)}, expected >= ${n}`);
      }
      const slow = kDictionaryNames.map((name) => rowCount(live, name)).reduce((a, b) => a + b);
      assertClose(slow, 1000, 'dictionary-mode {host, port}');
      const compared = live.classes.filter((r) => r.count >= kCompared);
      assert.ok(compared.length >= 12, compared.map((r) => r.name).join(', '));
      for (const name of ['Function', 'Object']) {
        assert.ok(compared.some((r) => r.name === name), `${name} not compared`);
      }
      for (const a of compared) {
        const b = summary.classes.find((r) => r.name === a.name);
        assert.ok(b, `${a.name}: ${a.count} in the core census, none in the snapshot's`);
        assertClose(a.count, b.count, `${a.name} against the snapshot`);
        // Flat strings are sized from their length, the others from their maps; external
        // strings' characters are charged to them by the summary from Node 24 on.
        if (kSizeCompared.has(a.name) || (a.name === '(string)' && major < 24)) {
          assertClose(a.shallow_size, b.shallow_size, `${a.name} shallow size against the snapshot`);
        }
      }
      // The saved dump reads back to the same census.
      const back = leakscopeJson(['core', core, '--json', '--top', '0']);
      for (const name of Object.keys(kExpected)) assert.equal(rowCount(back, name), rowCount(live, name));
      saved[major] = { core, bin: node.bin };

      // Side by side: 5,000 more Sessions in a second dump.
      child.stdin.write('grow 5000\n');
      await waitFor('grew 5000');
      const later = join(dir, `node${major}-later.core`);
      leakscopeJson(['core', '--pid', String(child.pid), '--json', '--save', later]);
      const growth = leakscopeJson(['core', core, later, '--json', '--top', '0']);
      assert.equal(growth.dumps.length, 2);
      const session = growth.classes.find((r) => r.name === 'Session');
      assertClose(session.count_growth, 5000, 'Session growth');
      assert.equal(session.counts[0], rowCount(live, 'Session'));
    } finally {
      child.kill('SIGKILL');
    }
  });
}

// Without a GC, much of what a process just made is young, and the garbage of making it is not
// collected yet: the young generation's to-space is counted, and the strings only V8's
// number-string cache holds (a full GC empties it) are not. Before, no Widget of 2,000 was
// counted, and 20,000 made `(string)` +40 %.
for (const major of [18, 24]) {
  const node = nodeBinary(major);
  test(`node ${major}: a fresh process, its young objects counted`, { skip: node.skip }, async () => {
    const { child, waitFor } = startFixture(node.bin, 'core-fresh.js');
    try {
      await waitFor('ready');
      const live = leakscopeJson(['core', '--pid', String(child.pid), '--json', '--top', '0']);
      const snap = join(dir, `fresh${major}.heapsnapshot`);
      child.stdin.write(`snapshot ${snap}\n`);
      await waitFor(`wrote ${snap}`);
      const summary = summaryJson(snap, ['--shallow-only']);
      assertClose(rowCount(live, 'Widget'), 20000, 'Widget');
      assertClose(rowCount(live, 'Gadget'), 5000, 'Gadget');
      for (const name of ['Widget', 'Gadget', 'Array', 'Function']) {
        assertClose(rowCount(live, name), rowCount(summary, name), `${name} against the snapshot`);
      }
      // No live string is missed, but garbage that dead objects or stale memory still point at
      // is counted (see the README). Measured: +0.4 to +1.1 % on Node 22 and 24, idle or with
      // both cores busy; +4 to +16 % on Node 18 with both cores busy, whose scavenger leaves lists of the objects it copied in
      // its threads' malloc arenas once they are freed, which read as pointers.
      const strings = rowCount(live, '(string)'), expected = rowCount(summary, '(string)');
      assert.ok(strings >= expected * 0.99 && strings <= expected * (major < 20 ? 1.25 : 1.05),
                `(string): ${strings}, the snapshot ${expected}`);
    } finally {
      child.kill('SIGKILL');
    }
  });
}

test('a gcore core of the same kind of process', { skip: !existsSync('/usr/bin/gcore') && 'no gcore' },
     async () => {
  const { child, waitFor } = startFixture(process.execPath);
  try {
    await waitFor('ready');
    const prefix = join(dir, 'gcore');
    const r = spawnSync('gcore', ['-o', prefix, String(child.pid)], { encoding: 'utf8', timeout: 300000 });
    assert.equal(r.status, 0, r.stderr);
    const json = leakscopeJson(['core', `${prefix}.${child.pid}`, '--json', '--top', '0']);
    for (const [name, n] of Object.entries(kExpected)) assertClose(rowCount(json, name), n, name);
    // Class by class, the same census as leakscope's own dump of the idle process right after.
    const live = leakscopeJson(['core', '--pid', String(child.pid), '--json', '--top', '0']);
    const compared = json.classes.filter((r) => r.count >= kCompared);
    assert.ok(compared.length >= 12, compared.map((r) => r.name).join(', '));
    for (const a of compared) assertClose(rowCount(live, a.name), a.count, `${a.name}: --pid against gcore`);
  } finally {
    child.kill('SIGKILL');
  }
});

test('errors: no such process, another user, not a Node process, a mismatched binary', () => {
  assertBadInput(leakscope(['core', '--pid', '999999999']), /no such process/);
  const sleeper = spawn('sleep', ['60']);
  try {
    assertBadInput(leakscope(['core', '--pid', String(sleeper.pid)]), /v8dbg|V8/);
  } finally {
    sleeper.kill('SIGKILL');
  }
  if (process.getuid() === 0 && existsSync('/usr/bin/setpriv')) {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups',
                                    process.env.LEAKSCOPE_BIN || join(process.cwd(), 'build/release/leakscope'),
                                    'core', '--pid', String(process.pid)], { encoding: 'utf8' });
    assertBadInput({ status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr },
                   /another user/);
  }
  const [first, second] = Object.values(saved);
  if (first && second) {
    assertBadInput(leakscope(['core', first.core, '--node', second.bin]), /does not match/);
  }
  assertBadInput(leakscope(['core', join(kFixtures, 'core-census.js')]), /not an ELF file/);
});

test('truncated and bit-flipped cores: exit 2 or a census, never a crash', (t) => {
  if (!Object.keys(saved).length) return t.skip('no dump was saved');
  const { core, bin } = Object.values(saved)[0];
  const size = statSync(core).size;
  const copy = join(dir, 'fuzzed.core');
  for (const cut of [10, 63, 200, 4096, Math.floor(size / 3), size - 4097]) {
    copyFileSync(core, copy);
    truncateSync(copy, cut);
    const r = leakscope(['core', copy, '--node', bin]);
    assert.equal(r.signal, null, `cut at ${cut}: ${r.signal}`);
    assert.ok(r.status === 0 || r.status === 2, `cut at ${cut}: exit ${r.status}`);
    if (cut < 4096) assertBadInput(r);
  }
  let seed = 12345;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 6; round++) {
    copyFileSync(core, copy);
    const fd = openSync(copy, 'r+');
    const byte = Buffer.alloc(1);
    for (let i = 0; i < 64; i++) {
      // Half the flips in the headers and notes, half anywhere.
      const at = i % 2 ? random(8192) : random(size);
      readSync(fd, byte, 0, 1, at);
      byte[0] ^= 1 << random(8);
      writeSync(fd, byte, 0, 1, at);
    }
    closeSync(fd);
    const r = leakscope(['core', copy, '--node', bin]);
    assert.equal(r.signal, null, `round ${round}: ${r.signal} ${r.stderr}`);
    assert.ok(r.status === 0 || r.status === 2, `round ${round}: exit ${r.status} ${r.stderr}`);
  }
});
