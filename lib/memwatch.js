'use strict';
// require('leakscope/memwatch'): memwatch 0.2.2's API and output shapes, so its users change one
// line. The module is an EventEmitter: `stats` after each full GC with memwatch's eight fields,
// `leak` with {start, end, growth, reason}; gc() runs one full GC and returns undefined;
// HeapDiff is memwatch's: `new` required, end() once, the result has memwatch's fields and class
// names (String, Array, Closure, Code, Number, Native and constructor names; src/analysis/
// memwatch_classes.h). The numbers are leakscope's (64-bit, signed trend, its leak detector);
// see "Differences from memwatch" in README.md.

const EventEmitter = require('events');
const core = require('./core');

const memwatch = new EventEmitter();
module.exports = memwatch;

core.hub.on('stats', (s) => {
  if (memwatch.listenerCount('stats') === 0) return;
  memwatch.emit('stats', {
    num_full_gc: s.num_full_gc,
    num_inc_gc: s.num_inc_gc,
    heap_compactions: s.heap_compactions,
    usage_trend: s.usage_trend,
    estimated_base: s.estimated_base,
    current_base: s.current_base,
    min: s.min,
    max: s.max,
  });
});

core.hub.on('leak', (l) => {
  memwatch.emit('leak', {start: new Date(+l.start), end: new Date(+l.end), growth: l.growth, reason: l.reason});
});

memwatch.gc = function gc() {
  core.gc();
};

// memwatch stamped both sides with time(NULL): whole seconds.
function now_seconds() {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

const pending = new WeakMap();  // HeapDiff -> {before, time}; nothing visible on the instance

function HeapDiff() {
  if (!new.target) throw new TypeError('Use the new operator to create instances of this object.');
  const time = now_seconds();
  pending.set(this, {before: core.binding.heapDiffCapture(false, true), time, ended: false});
}

HeapDiff.prototype.end = function end() {
  const state = pending.get(this);
  if (!state) throw new TypeError('HeapDiff.end() must be called on a HeapDiff');
  if (state.ended) throw new Error('attempt to end() a HeapDiff that was already ended');
  state.ended = true;
  const before = state.before;
  state.before = null;
  const r = JSON.parse(core.binding.heapDiffEnd(before.table).json);
  const side = (s, time) => ({nodes: s.nodes, time, size_bytes: s.size_bytes, size: s.size});
  return {
    before: side(r.before, state.time),
    after: side(r.after, now_seconds()),
    change: {
      size_bytes: r.change.size_bytes,
      size: r.change.size,
      freed_nodes: r.change.freed_nodes,
      allocated_nodes: r.change.allocated_nodes,
      // memwatch left hidden and synthetic nodes out of details (memwatch_classes.h).
      details: r.change.details.filter((d) => d.what !== ''),
    },
  };
};

memwatch.HeapDiff = HeapDiff;
