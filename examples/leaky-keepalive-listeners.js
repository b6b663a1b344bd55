'use strict';
// Listeners piling up on a reused keep-alive socket: an HTTP client with one pooled socket
// (keepAlive, maxSockets 1) subscribes to the socket's 'close' and 'data' events on every
// request, to log the request's order record if the connection drops and to count bytes, and
// never unsubscribes. The socket lives as long as the agent, so its `_events.close` and
// `_events.data` arrays grow by one closure per request, and both closures share one context that
// keeps the request (its ClientRequest, with listeners of its own) and its parsed record alive.
// Node warns (MaxListenersExceededWarning); real apps often silence or ignore it.
//
//   node --expose-gc examples/leaky-keepalive-listeners.js OUTDIR [--requests N]
const http = require('node:http');
const { runSeries, fakeRequest } = require('./lib/snapshot-series');
const { OrderRecord, listening, requestOptions, isClosing, shutdown } = require('./lib/keepalive-client');

let bytesIn = 0;
function send(req) {
  const record = new OrderRecord(req);
  return new Promise((resolve, reject) => {
    const clientReq = http.request(requestOptions(req), (res) => {
      res.resume();
      res.on('end', () => resolve(record.order));
    });
    // The bug: per-request listeners on the pooled socket, never removed.
    clientReq.on('socket', (socket) => {
      socket.on('close', function onClose() {
        if (isClosing() || clientReq.writableFinished) return;
        console.error(`connection lost sending order ${record.id}`);
      });
      socket.on('data', function onData(chunk) {
        bytesIn += chunk.length;
        record.lastChunkAt = Date.now();
      });
    });
    clientReq.on('error', reject);
    clientReq.end(req.body);
  });
}

runSeries('leaky-keepalive-listeners', async (k, requests) => {
  await listening();
  for (let i = 0; i < requests; i++) await send(fakeRequest());
}, { requests: 1000, after: shutdown });
