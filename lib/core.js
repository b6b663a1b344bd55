'use strict';
// What every entry point shares, once per isolate (each worker has its own module cache): the
// native binding, the one event channel it has (re-emitted on `hub`), one full GC, and
// heapdump's file naming. require('leakscope'), 'leakscope/heapdump' and 'leakscope/memwatch'
// build their own APIs on it, so loading one never brings in another's behaviour.

const EventEmitter = require('events');
const fs = require('fs');
const os = require('os');
const path = require('path');

function load_binding() {
  const root = path.join(__dirname, '..');
  const candidates = [
    process.env.LEAKSCOPE_ADDON,
    path.join(root, 'build', 'Release', 'leakscope.node'),
    path.join(root, 'build', 'Debug', 'leakscope.node'),
  ].filter(Boolean);
  let first_error = null;
  for (const file of candidates) {
    if (!fs.existsSync(file)) continue;
    try {
      return require(file);
    } catch (err) {
      first_error = first_error || err;
    }
  }
  const err = new Error('leakscope: the native addon is not built (' +
                        (first_error ? first_error.message : 'no build/Release/leakscope.node') +
                        '); run `npm install` or `node scripts/build-addon.js` in ' + root);
  err.code = 'LEAKSCOPE_NO_ADDON';
  err.cause = first_error || undefined;
  throw err;
}

const binding = load_binding();

// 'stats', 'leak', 'snapshot' and 'snapshot-error' records, as the binding delivers them.
const hub = new EventEmitter();
hub.setMaxListeners(0);
binding.start((kind, payload) => hub.emit(kind, payload));

const errno_names = new Map(Object.entries(os.constants.errno).map(([name, no]) => [no, name]));

function errno_name(errno) {
  return errno_names.get(errno);
}

// heapdump-<sec>.<usec>.heapsnapshot; the addon builds the name (src/addon/snapshot_file.h), so
// the near-heap-limit snapshots it writes by itself are named the same way.
function default_snapshot_name() {
  return binding.snapshotFileName();
}

// V8 names its gc extension function after --expose-gc-as, once for the whole process (an empty
// name means "gc"). This thread's execArgv may not show it (a worker started with execArgv: []),
// so src/addon/full_gc.h finds the function in its private context without the name; this is
// only the tie-breaker when that context holds several candidates.
const gc_function_name = (() => {
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const m = /^--expose[-_]gc[-_]as(?:=(.*))?$/.exec(args[i]);
    if (m) return (m[1] !== undefined ? m[1] : args[i + 1]) || 'gc';
  }
  return undefined;
})();

// Exactly one full GC; returns the binding's stats of it.
function gc() {
  return binding.gc(gc_function_name);
}

module.exports = {
  binding,
  hub,
  errno_name,
  default_snapshot_name,
  gc,
  // The signal leakscope/heapdump writes snapshots on, once it is loaded (the agent's own signal
  // trigger then leaves that signal to it, so one signal writes one snapshot).
  heapdump_signal: null,
};
