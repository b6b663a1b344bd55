'use strict';
// The binding's records (lib/core.js's hub) as the agent's events, and gc(), whose stats get the
// same decoration as the `stats` event's.

const core = require('./core');
const { agent, state } = require('./agent_state');
const { array_buffers } = require('./metrics');
const { count, report_error, snapshot_error } = require('./snapshots');
const { check_thresholds, triggered_snapshot } = require('./triggers');

function decorate_stats(stats) {
  stats.array_buffers = array_buffers();
  return stats;
}

function forward_events() {
  core.hub.on('stats', (payload) => {
    decorate_stats(payload);
    agent.emit('stats', payload);
    check_thresholds(payload.used_heap_size, payload.rss);
  });
  core.hub.on('leak', (payload) => {
    payload.start = new Date(payload.start);
    payload.end = new Date(payload.end);
    agent.emit('leak', payload);
    if (state.config.onLeak) triggered_snapshot('leak');
  });
  // Snapshots the addon wrote by itself (near the heap limit).
  core.hub.on('snapshot', (payload) => {
    count(state.snapshot_counts, payload.trigger);
    agent.emit('snapshot', payload);
  });
  core.hub.on('snapshot-error', (payload) => report_error(snapshot_error(payload, payload.trigger)));
}

// memwatch.gc(): exactly one full GC, returning the stats it produced.
function gc() {
  return decorate_stats(core.gc());
}

module.exports = {forward_events, gc};
