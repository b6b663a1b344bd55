'use strict';
// A setInterval that is never cleared: each export job starts a progress poller and forgets to
// clear it when the job finishes. The Timeout keeps its callback, the callback keeps the job's
// state (rows and all) alive, for as long as the process runs.
//
//   node --expose-gc examples/leaky-interval.js OUTDIR [--requests N]
const { runSeries } = require('./lib/snapshot-series');

class ExportJob {
  constructor(id) {
    this.id = id;
    this.rows = Array.from({ length: 20 }, (_, i) => ({ row: i, value: `r${id}-${i}` }));
    this.progress = 0;
    this.done = false;
  }
}

let jobCount = 0;
function startExport() {
  const job = new ExportJob(++jobCount);
  setInterval(function pollProgress() {
    job.progress = job.done ? 100 : job.progress + 1;  // the bug: never clearInterval()
  }, 3600 * 1000);
  job.done = true;
  return job.id;
}

runSeries('leaky-interval', (k, requests) => {
  for (let i = 0; i < requests; i++) startExport();
}, { requests: 800, after: () => process.exit(0) });
