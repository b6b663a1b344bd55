'use strict';
// Listener accumulation on a shared emitter: every request subscribes to the app-wide config bus
// to refresh its own state and never unsubscribes. The bus's `_events.reload` array grows by one
// closure per request, and each closure keeps its request's state alive.
//
//   node --expose-gc examples/leaky-listeners.js OUTDIR [--requests N]
const { EventEmitter } = require('node:events');
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

const configBus = new EventEmitter();
configBus.setMaxListeners(0);  // silences the warning that would have given this away

class RequestState {
  constructor(req) {
    this.id = req.id;
    this.url = req.url;
    this.settings = { timeout: 3000, retries: 2 };
  }
}

function handleRequest(req) {
  const state = new RequestState(req);
  configBus.on('reload', function onConfigReload(settings) {
    state.settings = settings;  // captures `state`: the listener keeps the request alive
  });
  return JSON.parse(req.body).order;  // the parsed body is garbage
}

runSeries('leaky-listeners', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest());
}, { requests: 1500 });
