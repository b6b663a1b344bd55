// configure() checks every field before it applies any. A 30-day intervalMs used to overflow
// Node's timer (2^31-1 ms) to 1 ms and write a snapshot at once; NaN, Infinity, strings and
// negative numbers were coerced or half-applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const leakscope = createRequire(import.meta.url)(root);
leakscope.configure({ signal: false });

const kTimerMax = 2 ** 31 - 1;
const wrong_types = ['5', true, null, {}, [], 5n, Symbol('x'), () => 1];
const numbers_out = [-1, NaN, Infinity, -Infinity];

// For each field: values that must throw TypeError, values that must throw RangeError, and
// values that must be accepted.
const fields = {
  dir: { type: [5, true, null, {}, ''], range: [], ok: ['.', '/tmp'] },
  signal: { type: [5, true, 'SIGNOPE', 'SIGKILL', 'SIGSTOP', {}], range: [], ok: [false, null, 'off', 'none', 'SIGUSR1'] },
  intervalMs: { type: wrong_types, range: [...numbers_out, kTimerMax + 1, 30 * 24 * 3600 * 1000], ok: [0, 1.5, kTimerMax] },
  heapUsedBytes: { type: wrong_types, range: [...numbers_out, 2 ** 64 * 2], ok: [0, 1e9, 1e18] },
  rssBytes: { type: wrong_types, range: [...numbers_out, 2 ** 64 * 2], ok: [0, 1e9, 1e18] },
  pollMs: { type: wrong_types, range: [...numbers_out, kTimerMax + 1], ok: [0, 100, kTimerMax] },
  nearHeapLimit: { type: ['1', null, {}], range: [...numbers_out, 1.5, kTimerMax + 1], ok: [true, false, 0, 3] },
  onLeak: { type: [1, 0, 'yes', null, {}], range: [], ok: [true, false] },
  minIntervalMs: { type: wrong_types, range: [...numbers_out, kTimerMax + 1], ok: [0, 60000, kTimerMax] },
  maxCount: { type: wrong_types, range: [...numbers_out, 2.5, kTimerMax + 1], ok: [0, 5, kTimerMax] },
  diskFactor: { type: wrong_types, range: [...numbers_out, 2 ** 54], ok: [0, 2.5, 1e9] },
  minFreeDiskBytes: { type: wrong_types, range: [...numbers_out, 2 ** 64 * 2], ok: [0, 64 * 1024 * 1024] },
  memoryFactor: { type: wrong_types, range: [...numbers_out, 2 ** 54], ok: [0, 25, 1e9] },
};
const leak_fields = {
  minDurationMs: { type: wrong_types, range: [...numbers_out, kTimerMax + 1], ok: [0, 120000] },
  minPoints: { type: wrong_types, range: [...numbers_out, 2.5, 1e6 + 1], ok: [3, 8] },
  warmupMs: { type: wrong_types, range: [...numbers_out, kTimerMax + 1], ok: [0, 30000] },
  minGrowthBytes: { type: wrong_types, range: [...numbers_out, 2 ** 64 * 2], ok: [0, 1 << 20] },
  minGrowthFraction: { type: wrong_types, range: [...numbers_out, 2 ** 54], ok: [0, 0.05] },
  minRateBytesPerHour: { type: wrong_types, range: [...numbers_out, 2 ** 64 * 2], ok: [0, 1000] },
  confidence: { type: wrong_types, range: [...numbers_out, 0, 1, 1.5], ok: [0.5, 0.95] },
  windowMs: { type: wrong_types, range: [...numbers_out, kTimerMax + 1], ok: [60000, 3600000] },
  maxSamples: { type: wrong_types, range: [...numbers_out, 2.5, 1e6 + 1], ok: [300, 1000] },
};

function show(v) {
  return typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function' ? String(typeof v) : JSON.stringify(v);
}

