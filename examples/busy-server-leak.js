'use strict';
// A JS-heap leak in a busy HTTP server: every request does real CPU work (parse a JSON body,
// render a page, hash it) and the server keeps each request's context in a "recent requests"
// map for its metrics that nothing ever trims. A keep-alive client in the same process drives
// it as fast as the CPU allows, so on a loaded machine (or under `nice`) it handles fewer
// requests, runs fewer GCs and the watcher gets sparse samples, while the heap that survives GC
// still grows by megabytes per second: the case where a verdict must not wait for a long window.
//
//   node examples/busy-server-leak.js [--seconds 60] [--keep 6] [--rps 400]
//   (--keep: KB kept per request; --rps: the clients' request rate, which a busy CPU may not reach)
//   leakscope watch --min-duration 20 --duration 40 -- node examples/busy-server-leak.js
const http = require('node:http');
const crypto = require('node:crypto');
const { arg } = require('./lib/args');

const seconds = Number(arg('--seconds', '60'));
const keepKB = Number(arg('--keep', '6'));
const rps = Number(arg('--rps', '400'));
const recent = new Map();  // the leak: request id -> context, "for the metrics page"
let served = 0;

function render(order) {
  const rows = order.items.map((it) => `<tr><td>${it.sku}</td><td>${it.qty}</td></tr>`);
  return `<html><body><h1>Order ${order.id}</h1><table>${rows.join('')}</table></body></html>`;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const order = JSON.parse(Buffer.concat(chunks).toString());
    const page = render(order);
    const etag = crypto.createHash('sha1').update(page).digest('hex');
    // The context keeps the parsed order and a per-request log (about --keep KB of strings).
    const log = [];
    for (let k = 0; k < keepKB * 8; k++) log.push(`${etag}:${k}:${order.id}:${'.'.repeat(80)}`);
    recent.set(`${order.id}-${served++}`, {order, etag, log, at: Date.now()});
    res.writeHead(200, {'content-type': 'text/html', etag});
    res.end(page);
  });
});

server.listen(0, '127.0.0.1', () => {
  const agent = new http.Agent({keepAlive: true, maxSockets: 4});
  const {port} = server.address();
  let id = 0;
  let stop = false;
  let inflight = 0;
  let due = 0;
  const one = () => {
    inflight++;
    const items = Array.from({length: 40}, (_, k) => ({sku: `sku-${(id * 7 + k) % 997}`, qty: k}));
    const body = JSON.stringify({id: id++, items});
    const req = http.request({port, method: 'POST', path: '/order', agent}, (res) => {
      res.resume();
      res.on('end', () => inflight--);
    });
    req.on('error', () => inflight--);
    req.end(body);
  };
  // The clients send --rps requests per second, at most 8 at a time: a fixed offered load, as
  // real traffic is. When the CPU is busy the server falls behind and serves fewer.
  const pace = setInterval(() => {
    if (stop) return clearInterval(pace);
    due = Math.min(due + rps / 100, 8);
    while (due >= 1 && inflight < 8) {
      due -= 1;
      one();
    }
  }, 10);
  setTimeout(() => {
    stop = true;
    console.log(`busy-server-leak: served ${served} requests, kept ${recent.size} contexts`);
    agent.destroy();
    server.close();
  }, seconds * 1000);
});
