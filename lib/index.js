'use strict';
// leakscope's agent: memwatch's and heapdump's API, per isolate (main thread and workers alike).
// The native binding (src/addon) watches every GC; this file turns its records into events,
// snapshot triggers and Prometheus text. See "The agent" in README.md.

const EventEmitter = require('events');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { isMainThread, threadId } = require('worker_threads');
const core = require('./core');
const { check_options } = require('./options');

const { binding } = core;
const agent = new EventEmitter();

// ---------------------------------------------------------------------------------------------
// Snapshots

function snapshot_error(result, trigger) {
  const code = core.errno_name(result.errno) || 'EIO';
  const err = new Error(`leakscope: cannot write heap snapshot ${result.path}: ${result.message} ` +
                        `(${code}, ${result.syscall})`);
  err.code = code;
  err.errno = -result.errno;
  err.syscall = result.syscall;
  err.path = result.path;
  if (trigger) err.trigger = trigger;
  return err;
}

// `error` with no listener would throw from inside a timer or signal handler and kill the
// process, which is exactly what diagnostics must not do: warn instead.
function report_error(err) {
  if (agent.listenerCount('error') > 0) {
    agent.emit('error', err);
  } else {
    process.emitWarning(err.message, {type: 'LeakscopeWarning', code: err.code});
  }
}

const snapshot_counts = new Map();  // trigger -> snapshots written
const skipped_counts = new Map();   // reason -> snapshots skipped

function count(map, key) {
  map.set(key, (map.get(key) || 0) + 1);
}

function write_snapshot_now(file, trigger) {
  const result = binding.writeSnapshot(file);
  if (result.errno) return {error: snapshot_error(result, trigger), result};
  count(snapshot_counts, trigger);
  return {error: null, result};
}

// heapdump.writeSnapshot([filename], [callback]): synchronous, the callback is called before it
// returns with (err, filename). Returns the file name, or false on failure.
function writeSnapshot(file, cb) {
  if (typeof file === 'function') {
    cb = file;
    file = undefined;
  }
  if (file !== undefined && file !== null && typeof file !== 'string') {
    throw new TypeError('writeSnapshot([path], [callback]): path must be a string');
  }
  if (cb !== undefined && typeof cb !== 'function') {
    throw new TypeError('writeSnapshot([path], [callback]): callback must be a function');
  }
  const target = file || core.default_snapshot_name();
  const {error} = write_snapshot_now(target, 'manual');
  if (cb) {
    cb(error, error ? undefined : target);
  } else if (error) {
    report_error(error);
  }
  return error ? false : target;
}

// ---------------------------------------------------------------------------------------------
// Triggers (configure)

const defaults = Object.freeze({
  dir: '.',
  signal: 'SIGUSR2',
  intervalMs: 0,
  heapUsedBytes: 0,
  rssBytes: 0,
  pollMs: 5000,
  nearHeapLimit: 0,
  onLeak: false,
  minIntervalMs: 60000,
  maxCount: 5,
  diskFactor: 3,
  minFreeDiskBytes: 64 * 1024 * 1024,
  memoryFactor: 25,
});

function env_options() {
  const text = `${process.env.LEAKSCOPE_OPTIONS || ''},${process.env.NODE_HEAPDUMP_OPTIONS || ''}`;
  const words = new Set(text.split(/[,\s]+/).filter(Boolean));
  return {nosignal: words.has('nosignal')};
}

let config = {...defaults};
if (env_options().nosignal || !isMainThread) config.signal = false;

const trigger_state = {
  last_time: -Infinity,
  written: 0,
  signal_handler: null,
  signal_name: null,
  interval: null,
  poll: null,
};

function read_meminfo_available() {
  try {
    const text = fs.readFileSync('/proc/meminfo', 'utf8');
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(text);
    let avail = m ? Number(m[1]) * 1024 : os.freemem();
    // cgroup v2: the container's own limit is the one the OOM killer enforces.
    try {
      const max = fs.readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim();
      if (max !== 'max') {
        const cur = Number(fs.readFileSync('/sys/fs/cgroup/memory.current', 'utf8').trim());
        avail = Math.min(avail, Number(max) - cur);
      }
    } catch {}
    return avail;
  } catch {
    return os.freemem();
  }
}

