// metrics(): valid Prometheus text exposition, and GC counts equal to the GCs that really ran
// (prom-client records only the first GC of each perf_hooks batch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const leakscope = require('leakscope');
leakscope.configure({ signal: false });
const here = path.dirname(fileURLToPath(import.meta.url));

const metric_name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const label = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const sample_re = new RegExp(`^(${metric_name})(?:\\{(${label}(?:,${label})*)?\\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|\\+Inf|-Inf|NaN))$`);
const kind_of_perf = { 1: 'minor', 2: 'minor_mark_compact', 4: 'major', 8: 'incremental', 16: 'weakcb' };

// A strict reader of the text format (0.0.4): returns {families: Map(name -> {type, help, samples})}.
function parse_exposition(text) {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const families = new Map();
  let current = null;
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = /^# HELP (\S+) (.*)$/.exec(line))) {
      assert.ok(!families.has(m[1]), `family ${m[1]} declared twice`);
      current = { name: m[1], help: m[2], type: null, samples: [] };
      families.set(m[1], current);
    } else if ((m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      assert.equal(m[1], current && current.name, `TYPE ${m[1]} follows its HELP`);
      assert.equal(current.samples.length, 0, 'TYPE before samples');
      current.type = m[2];
    } else {
      m = sample_re.exec(line);
      assert.ok(m, `not a valid sample line: ${JSON.stringify(line)}`);
      assert.ok(current && current.type, `sample before TYPE: ${line}`);
      const [, name, labels_text, value] = m;
      const allowed = current.type === 'histogram'
          ? [`${current.name}_bucket`, `${current.name}_sum`, `${current.name}_count`] : [current.name];
      assert.ok(allowed.includes(name), `${name} in family ${current.name}`);
      const labels = {};
      for (const lm of (labels_text || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
      current.samples.push({ name, labels, value: Number(value === '+Inf' ? Infinity : value) });
    }
  }
  return families;
}

function check_histograms(families) {
  for (const f of families.values()) {
    if (f.type !== 'histogram') continue;
    const kinds = new Set(f.samples.map((s) => s.labels.kind));
    for (const kind of kinds) {
      const buckets = f.samples.filter((s) => s.name.endsWith('_bucket') && s.labels.kind === kind);
      const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
      for (let i = 1; i < buckets.length; i++) {
        assert.ok(les[i] > les[i - 1], 'le ascending');
        assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
      }
      assert.equal(les.at(-1), Infinity);
      const count = f.samples.find((s) => s.name.endsWith('_count') && s.labels.kind === kind).value;
      assert.equal(buckets.at(-1).value, count, '+Inf bucket equals _count');
    }
  }
}

const value = (families, name, labels = {}) => {
  const f = families.get(name) || [...families.values()].find((x) => x.samples.some((s) => s.name === name));
  const s = f.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s && s.value;
};

test('metrics() is valid Prometheus text with every family the docs promise', () => {
  leakscope.gc();
  const families = parse_exposition(leakscope.metrics());
  check_histograms(families);
  for (const name of ['leakscope_gc_duration_seconds', 'leakscope_gc_total', 'leakscope_heap_used_bytes',
                      'leakscope_heap_total_bytes', 'leakscope_heap_size_limit_bytes', 'leakscope_external_memory_bytes',
                      'leakscope_array_buffers_bytes', 'leakscope_resident_memory_bytes', 'leakscope_leak_detected',
                      'leakscope_leak_growth_rate_bytes_per_hour', 'leakscope_heap_baseline_bytes',
                      'leakscope_heap_usage_trend_percent', 'leakscope_snapshots_total']) {
    assert.ok(families.has(name), name);
  }
  const used = value(families, 'leakscope_heap_used_bytes');
  assert.ok(used > 1e6 && used <= value(families, 'leakscope_heap_total_bytes'));
  assert.ok(value(families, 'leakscope_heap_size_limit_bytes') > used);
  assert.ok(value(families, 'leakscope_resident_memory_bytes') > used);
  assert.ok(value(families, 'leakscope_gc_total', { kind: 'major' }) >= 1);
  assert.ok(value(families, 'leakscope_leak_detected') === 0);
  // Extra labels (e.g. per worker) are added to every sample.
  const labelled = parse_exposition(leakscope.metrics({ labels: { thread: 'w"1\\' } }));
  assert.equal(value(labelled, 'leakscope_heap_used_bytes', { thread: 'w\\"1\\\\' }) > 0, true);
});

test('every GC of a burst is counted: the counts equal perf_hooks, GC by GC', async () => {
  const entries = [];
  const obs = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setImmediate(r));
  const before = parse_exposition(leakscope.metrics());
  const t0 = performance.now();
  let keep = [];
  for (let r = 0; r < 30; r++) {
    for (let i = 0; i < 50000; i++) keep.push({ i, s: `k${i}` });
    if (r % 10 === 9) keep = [];
  }
  leakscope.gc();
  const after = parse_exposition(leakscope.metrics());
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 100));
  obs.disconnect();
  const ours = entries.filter((e) => e.startTime >= t0 && e.startTime <= t1);
  assert.ok(ours.length >= 10, `a burst of ${ours.length} GCs`);
  const total = { minor: 0, minor_mark_compact: 0, major: 0, incremental: 0, weakcb: 0 };
  for (const e of ours) total[kind_of_perf[e.detail.kind]] += 1;
  for (const kind of Object.keys(total)) {
    const delta = value(after, 'leakscope_gc_total', { kind }) - value(before, 'leakscope_gc_total', { kind });
    assert.equal(delta, total[kind], `${kind}: agent ${delta}, perf_hooks ${total[kind]}`);
    const count_delta = value(after, 'leakscope_gc_duration_seconds_count', { kind }) -
                        value(before, 'leakscope_gc_duration_seconds_count', { kind });
    assert.equal(count_delta, total[kind]);
  }
  // The summed durations agree with Node's own within a loose margin.
  const sum_delta = ['minor', 'major', 'incremental'].reduce((acc, kind) =>
      acc + value(after, 'leakscope_gc_duration_seconds_sum', { kind }) - value(before, 'leakscope_gc_duration_seconds_sum', { kind }), 0);
  const perf_sum = ours.reduce((acc, e) => acc + e.duration, 0) / 1000;
  assert.ok(sum_delta > 0 && Math.abs(sum_delta - perf_sum) <= Math.max(0.005, perf_sum * 0.5),
            `agent ${sum_delta}s vs perf_hooks ${perf_sum}s`);
});

