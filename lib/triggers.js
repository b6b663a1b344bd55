'use strict';
// configure(): the snapshot triggers (signal, timer, heap and RSS thresholds, near the heap
// limit, a leak) and the budget every triggered snapshot must pass (rate limits, free disk,
// available memory).

const fs = require('fs');
const os = require('os');
const path = require('path');
const { isMainThread } = require('worker_threads');
const core = require('./core');
const { check_options } = require('./options');
const { agent, state } = require('./agent_state');
const { count, report_error, write_snapshot_now } = require('./snapshots');

const { binding } = core;

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
  const {config, trigger: trigger_state} = state;
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
    count(state.skipped_counts, refused.reason);
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
  state.trigger.last_time = Date.now();
  state.trigger.written += 1;
  const file = path.join(state.config.dir, core.default_snapshot_name());
  const {error, result} = write_snapshot_now(file, trigger);
  if (error) {
    report_error(error);
    return null;
  }
  const info = {path: file, trigger, bytes: result.bytes, nodes: result.nodes,
                duration_ms: result.duration_ms, started_at: state.trigger.last_time};
  agent.emit('snapshot', info);
  return info;
}

function check_thresholds(used, rss) {
  const {config} = state;
  if (config.heapUsedBytes > 0 && used >= config.heapUsedBytes) triggered_snapshot('heap-used');
  if (config.rssBytes > 0 && rss >= config.rssBytes) triggered_snapshot('rss');
}

function apply_triggers() {
  const {config, trigger: trigger_state} = state;
  if (trigger_state.signal_handler && trigger_state.signal_name !== config.signal) {
    process.removeListener(trigger_state.signal_name, trigger_state.signal_handler);
    trigger_state.signal_handler = null;
    trigger_state.signal_name = null;
  }
  // Signals reach only the main thread's process object.
  if (config.signal && isMainThread && !trigger_state.signal_handler) {
    trigger_state.signal_handler = () => {
      // With leakscope/heapdump loaded too, its handler writes the one snapshot a signal asks for.
      if (core.heapdump_signal === state.config.signal) return;
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

// The leak detector's options in force (the addon holds them: src/addon/leak_methods.h).
function leak_config() {
  return binding.leakState().options;
}

// Every field is checked (lib/options.js) before any is applied: a bad one changes nothing.
function configure(options = {}) {
  const checked = check_options(options, leak_config());
  if (checked.leak !== undefined) binding.setLeakOptions(checked.leak);
  state.config = {...state.config, ...checked.options};
  apply_triggers();
  return {...state.config, leak: leak_config()};
}

module.exports = {configure, apply_triggers, triggered_snapshot, check_thresholds};
