// The agent's `stats` event and gc(): counters, sizes, the signed trend, exactly one full GC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const leakscope = require('leakscope');
leakscope.configure({ signal: false });

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Collects perf_hooks GC entries (Node's own per-isolate GC record) while fn runs.
async function perf_gc_entries(fn) {
  const entries = [];
  const obs = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  await tick();
  const result = await fn();
  await sleep(50);  // entries arrive in batches from an immediate
  obs.disconnect();
  return { entries, result };
}

test('gc() runs exactly one full GC and returns its stats', async () => {
  const before = leakscope.counters();
  const { entries, result } = await perf_gc_entries(() => leakscope.gc());
  const majors = entries.filter((e) => e.detail.kind === perf.NODE_PERFORMANCE_GC_MAJOR);
  assert.equal(majors.length, 1, `perf_hooks saw ${majors.length} full GCs`);
  assert.equal(result.num_full_gc, before.num_full_gc + 1);
  assert.equal(leakscope.counters().num_full_gc, before.num_full_gc + 1);
  // Our duration of that GC agrees with Node's own measurement of it.
  const theirs = majors[0].duration;
  assert.ok(result.gc_duration_ms > 0);
  assert.ok(Math.abs(result.gc_duration_ms - theirs) <= Math.max(1, theirs * 0.5),
            `ours ${result.gc_duration_ms} ms vs perf_hooks ${theirs} ms`);
});

test('stats after every full GC: counters increase and sizes are sane', async () => {
  const seen = [];
  const on_stats = (s) => seen.push(s);
  leakscope.on('stats', on_stats);
  const start = leakscope.counters().num_full_gc;
  const returned = [];
  for (let i = 0; i < 5; i++) {
    // some garbage in between, so scavenges run too
    let junk = [];
    for (let j = 0; j < 50000; j++) junk.push({ j, s: `s${j}` });
    junk = null;
    returned.push(leakscope.gc());
  }
  await sleep(20);
  leakscope.off('stats', on_stats);
  assert.ok(seen.length >= 5, `${seen.length} stats events`);
  const ours = seen.filter((s) => s.num_full_gc > start);
  for (let i = 1; i < ours.length; i++) {
    assert.equal(ours[i].num_full_gc, ours[i - 1].num_full_gc + 1);
    assert.ok(ours[i].num_inc_gc >= ours[i - 1].num_inc_gc);
    assert.ok(ours[i].timestamp >= ours[i - 1].timestamp);
  }
  assert.ok(ours.at(-1).num_inc_gc > ours[0].num_inc_gc, 'scavenges are counted in num_inc_gc');
  const now = Date.now();
  for (const s of returned) {
    for (const key of ['num_full_gc', 'num_inc_gc', 'heap_compactions', 'current_base', 'estimated_base',
                       'usage_trend', 'min', 'max', 'gc_duration_ms', 'used_heap_size', 'total_heap_size',
                       'heap_size_limit', 'external_memory', 'array_buffers', 'rss', 'timestamp']) {
      assert.equal(typeof s[key], 'number', key);
      assert.ok(Number.isFinite(s[key]), key);
    }
    assert.equal(s.gc_type, 'MarkSweepCompact');
    assert.equal(s.heap_compactions, s.num_full_gc);
    assert.equal(s.current_base, s.used_heap_size);
    assert.ok(s.used_heap_size > 1e6 && s.used_heap_size <= s.total_heap_size);
    assert.ok(s.total_heap_size < s.heap_size_limit);
    assert.ok(s.rss > s.used_heap_size, 'rss covers the heap');
    assert.ok(s.external_memory >= s.array_buffers);
    assert.ok(Math.abs(s.timestamp - now) < 60000);
    assert.ok(s.gc_duration_ms > 0 && s.gc_duration_ms < 10000);
    if (s.num_full_gc >= 3) assert.ok(s.min > 0 && s.min <= s.current_base && s.current_base <= s.max);
  }
  // Events and the return values describe the same GCs.
  const by_count = new Map(seen.map((s) => [s.num_full_gc, s]));
  for (const r of returned) assert.equal(by_count.get(r.num_full_gc).current_base, r.current_base);
});

test('usage_trend is positive while the baseline grows and negative when the heap shrinks', () => {
  let hold = [];
  const grow = () => {
    for (let i = 0; i < 20000; i++) hold.push({ i, pad: [i, i, i] });
  };
  let s;
  for (let i = 0; i < 15; i++) {
    grow();
    s = leakscope.gc();
  }
  assert.ok(s.num_full_gc > 10);
  assert.ok(s.usage_trend > 0, `trend while growing: ${s.usage_trend}`);
  assert.ok(s.estimated_base < s.current_base, 'the moving average lags a growing heap');
  const peak = s.current_base;
  hold = [];
  for (let i = 0; i < 10; i++) s = leakscope.gc();
  assert.ok(s.current_base < peak / 2, `heap shrank: ${s.current_base} vs ${peak}`);
  assert.ok(s.usage_trend < 0, `trend after shrinking: ${s.usage_trend} (memwatch reported a huge positive number)`);
  assert.ok(s.usage_trend > -100);
  assert.ok(s.max >= peak && s.min <= s.current_base);
});

test('the stats event is delivered asynchronously, never from inside the GC', async () => {
  let inside = true;
  let delivered_inside = null;
  leakscope.once('stats', () => { delivered_inside = inside; });
  leakscope.gc();
  inside = false;
  await sleep(20);
  assert.equal(delivered_inside, false);
});
