'use strict';
// HeapDiff: memwatch's shape; the comparison is the project's analysis/heap_diff, run by the
// addon (src/addon/heap_capture.h).

const { binding } = require('./core');

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

module.exports = {HeapDiff};