// Everything a triggered snapshot must pass first. Returns null when it may go ahead, or the
// reason it may not.
function check_snapshot_budget(trigger) {
  const now = Date.now();
  if (trigger_state.written >= config.maxCount) return {reason: 'max-count'};
  if (now - trigger_state.last_time < config.minIntervalMs) return {reason: 'min-interval'};
  const heap = binding.heapStatistics();
  let disk_free = Infinity;
  try {
    const st = fs.statfsSync(path.resolve(config.dir));
    disk_free = Number(st.bavail) * Number(st.bsize);
  } catch (err) {
    return {reason: 'bad-dir', error: err};
  }
  const disk_needed = heap.used_heap_size * config.diskFactor + config.minFreeDiskBytes;
  if (disk_free < disk_needed) {
    return {reason: 'disk', message: `${disk_free} bytes free in ${config.dir}, ${disk_needed} needed`};
  }
  const mem_free = read_meminfo_available();
  const mem_needed = heap.used_heap_size * config.memoryFactor;
  if (mem_free < mem_needed) {
    return {reason: 'memory', message: `${mem_free} bytes of memory available, ${mem_needed} needed`};
  }
  return null;
}

function triggered_snapshot(trigger) {
  const refused = check_snapshot_budget(trigger);
  if (refused) {
    count(skipped_counts, refused.reason);
    agent.emit('snapshot-skipped', {trigger, reason: refused.reason});
    if (refused.reason === 'disk' || refused.reason === 'memory' || refused.reason === 'bad-dir') {
      const err = new Error(`leakscope: ${trigger} snapshot skipped: ` +
                            (refused.message || (refused.error && refused.error.message)));
      err.code = refused.reason === 'bad-dir' ? (refused.error.code || 'ENOENT') :
                                                `LEAKSCOPE_NO_${refused.reason.toUpperCase()}`;
      err.trigger = trigger;
      report_error(err);
    }
    return null;
  }
  trigger_state.last_time = Date.now();
  trigger_state.written += 1;
  const file = path.join(config.dir, core.default_snapshot_name());
  const {error, result} = write_snapshot_now(file, trigger);
  if (error) {
    report_error(error);
    return null;
  }
  const info = {path: file, trigger, bytes: result.bytes, nodes: result.nodes,
                duration_ms: result.duration_ms, started_at: trigger_state.last_time};
  agent.emit('snapshot', info);
  return info;
}

function check_thresholds(used, rss) {
  if (config.heapUsedBytes > 0 && used >= config.heapUsedBytes) triggered_snapshot('heap-used');
  if (config.rssBytes > 0 && rss >= config.rssBytes) triggered_snapshot('rss');
}

function apply_triggers() {
  if (trigger_state.signal_handler && trigger_state.signal_name !== config.signal) {
    process.removeListener(trigger_state.signal_name, trigger_state.signal_handler);
    trigger_state.signal_handler = null;
    trigger_state.signal_name = null;
  }
  // Signals reach only the main thread's process object.
  if (config.signal && isMainThread && !trigger_state.signal_handler) {
    trigger_state.signal_handler = () => {
      // With leakscope/heapdump loaded too, its handler writes the one snapshot a signal asks for.
      if (core.heapdump_signal === config.signal) return;
      triggered_snapshot('signal');
    };
    trigger_state.signal_name = config.signal;
    process.on(config.signal, trigger_state.signal_handler);
  }
  clearInterval(trigger_state.interval);
  trigger_state.interval = null;
  if (config.intervalMs > 0) {
    trigger_state.interval = setInterval(() => triggered_snapshot('timer'), config.intervalMs);
    trigger_state.interval.unref();
  }
  clearInterval(trigger_state.poll);
  trigger_state.poll = null;
  if ((config.heapUsedBytes > 0 || config.rssBytes > 0) && config.pollMs > 0) {
    // RSS can grow without any full GC (native memory), so thresholds are also polled.
    trigger_state.poll = setInterval(() => {
      check_thresholds(binding.heapStatistics().used_heap_size, process.memoryUsage.rss());
    }, config.pollMs);
    trigger_state.poll.unref();
  }
  binding.setNearHeapLimit(config.nearHeapLimit, path.resolve(config.dir));
}

