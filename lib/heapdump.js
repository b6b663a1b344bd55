'use strict';
// require('leakscope/heapdump'): heapdump 0.3.15's API and behaviour, so its users change one
// line. writeSnapshot([filename], [callback]) is synchronous, calls back before returning with
// (null, filename) or (Error('heapdump write error ENOENT'), with `code` set), and returns true
// or false; without a string filename it writes heapdump-<sec>.<usec>.heapsnapshot in the current
// directory. SIGUSR2 writes a snapshot each time (no rate limit, errors ignored, as heapdump)
// unless NODE_HEAPDUMP_OPTIONS says nosignal. The snapshot itself is leakscope's writer
// (streamed, partial files removed), which refuses a FIFO or socket at once (heapdump error
// `heapdump write error ENXIO`) where heapdump blocked in fopen() for ever.

const { isMainThread } = require('worker_threads');
const core = require('./core');

function write(filename) {
  const result = core.binding.writeSnapshot(filename);
  return result.errno ? result.errno : 0;
}

function writeSnapshot(filename, cb) {
  if (typeof filename === 'function') {
    cb = filename;
    filename = undefined;
  }
  if (typeof filename !== 'string') filename = core.default_snapshot_name();
  const errno = write(filename);
  if (cb) {
    if (!errno) {
      cb(null, filename);
    } else {
      const code = core.errno_name(errno) || errno;
      const err = new Error(`heapdump write error ${code}`);
      err.code = code;
      cb(err);
    }
  }
  return !errno;
}

// heapdump's option list: comma separated, "signal" and "nosignal"; anything else is reported.
function signal_wanted() {
  let wanted = true;
  for (const option of (process.env.NODE_HEAPDUMP_OPTIONS || '').split(/\s*,\s*/)) {
    if (option === '') continue;
    else if (option === 'signal') wanted = true;
    else if (option === 'nosignal') wanted = false;
    else console.error('node-heapdump: unrecognized option:', option);
  }
  return wanted;
}

// Signals reach only the main thread's process object (heapdump installed its handler on the
// main loop even from a worker).
if (signal_wanted() && isMainThread && core.heapdump_signal === null) {
  core.heapdump_signal = 'SIGUSR2';
  process.on('SIGUSR2', () => write(core.default_snapshot_name()));
}

exports.writeSnapshot = writeSnapshot;