function expect_refused(options, error_class, field) {
  const before = leakscope.configure({});
  assert.throws(() => leakscope.configure(options), (err) => {
    assert.equal(err.constructor, error_class, `${show(options[field] ?? options.leak?.[field])} for ${field}: ${err}`);
    assert.match(err.message, new RegExp(`\\b${field.replace('.', '\\.')}\\b`), err.message);
    return true;
  });
  assert.deepEqual(leakscope.configure({}), before, `${field}: a refused configure() changed the options`);
}

test('every configure() field refuses wrong types and out-of-range numbers, naming the field', () => {
  for (const [field, { type, range, ok }] of Object.entries(fields)) {
    for (const v of type) expect_refused({ signal: false, [field]: v }, TypeError, field);
    for (const v of range) expect_refused({ signal: false, [field]: v }, RangeError, field);
    for (const v of ok) {
      const eff = leakscope.configure({ [field]: v });
      if (field !== 'signal' && field !== 'nearHeapLimit') assert.equal(eff[field], v, field);
    }
  }
  leakscope.configure({ signal: false, dir: '.', intervalMs: 0, heapUsedBytes: 0, rssBytes: 0, nearHeapLimit: 0,
                        onLeak: false, maxCount: 5, minIntervalMs: 60000 });
  for (const [field, { type, range, ok }] of Object.entries(leak_fields)) {
    for (const v of type) expect_refused({ leak: { [field]: v } }, TypeError, `leak.${field}`);
    for (const v of range) expect_refused({ leak: { [field]: v } }, RangeError, `leak.${field}`);
    for (const v of ok) assert.equal(leakscope.configure({ leak: { [field]: v } }).leak[field], v, field);
  }
  expect_refused({ nope: 1 }, TypeError, 'nope');
  expect_refused({ leak: { nope: 1 } }, TypeError, 'leak.nope');
  expect_refused({ leak: 5 }, TypeError, 'leak');
  assert.throws(() => leakscope.configure(5), TypeError);
  assert.throws(() => leakscope.configure(null), TypeError);
});

test('nothing half-applies: one bad field anywhere leaves every option as it was', () => {
  const before = leakscope.configure({ signal: false, dir: '.', intervalMs: 0, leak: { minDurationMs: 120000 } });
  expect_refused({ dir: '/tmp', intervalMs: 1000, maxCount: -1 }, RangeError, 'maxCount');
  expect_refused({ dir: '/tmp', leak: { minDurationMs: 5000, confidence: 2 } }, RangeError, 'leak.confidence');
  expect_refused({ leak: { minDurationMs: 5000 }, pollMs: NaN }, RangeError, 'pollMs');
  assert.deepEqual(leakscope.configure({}), before);
});

test('intervalMs of 30 days is refused; the timer limit itself writes nothing at once', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-cfg-'));
  try {
    const code = `const ls = require(${JSON.stringify(root)});
      let refused = null;
      try { ls.configure({ dir: ${JSON.stringify(dir)}, signal: false, minIntervalMs: 0, intervalMs: 30 * 24 * 3600 * 1000 }); }
      catch (e) { refused = e.name; }
      ls.configure({ dir: ${JSON.stringify(dir)}, signal: false, minIntervalMs: 0, intervalMs: ${kTimerMax} });
      setTimeout(() => console.log(JSON.stringify({ refused })), 500);`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { refused: 'RangeError' });
    assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning/);
    assert.deepEqual(readdirSync(dir), [], 'no snapshot may be written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each field is read once: a getter cannot pass the check with one value and apply another', () => {
  const before = leakscope.configure({});
  // Checked 1000, applied 30 days (the overflowing timer) when every field was read twice.
  let n = 0;
  expect_once({ get intervalMs() { return n++ ? 30 * 24 * 3600 * 1000 : 1000; } }, 'intervalMs', 1000);
  n = 0;
  expect_once({ get maxCount() { return n++ ? -5 : 3; } }, 'maxCount', 3);
  n = 0;
  let leak_reads = 0;
  const eff = leakscope.configure({
    get leak() {
      leak_reads++;
      return { get minDurationMs() { return n++ ? -5 : 5000; } };
    },
  });
  assert.equal(leak_reads, 1);
  assert.equal(n, 1);
  assert.equal(eff.leak.minDurationMs, 5000);
  // And the other way round: a value that would be refused on a second read is applied as read.
  n = 0;
  assert.throws(() => leakscope.configure({ get pollMs() { return n++ ? 100 : -5; } }), RangeError);
  assert.equal(n, 1);
  leakscope.configure({ intervalMs: 0, maxCount: before.maxCount, pollMs: before.pollMs,
                        leak: { minDurationMs: before.leak.minDurationMs } });

  function expect_once(options, field, value) {
    const got = leakscope.configure(options);
    assert.equal(got[field], value, field);
    assert.equal(n, 1, `${field} was read ${n} times`);
  }
});

