'use strict';
// configure()'s checks. Every field is read exactly once into a plain copy, and only that copy is
// checked and applied (a getter cannot pass one value and apply another). Every field is checked
// before anything is applied, so a bad field leaves the agent as it was. Wrong types throw a
// TypeError, numbers out of range (negative, NaN, Infinity, too large) a RangeError; both
// messages name the field.

const os = require('os');

// Node's timers take at most 2^31-1 ms; a larger delay overflows to 1 ms (with a warning), so
// intervalMs: 30 days would write a snapshot at once. Every duration uses this one bound.
const kMaxDurationMs = 2 ** 31 - 1;
// Byte figures are compared with 64-bit counts; 1e18 ("never") must stay possible.
const kMaxBytes = 2 ** 64;
const kMaxCount = 2 ** 31 - 1;
// One number per full GC is kept; the detector thins what it judges to 1500 points anyway.
const kMaxSamples = 1e6;

function describe(v) {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

// {min, max, integer, exclusive}: the allowed range of a number field, and how the README says it.
function number_rule(min, max, {integer = false, exclusive = false, unit = '', max_text = String(max)} = {}) {
  const range = exclusive ? `(${min}, ${max_text})` : `[${min}, ${max_text}]`;
  const what = `${integer ? 'an integer' : 'a number'}${unit ? ` of ${unit}` : ''} in ${range}`;
  return (name, v) => {
    if (typeof v !== 'number') return new TypeError(`configure(): ${name} must be ${what}, got ${describe(v)}`);
    const in_range = exclusive ? v > min && v < max : v >= min && v <= max;
    if (!in_range || (integer && !Number.isInteger(v))) {
      return new RangeError(`configure(): ${name} must be ${what}, got ${describe(v)}`);
    }
    return null;
  };
}

const duration = number_rule(0, kMaxDurationMs, {unit: 'ms'});
const bytes = number_rule(0, kMaxBytes, {unit: 'bytes', max_text: '2^64'});
// Factors only scale a figure; agent-snapshot relies on 1e9 to refuse every snapshot.
const factor = number_rule(0, 2 ** 53, {max_text: '2^53'});

function boolean(name, v) {
  return typeof v === 'boolean' ? null : new TypeError(`configure(): ${name} must be true or false, got ${describe(v)}`);
}

function signal(name, v) {
  if (v === false || v === null || v === 'off' || v === 'none') return null;
  if (typeof v !== 'string' || !Object.hasOwn(os.constants.signals, v)) {
    return new TypeError(`configure(): ${name} must be a signal name or false, got ${describe(v)}`);
  }
  if (v === 'SIGKILL' || v === 'SIGSTOP') return new TypeError(`configure(): ${name}: ${v} cannot be caught`);
  return null;
}

function directory(name, v) {
  if (typeof v !== 'string' || v === '' || v.includes('\0')) {
    return new TypeError(`configure(): ${name} must be a non-empty path, got ${describe(v)}`);
  }
  return null;
}

const count = number_rule(0, kMaxCount, {integer: true});
function near_heap_limit(name, v) {
  return typeof v === 'boolean' ? null : count(name, v);
}

const rules = {
  dir: directory,
  signal,
  intervalMs: duration,
  heapUsedBytes: bytes,
  rssBytes: bytes,
  pollMs: duration,
  nearHeapLimit: near_heap_limit,
  onLeak: boolean,
  minIntervalMs: duration,
  maxCount: count,
  diskFactor: factor,
  minFreeDiskBytes: bytes,
  memoryFactor: factor,
};

// What configure() starts from; the same keys as `rules`.
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

// The one JS list of the `leak` options (the addon's is kLeakOptionKeys in
// src/addon/leak_methods.h; agent-option-names checks both and index.d.ts agree).
const leak_rules = {
  minDurationMs: duration,
  // Fewer than 3 points have no trend; the detector needs maxSamples >= minPoints (check_points).
  minPoints: number_rule(3, kMaxSamples, {integer: true}),
  warmupMs: duration,
  minGrowthBytes: bytes,
  minGrowthFraction: factor,
  minRateBytesPerHour: bytes,
  confidence: number_rule(0, 1, {exclusive: true}),
  windowMs: duration,
  maxSamples: number_rule(3, kMaxSamples, {integer: true}),
};

// Reads every own enumerable field of `value` exactly once (getters and proxies included) into a
// plain object: what is checked is what is applied, however the caller's object behaves.
function read_once(value, name) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`configure(): ${name} must be an object, got ${describe(value)}`);
  }
  return Object.fromEntries(Object.entries(value));
}

function check_fields(snapshot, table, prefix) {
  for (const [key, value] of Object.entries(snapshot)) {
    if (!prefix && key === 'leak') continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (!Object.hasOwn(table, key)) throw new TypeError(`configure(): unknown option ${name}`);
    if (value === undefined) continue;  // as if not given
    const err = table[key](name, value);
    if (err) throw err;
  }
}

// minPoints full GCs must fit in the maxSamples kept; `current`: the options in force, for the
// one of the two not given now.
function check_points(leak, current) {
  const min_points = leak.minPoints !== undefined ? leak.minPoints : current && current.minPoints;
  const max_samples = leak.maxSamples !== undefined ? leak.maxSamples : current && current.maxSamples;
  if (typeof min_points !== 'number' || typeof max_samples !== 'number' || max_samples >= min_points) return;
  if (leak.maxSamples !== undefined) {
    throw new RangeError(`configure(): leak.maxSamples must be at least leak.minPoints (${min_points}), ` +
                         `got ${max_samples}`);
  }
  throw new RangeError(`configure(): leak.minPoints must be at most leak.maxSamples (${max_samples}), ` +
                       `got ${min_points}`);
}

// Throws on the first bad field; returns {options, leak} with undefined fields dropped and
// nearHeapLimit and signal in their canonical form. Every field (leak.* too) is read exactly once;
// the checks and the result use only that copy. `current_leak`: the leak options in force.
function check_options(options = {}, current_leak = null) {
  const snapshot = read_once(options, 'options');
  check_fields(snapshot, rules, '');
  let leak;
  if (snapshot.leak !== undefined) {
    const leak_snapshot = read_once(snapshot.leak, 'leak');
    check_fields(leak_snapshot, leak_rules, 'leak');
    leak = Object.fromEntries(Object.entries(leak_snapshot).filter(([, v]) => v !== undefined));
    check_points(leak, current_leak);
  }
  const out = {};
  for (const [key, value] of Object.entries(snapshot)) {
    if (key === 'leak' || value === undefined) continue;
    if (key === 'nearHeapLimit' && typeof value === 'boolean') out[key] = value ? 1 : 0;
    else if (key === 'signal' && (value === null || value === 'off' || value === 'none')) out[key] = false;
    else out[key] = value;
  }
  return {options: out, leak};
}

module.exports = {check_options, defaults, kMaxDurationMs, option_names: Object.keys(rules),
                  leak_option_names: Object.keys(leak_rules)};
