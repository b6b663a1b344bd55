'use strict';
// A small HTTP load generator: POSTs JSON orders to --url at about --rps requests per second over
// a few keep-alive connections. Started by examples/leaky-server.js --load, it stops when its
// parent goes away (or after --seconds).
//
//   node examples/load-generator.js --url http://127.0.0.1:PORT/orders [--rps 300] [--seconds 0]
const http = require('node:http');
const { arg } = require('./lib/args');

const url = new URL(arg('--url', 'http://127.0.0.1:8080/orders'));
const rps = Number(arg('--rps', '300'));
const seconds = Number(arg('--seconds', '0'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let id = 0;
let inflight = 0;
let due = 0;
let failures = 0;

function send() {
  inflight++;
  const n = 5 + (id % 20);
  const items = Array.from({ length: n }, (_, k) => ({ sku: `sku-${(id * 13 + k) % 5000}`, qty: 1 + (k % 4) }));
  const body = JSON.stringify({ customer: `customer-${id % 1000}`, note: 'x'.repeat(200), items });
  id++;
  const req = http.request(
    { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'x-request-id': `lg-${id}` } },
    (res) => {
      res.resume();
      res.on('end', () => inflight--);
    });
  req.on('error', () => {
    inflight--;
    if (++failures > 50) process.exit(0);  // the server is gone
  });
  req.end(body);
}

// A fixed offered load, at most 8 requests in flight.
const pace = setInterval(() => {
  due = Math.min(due + rps / 100, 8);
  while (due >= 1 && inflight < 8) {
    due -= 1;
    send();
  }
}, 10);
const stop = () => {
  clearInterval(pace);
  agent.destroy();
  process.exit(0);
};
process.on('disconnect', stop);
if (seconds > 0) setTimeout(stop, seconds * 1000);