test('GC counts equal the GCs --trace-gc printed', () => {
  const r = spawnSync(process.execPath, ['--trace-gc', path.join(here, 'fixtures', 'agent-gc-burst.cjs')],
                      { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  const [trace, text] = r.stdout.split('@@METRICS@@\n');
  const scavenges = trace.split('\n').filter((l) => /: Scavenge /.test(l)).length;
  const mark_compacts = trace.split('\n').filter((l) => /: Mark-Compact /.test(l)).length;
  const minor_mcs = trace.split('\n').filter((l) => /: Minor Mark-Compact /.test(l)).length;
  assert.ok(scavenges >= 10, `${scavenges} scavenges`);
  const families = parse_exposition(text);
  assert.equal(value(families, 'leakscope_gc_total', { kind: 'minor' }), scavenges);
  assert.equal(value(families, 'leakscope_gc_total', { kind: 'major' }), mark_compacts);
  assert.equal(value(families, 'leakscope_gc_total', { kind: 'minor_mark_compact' }), minor_mcs);
});

test('registerMetrics() feeds a prom-client-style registry', async () => {
  // A stand-in with prom-client's Registry contract: registerMetric() and get() per metric.
  const registry = {
    metrics_: new Map(),
    registerMetric(m) {
      if (this.metrics_.has(m.name)) throw new Error(`A metric with the name ${m.name} has already been registered.`);
      this.metrics_.set(m.name, m);
    },
    async metrics() {
      let out = '';
      for (const m of this.metrics_.values()) {
        const data = await m.get();
        out += `# HELP ${data.name} ${data.help}\n# TYPE ${data.name} ${data.type}\n`;
        for (const v of data.values) {
          const labels = Object.entries(v.labels || {}).map(([k, x]) => `${k}="${x}"`).join(',');
          out += `${v.metricName || data.name}${labels ? `{${labels}}` : ''} ${v.value === Infinity ? '+Inf' : v.value}\n`;
        }
      }
      return out;
    },
  };
  const registered = leakscope.registerMetrics(registry);
  assert.ok(registered.length >= 10);
  assert.throws(() => leakscope.registerMetrics(registry), /already been registered/);
  leakscope.gc();
  const families = parse_exposition(await registry.metrics());
  check_histograms(families);
  assert.ok(value(families, 'leakscope_gc_total', { kind: 'major' }) >= 1);
  assert.ok(value(families, 'leakscope_heap_size_limit_bytes') > 0);
  assert.throws(() => leakscope.registerMetrics({}), TypeError);
});
