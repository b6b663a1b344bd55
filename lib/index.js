'use strict';
// leakscope's agent: memwatch's and heapdump's API, per isolate (main thread and workers alike).
// The native binding (src/addon) watches every GC; this file only assembles the public API from
// the files that turn its records into events (events.js), snapshots (snapshots.js), triggers
// (triggers.js), Prometheus text (metrics.js) and heap diffs (heap_diff.js). Their state is in
// agent_state.js. See "The agent" in README.md.

const { threadId } = require('worker_threads');
const core = require('./core');
const { agent } = require('./agent_state');
const { forward_events, gc } = require('./events');
const { HeapDiff } = require('./heap_diff');
const { metrics, registerMetrics } = require('./metrics');
const { writeSnapshot } = require('./snapshots');
const { apply_triggers, configure } = require('./triggers');

const { binding } = core;

forward_events();

agent.HeapDiff = HeapDiff;
agent.gc = gc;
agent.writeSnapshot = writeSnapshot;
agent.configure = configure;
agent.metrics = metrics;
agent.registerMetrics = registerMetrics;
agent.counters = () => binding.counters();
agent.threadId = threadId;
agent._binding = binding;

apply_triggers();

module.exports = agent;
