'use strict';
// metrics() and registerMetrics(): this isolate's GC, heap, leak and snapshot figures as
// Prometheus text or prom-client metrics.

const { binding } = require('./core');
const { state } = require('./agent_state');

function array_buffers() {
  // Node keeps this figure in its ArrayBuffer allocator, which no addon API exposes.
  try {
    state.array_buffers = process.memoryUsage().arrayBuffers;
  } catch {}
  return state.array_buffers;
}

function metric_families() {
  const c = binding.counters();
  const heap = binding.heapStatistics();
  const families = [];
  const hist = {name: 'leakscope_gc_duration_seconds', type: 'histogram',
                help: 'Duration of each garbage collection by kind (every GC, outermost pause).',
                samples: []};
  const total = {name: 'leakscope_gc_total', type: 'counter',
                 help: 'Garbage collections run by this isolate, by kind.', samples: []};
  for (const k of c.kinds) {
    for (let i = 0; i < c.buckets.length; i++) {
      hist.samples.push({name: 'leakscope_gc_duration_seconds_bucket',
                         labels: {kind: k.kind, le: String(c.buckets[i])}, value: k.buckets[i]});
    }
    hist.samples.push({name: 'leakscope_gc_duration_seconds_bucket', labels: {kind: k.kind, le: '+Inf'},
                       value: k.count});
    hist.samples.push({name: 'leakscope_gc_duration_seconds_sum', labels: {kind: k.kind}, value: k.seconds});
    hist.samples.push({name: 'leakscope_gc_duration_seconds_count', labels: {kind: k.kind}, value: k.count});
    total.samples.push({name: 'leakscope_gc_total', labels: {kind: k.kind}, value: k.count});
  }
  families.push(hist, total);
  const gauge = (name, help, value, labels = {}) =>
      families.push({name, help, type: 'gauge', samples: [{name, labels, value}]});
  gauge('leakscope_heap_used_bytes', 'V8 heap in use (used_heap_size), now.', heap.used_heap_size);
  gauge('leakscope_heap_total_bytes', 'V8 heap reserved (total_heap_size), now.', heap.total_heap_size);
  gauge('leakscope_heap_size_limit_bytes', 'V8 heap size limit (heap_size_limit).', heap.heap_size_limit);
  gauge('leakscope_external_memory_bytes', 'Memory outside the V8 heap held by JS objects (external_memory).',
        heap.external_memory);
  gauge('leakscope_array_buffers_bytes', 'ArrayBuffer backing stores (process.memoryUsage().arrayBuffers).',
        array_buffers());
  gauge('leakscope_resident_memory_bytes', 'Resident set size of the whole process.', process.memoryUsage.rss());
  const last = c.last;
  const leak_state = binding.leakState();
  gauge('leakscope_heap_baseline_bytes', 'Used heap after the latest full GC (current_base).',
        last ? last.current_base : 0);
  gauge('leakscope_heap_usage_trend_percent', 'memwatch usage_trend: recent vs ancient baseline, in percent.',
        last ? last.usage_trend : 0);
  gauge('leakscope_leak_detected', '1 while the post-GC baseline shows sustained growth (a leak), else 0.',
        leak_state.detected ? 1 : 0);
  gauge('leakscope_leak_growth_rate_bytes_per_hour', 'Growth rate of the post-GC baseline in the latest leak verdict.',
        leak_state.detected ? leak_state.rate_bytes_per_hour : 0);
  const snaps = {name: 'leakscope_snapshots_total', type: 'counter',
                 help: 'Heap snapshots written, by trigger.', samples: []};
  for (const [trigger, n] of state.snapshot_counts) snaps.samples.push({name: snaps.name, labels: {trigger}, value: n});
  families.push(snaps);
  const skipped = {name: 'leakscope_snapshots_skipped_total', type: 'counter',
                   help: 'Triggered heap snapshots not taken, by reason (rate limit, disk, memory).',
                   samples: []};
  for (const [reason, n] of state.skipped_counts) skipped.samples.push({name: skipped.name, labels: {reason}, value: n});
  families.push(skipped);
  return families;
}

function escape_label(v) {
  return String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function format_value(v) {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

// Prometheus text exposition format 0.0.4.
function metrics(options = {}) {
  const extra = options.labels || {};
  let out = '';
  for (const f of metric_families()) {
    out += `# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
    out += `# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const labels = {...extra, ...s.labels};
      const keys = Object.keys(labels);
      const text = keys.length ? `{${keys.map((k) => `${k}="${escape_label(labels[k])}"`).join(',')}}` : '';
      out += `${s.name}${text} ${format_value(s.value)}\n`;
    }
  }
  return out;
}

// Registers the figures with a prom-client Registry (prom-client is not a dependency: any
// object with registerMetric() that reads {name, help, type, get()} works).
function registerMetrics(registry, options = {}) {
  if (!registry || typeof registry.registerMetric !== 'function') {
    throw new TypeError('registerMetrics(registry): registry must be a prom-client Registry');
  }
  const extra = options.labels || {};
  const names = metric_families().map((f) => f.name);
  const registered = [];
  for (const name of names) {
    const probe = metric_families().find((f) => f.name === name);
    const metric = {
      name,
      help: probe.help,
      type: probe.type,
      aggregator: probe.type === 'gauge' ? 'average' : 'sum',
      get() {
        const f = metric_families().find((x) => x.name === name);
        return {
          name, help: f.help, type: f.type, aggregator: this.aggregator,
          values: f.samples.map((s) => ({
            value: s.value,
            labels: {...extra, ...s.labels},
            metricName: s.name === name ? undefined : s.name,
          })),
        };
      },
    };
    registry.registerMetric(metric);
    registered.push(metric);
  }
  return registered;
}

module.exports = {metrics, registerMetrics, array_buffers};
