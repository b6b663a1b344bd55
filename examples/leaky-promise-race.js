'use strict';
// A never-settling promise raced again and again (nodejs/node#17469): every job races the app's
// `shutdown` promise so that it can be abandoned on shutdown. Promise.race subscribes to both
// promises; `shutdown` never settles, so it keeps one reaction per job for the life of the
// process, and each reaction keeps that job's race promise and, through it, the job's result.
//
//   node --expose-gc examples/leaky-promise-race.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

let stop;
const shutdown = new Promise((resolve) => { stop = resolve; });  // settles only at exit
process.once('SIGTERM', () => stop('shutdown'));

class ReportResult {
  constructor(req) {
    this.id = req.id;
    this.lines = Array.from({ length: 8 }, (_, i) => `${req.url} line ${i}`);
  }
}

async function buildReport(req) {
  await null;  // the work happens on a later turn, as real I/O would
  return new ReportResult(req);
}

async function handleRequest(req) {
  // The bug: racing a promise that never settles leaves a reaction on it after every race.
  const result = await Promise.race([shutdown, buildReport(req)]);
  return result === 'shutdown' ? 0 : result.lines.length;
}

runSeries('leaky-promise-race', async (k, requests) => {
  const pending = [];
  for (let i = 0; i < requests; i++) pending.push(handleRequest(fakeRequest()));
  await Promise.all(pending);
}, { requests: 1500 });
