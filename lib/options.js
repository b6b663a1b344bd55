'use strict';
// configure()'s checks. Every field is checked before anything is applied, so a bad field leaves
// the agent as it was. Wrong types throw a TypeError, numbers out of range (negative, NaN,
// Infinity, too large) a RangeError; both messages name the field.

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

const leak_rules = {
  minDurationMs: duration,
  minPoints: number_rule(0, kMaxSamples, {integer: true}),
  warmupMs: duration,
  minGrowthBytes: bytes,
  minGrowthFraction: factor,
  minRateBytesPerHour: bytes,
  confidence: number_rule(0, 1, {exclusive: true}),
  windowMs: duration,
  maxSamples: number_rule(0, kMaxSamples, {integer: true}),
};

function check_fields(options, table, prefix) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`configure(): ${prefix || 'options'} must be an object, got ${describe(options)}`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!prefix && key === 'leak') continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (!Object.hasOwn(table, key)) throw new TypeError(`configure(): unknown option ${name}`);
    if (value === undefined) continue;  // as if not given
    const err = table[key](name, value);
    if (err) throw err;
  }
}

// Throws on the first bad field; returns {options, leak} with undefined fields dropped and
// nearHeapLimit and signal in their canonical form.
function check_options(options = {}) {
  check_fields(options, rules, '');
  const out = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'leak' || value === undefined) continue;
    if (key === 'nearHeapLimit' && typeof value === 'boolean') out[key] = value ? 1 : 0;
    else if (key === 'signal' && (value === null || value === 'off' || value === 'none')) out[key] = false;
    else out[key] = value;
  }
  let leak;
  if (options.leak !== undefined) {
    check_fields(options.leak, leak_rules, 'leak');
    leak = Object.fromEntries(Object.entries(options.leak).filter(([, v]) => v !== undefined));
  }
  return {options: out, leak};
}

module.exports = {check_options, kMaxDurationMs};
