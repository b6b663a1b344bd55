'use strict';
// Control (no leak) for leaky-keepalive-listeners.js: the same client on the same reused
// keep-alive socket, but each request removes its 'close' and 'data' listeners when its
// response ends (or fails), so the socket holds no listener of a finished request.
//
//   node --expose-gc examples/control-keepalive-listeners.js OUTDIR [--requests N]
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
    let unsubscribe = () => {};
    const clientReq = http.request({ port, method: req.method, path: req.url, agent,
                                     headers: req.headers }, (res) => {
      res.resume();
      res.on('end', () => {
        unsubscribe();
        resolve(record.order);
      });
    });
    clientReq.on('socket', (socket) => {
      const onClose = () => {
        if (closing || clientReq.writableFinished) return;
        console.error(`connection lost sending order ${record.id}`);
      };
      const onData = (chunk) => {
        bytesIn += chunk.length;
        record.lastChunkAt = Date.now();
      };
      socket.on('close', onClose);
      socket.on('data', onData);
      unsubscribe = () => {
        socket.removeListener('close', onClose);
        socket.removeListener('data', onData);
      };
    });
    clientReq.on('error', (err) => {
      unsubscribe();
      reject(err);
    });
    clientReq.end(req.body);
  });
}

runSeries('control-keepalive-listeners', async (k, requests) => {
  if (port === 0) {
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  }
  for (let i = 0; i < requests; i++) await send(fakeRequest());
}, { requests: 1000, after: () => { closing = true; agent.destroy(); server.close(); } });
