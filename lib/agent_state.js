'use strict';
// require('leakscope')'s state for this isolate, all in one place: the emitter the public API is,
// the options in force, the triggers' bookkeeping and the counts the metrics report. The other
// agent files (snapshots, triggers, events, metrics, heap_diff) hold functions only.

const EventEmitter = require('events');
const { isMainThread } = require('worker_threads');
const { defaults } = require('./options');

const agent = new EventEmitter();

function env_options() {
  const text = `${process.env.LEAKSCOPE_OPTIONS || ''},${process.env.NODE_HEAPDUMP_OPTIONS || ''}`;
  const words = new Set(text.split(/[,\s]+/).filter(Boolean));
  return {nosignal: words.has('nosignal')};
}

const state = {
  config: {...defaults},
  trigger: {
    last_time: -Infinity,
    written: 0,
    signal_handler: null,
    signal_name: null,
    interval: null,
    poll: null,
  },
  snapshot_counts: new Map(),  // trigger -> snapshots written
  skipped_counts: new Map(),   // reason -> snapshots skipped
  array_buffers: 0,            // the latest process.memoryUsage().arrayBuffers read
};
if (env_options().nosignal || !isMainThread) state.config.signal = false;

module.exports = {agent, state};
