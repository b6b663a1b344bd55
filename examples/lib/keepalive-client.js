'use strict';
// The local HTTP server and the client with one pooled keep-alive socket that
// leaky-keepalive-listeners.js and its control share; they differ only in what each request does
// with the socket's listeners.
const http = require('node:http');

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

async function listening() {
  if (port !== 0) return;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
}

// http.request's options for a fake request, through the pooled socket.
function requestOptions(req) {
  return { port, method: req.method, path: req.url, agent, headers: req.headers };
}

function shutdown() {
  closing = true;
  agent.destroy();
  server.close();
}

module.exports = { OrderRecord, listening, requestOptions, isClosing: () => closing, shutdown };
