'use strict';
// Control (no leak) for leaky-promise-race.js, with the documented workaround: each job races a
// promise of its own that the shutdown handler settles, and the job removes it when it is done,
// so nothing is left subscribed once the job ends.
//
//   node --expose-gc examples/control-promise-race.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

const shutdownWaiters = new Set();
process.once('SIGTERM', () => { for (const resolve of shutdownWaiters) resolve('shutdown'); });

class ReportResult {
  constructor(req) {
    this.id = req.id;
    this.lines = Array.from({ length: 8 }, (_, i) => `${req.url} line ${i}`);
  }
}

async function buildReport(req) {
  await null;
  return new ReportResult(req);
}

function raceShutdown(job) {
  let waiter;
  const stopped = new Promise((resolve) => { waiter = resolve; shutdownWaiters.add(resolve); });
  return Promise.race([stopped, job]).finally(() => shutdownWaiters.delete(waiter));
}

async function handleRequest(req) {
  const result = await raceShutdown(buildReport(req));
  return result === 'shutdown' ? 0 : result.lines.length;
}

runSeries('control-promise-race', async (k, requests) => {
  const pending = [];
  for (let i = 0; i < requests; i++) pending.push(handleRequest(fakeRequest()));
  await Promise.all(pending);
}, { requests: 1500 });