test('leak.minPoints and leak.maxSamples: below the real minimum is a RangeError, never silently raised', () => {
  const before = leakscope.configure({ leak: { minPoints: 8, maxSamples: 300 } });
  for (const v of [0, 1, 2]) {
    expect_refused({ leak: { minPoints: v } }, RangeError, 'leak.minPoints');
    assert.throws(() => leakscope.configure({ leak: { minPoints: v } }), /leak\.minPoints must be an integer in \[3, /);
  }
  for (const v of [0, 1, 2]) expect_refused({ leak: { maxSamples: v } }, RangeError, 'leak.maxSamples');
  // maxSamples may not be below the minPoints in force (8), nor minPoints above maxSamples.
  for (const v of [3, 7]) {
    assert.throws(() => leakscope.configure({ leak: { maxSamples: v } }),
                  (err) => err instanceof RangeError && /leak\.maxSamples must be at least leak\.minPoints \(8\)/.test(err.message));
  }
  assert.throws(() => leakscope.configure({ leak: { minPoints: 20, maxSamples: 10 } }), /leak\.maxSamples/);
  assert.throws(() => leakscope.configure({ leak: { minPoints: 301 } }),
                (err) => err instanceof RangeError && /leak\.minPoints must be at most leak\.maxSamples \(300\)/.test(err.message));
  assert.deepEqual(leakscope.configure({}), before);
  // The limits themselves are accepted and applied as given.
  let eff = leakscope.configure({ leak: { minPoints: 3, maxSamples: 3 } });
  assert.equal(eff.leak.minPoints, 3);
  assert.equal(eff.leak.maxSamples, 3);
  eff = leakscope.configure({ leak: { maxSamples: 1e6, minPoints: 1e6 } });
  assert.equal(eff.leak.minPoints, 1e6);
  assert.equal(eff.leak.maxSamples, 1e6);
  // The binding refuses too (not raises) when called around the checks.
  assert.throws(() => leakscope._binding.setLeakOptions({ minPoints: 2 }), RangeError);
  assert.throws(() => leakscope._binding.setLeakOptions({ minPoints: 8, maxSamples: 7 }), RangeError);
  leakscope.configure({ leak: { minPoints: 8, maxSamples: 300 } });
});

test('leak durations come back exactly as set (no ms -> s -> ms rounding)', () => {
  const before = leakscope.configure({});
  for (const v of [9, 7, 0.1, 1.5, 123456789, 2 ** 31 - 1]) {
    for (const field of ['windowMs', 'minDurationMs', 'warmupMs']) {
      assert.equal(leakscope.configure({ leak: { [field]: v } }).leak[field], v, `${field}: ${v}`);
      assert.equal(leakscope._binding.leakState().options[field], v, `${field}: ${v}`);
    }
  }
  leakscope.configure({ leak: { windowMs: before.leak.windowMs, minDurationMs: before.leak.minDurationMs,
                                warmupMs: before.leak.warmupMs } });
  assert.deepEqual(leakscope.configure({}), before);
});
