'use strict';
// A timer per request that nobody clears: every request buffers an audit record and arms a
// one-hour safety timer to flush it in case the batch flush never comes. The batch flush does
// come, but the code forgets clearTimeout(), so each Timeout stays armed and its callback keeps
// the record (and the request it describes) alive for an hour.
//
//   node --expose-gc examples/leaky-flush-timers.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class AuditRecord {
  constructor(req) {
    this.requestId = req.id;
    this.url = req.url;
    this.headers = { ...req.headers };
    this.flushed = false;
  }
}

const batch = [];
function flushBatch() {
  for (const record of batch.splice(0)) record.flushed = true;
}

function handleRequest(req) {
  const record = new AuditRecord(req);
  batch.push(record);
  setTimeout(function flushIfStuck() {
    if (!record.flushed) flushBatch();  // the bug: never cleared after the batch flush
  }, 60 * 60 * 1000);
  if (batch.length >= 50) flushBatch();
}

runSeries('leaky-flush-timers', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 1000, after: () => process.exit(0) });
