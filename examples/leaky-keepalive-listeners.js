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

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, at: Date.now() }));
  });
});
// The pooled socket must outlive the pauses in which heap snapshots are written (seconds on a busy
// machine): with Node's 5 s keep-alive timeout the server could close it just as the next request
// went out (ECONNRESET), and a new socket would start its listener lists afresh.
server.keepAliveTimeout = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let port = 0;
let closing = false;  // the agent's sockets close at exit: no request is lost then

class OrderRecord {
  constructor(req) {
    const body = JSON.parse(req.body);
    this.id = req.id;
    this.order = body.order;
    this.note = body.note;
    this.headers = { ...req.headers };
  }
}

let bytesIn = 0;
function send(req) {
  const record = new OrderRecord(req);
  return new Promise((resolve, reject) => {
    const clientReq = http.request({ port, method: req.method, path: req.url, agent,
                                     headers: req.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(record.order));
    });
    // The bug: per-request listeners on the pooled socket, never removed.
    clientReq.on('socket', (socket) => {
      socket.on('close', function onClose() {
        if (closing || clientReq.writableFinished) return;
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
  if (port === 0) {
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  }
  for (let i = 0; i < requests; i++) await send(fakeRequest());
}, { requests: 1000, after: () => { closing = true; agent.destroy(); server.close(); } });
