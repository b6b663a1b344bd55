'use strict';
// Control (no leak) for leaky-flush-timers.js, as the fix writes it: the batch flush clears the
// safety timer of every record it flushes, so only the records still waiting have a timer.
//
//   node --expose-gc examples/control-flush-timers.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class AuditRecord {
  constructor(req) {
    this.requestId = req.id;
    this.url = req.url;
    this.headers = { ...req.headers };
    this.flushed = false;
    this.timer = null;
  }
}

const batch = [];
function flushBatch() {
  for (const record of batch.splice(0)) {
    record.flushed = true;
    clearTimeout(record.timer);
  }
}

function handleRequest(req) {
  const record = new AuditRecord(req);
  batch.push(record);
  record.timer = setTimeout(function flushIfStuck() {
    if (!record.flushed) flushBatch();
  }, 60 * 60 * 1000);
  if (batch.length >= 50) flushBatch();
}

runSeries('control-flush-timers', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 1000, after: () => process.exit(0) });
