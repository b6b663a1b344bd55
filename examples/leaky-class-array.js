'use strict';
// A module-level array of class instances: an audit trail that is appended to on every request
// and never trimmed or flushed.
//
//   node --expose-gc examples/leaky-class-array.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

class AuditEntry {
  constructor(req) {
    this.requestId = req.id;
    this.method = req.method;
    this.path = req.url;
    this.at = Date.now();
  }
}

const auditTrail = [];  // the leak

function handleRequest(req) {
  auditTrail.push(new AuditEntry(req));
  return JSON.parse(req.body).order;
}

runSeries('leaky-class-array', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 2000 });