// Every field is checked (lib/options.js) before any is applied: a bad one changes nothing.
function configure(options = {}) {
  const checked = check_options(options, leak_config());
  if (checked.leak !== undefined) binding.setLeakOptions(checked.leak);
  config = {...config, ...checked.options};
  apply_triggers();
  return {...config, leak: leak_config()};
}

// ---------------------------------------------------------------------------------------------
// Leak detection hooks (filled in by the trend detector when present)

function leak_config() {
  return binding.leakState().options;
}

// ---------------------------------------------------------------------------------------------
// Events from the binding

let array_buffers_cache = 0;
function array_buffers() {
  // Node keeps this figure in its ArrayBuffer allocator, which no addon API exposes.
  try {
    array_buffers_cache = process.memoryUsage().arrayBuffers;
  } catch {}
  return array_buffers_cache;
}

function decorate_stats(stats) {
  stats.array_buffers = array_buffers();
  return stats;
}

core.hub.on('stats', (payload) => {
  decorate_stats(payload);
  agent.emit('stats', payload);
  check_thresholds(payload.used_heap_size, payload.rss);
});
core.hub.on('leak', (payload) => {
  payload.start = new Date(payload.start);
  payload.end = new Date(payload.end);
  agent.emit('leak', payload);
  if (config.onLeak) triggered_snapshot('leak');
});
core.hub.on('snapshot', (payload) => {
  count(snapshot_counts, payload.trigger);
  agent.emit('snapshot', payload);
});
core.hub.on('snapshot-error', (payload) => report_error(snapshot_error(payload, payload.trigger)));

// memwatch.gc(): exactly one full GC, returning the stats it produced.
function gc() {
  return decorate_stats(core.gc());
}

// ---------------------------------------------------------------------------------------------
// Metrics

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
  for (const [trigger, n] of snapshot_counts) snaps.samples.push({name: snaps.name, labels: {trigger}, value: n});
  families.push(snaps);
  const skipped = {name: 'leakscope_snapshots_skipped_total', type: 'counter',
                   help: 'Triggered heap snapshots not taken, by reason (rate limit, disk, memory).',
                   samples: []};
  for (const [reason, n] of skipped_counts) skipped.samples.push({name: skipped.name, labels: {reason}, value: n});
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

// ---------------------------------------------------------------------------------------------
// HeapDiff (memwatch's shape; the comparison is the project's analysis/heap_diff)

class HeapDiff {
  // options.retained (default true): per-class retained sizes on both sides (a dominator tree per
  // snapshot), reported as change.retained.
  constructor(options = {}) {
    // A class constructor already refuses calls without `new` (memwatch crashed, lloyd#30).
    if (options === null || typeof options !== 'object') throw new TypeError('HeapDiff([options]): options must be an object');
    this._before = binding.heapDiffCapture(options.retained !== false);
    this._before_time = new Date();
    this._ended = false;
  }

  end() {
    if (!(this instanceof HeapDiff)) throw new TypeError('HeapDiff.end() must be called on a HeapDiff');
    if (this._ended) throw new Error('attempt to end() a HeapDiff that was already ended');
    this._ended = true;
    const before = this._before;
    this._before = null;
    const after = binding.heapDiffEnd(before.table);
    const after_time = new Date();
    const result = JSON.parse(after.json);
    result.before.time = this._before_time;
    result.after.time = after_time;
    // Where the time went: V8's own snapshots, and what leakscope did around them.
    result.timing = {
      before: after.before_timing, after: after.timing,
      v8_snapshot_ms: after.before_timing.snapshot_ms + after.timing.snapshot_ms,
      kept_bytes: after.table_bytes,
    };
    return result;
  }
}

// ---------------------------------------------------------------------------------------------

agent.HeapDiff = HeapDiff;
agent.gc = gc;
agent.writeSnapshot = writeSnapshot;
agent.configure = configure;
agent.metrics = metrics;
agent.registerMetrics = registerMetrics;
agent.counters = () => binding.counters();
agent.threadId = threadId;
agent._binding = binding;

apply_triggers();

module.exports = agent;
