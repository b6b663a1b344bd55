'use strict';
// Snapshots on request (heapdump's writeSnapshot) and how a failed one is reported.

const core = require('./core');
const { agent, state } = require('./agent_state');

const { binding } = core;

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

function count(map, key) {
  map.set(key, (map.get(key) || 0) + 1);
}

function write_snapshot_now(file, trigger) {
  const result = binding.writeSnapshot(file);
  if (result.errno) return {error: snapshot_error(result, trigger), result};
  count(state.snapshot_counts, trigger);
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

module.exports = {snapshot_error, report_error, count, write_snapshot_now, writeSnapshot};
