'use strict';
// A small HTTP API with a classic per-request leak: each request's RequestContext (its headers,
// parsed body and a trace of what the handler did) goes into an "audit trail" Map for a debug page,
// and nothing ever removes it. Everything else a request allocates is garbage. With --load it
// starts examples/load-generator.js against itself (a separate process, stopped with the server),
// so one command shows the whole story:
//
//   leakscope run -- node examples/leaky-server.js --load
//   node examples/leaky-server.js [--port 0] [--load] [--rps 300] [--seconds 0]   (0: forever)
const http = require('node:http');
const path = require('node:path');
const { fork } = require('node:child_process');
const { arg } = require('./lib/args');

const port = Number(arg('--port', '0'));
const rps = Number(arg('--rps', '300'));
const seconds = Number(arg('--seconds', '0'));

class RequestContext {
  constructor(id, req, order) {
    this.id = id;
    this.method = req.method;
    this.url = req.url;
    this.headers = { ...req.headers };
    this.order = order;
    this.startedAt = Date.now();
    this.trace = [];
  }
}

const auditTrail = new Map();  // the leak: request id -> context, "for the debug page"
let served = 0;

function price(order) {
  let total = 0;
  for (const item of order.items) total += item.qty * ((item.sku.length * 7919) % 100);
  return total;
}

function handleOrder(req, res, body) {
  const order = JSON.parse(body);
  const ctx = new RequestContext(`req-${++served}`, req, order);
  ctx.trace.push(`parsed ${order.items.length} items`, `priced at ${price(order)}`);
  auditTrail.set(ctx.id, ctx);
  const page = JSON.stringify({ id: ctx.id, total: price(order), items: order.items.length });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(page);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`ok, ${served} orders served\n`);
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handleOrder(req, res, Buffer.concat(chunks).toString()));
});

// No SIGINT/SIGTERM handler: the load generator stops by itself when this process goes away.

server.listen(port, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/orders`;
  console.log(`leaky-server: listening on ${url}`);
  if (process.argv.includes('--load')) {
    // No execArgv: the generator must not inherit this process's node flags (a watcher's
    // --trace-gc would mix its GCs into ours).
    fork(path.join(__dirname, 'load-generator.js'), ['--url', url, '--rps', String(rps)], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
  }
  if (seconds > 0) {
    setTimeout(() => {
      console.log(`leaky-server: served ${served} orders, remembers ${auditTrail.size} of them`);
      process.exit(0);
    }, seconds * 1000);
  }
});
