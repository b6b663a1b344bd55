'use strict';
// A small web-app-shaped program with a classic leak: every request creates a UserSession that is
// stored in a module-level Map and never removed, and a listener that is never taken off a shared
// emitter. Everything else it allocates per request is garbage that the GC reclaims.
//
//   node --expose-gc examples/session-leak.js [--requests N] [--snapshot FILE]
//        [--snapshots DIR --every N]   (writes s1, s2, s3... every N requests)
const { EventEmitter } = require('node:events');
const v8 = require('node:v8');
const path = require('node:path');
const fs = require('node:fs');
const { arg } = require('./lib/args');

class UserSession {
  constructor(id, user) {
    this.id = id;
    this.user = user;
    this.createdAt = new Date();
    this.cart = [];
  }
}

const sessions = new Map();  // the leak: nothing ever deletes from it
const bus = new EventEmitter();
bus.setMaxListeners(0);

function handleRequest(i) {
  const body = JSON.stringify({ user: `user-${i % 977}`, items: [i, i + 1, i + 2] });
  const parsed = JSON.parse(body);  // garbage after the request
  const session = new UserSession(`sess-${i}`, parsed.user);
  session.cart.push({ sku: `sku-${i % 50}`, qty: 1 });
  sessions.set(session.id, session);
  bus.on('config-changed', () => session.cart.length);  // the second leak
  return parsed.items.length;
}

function writeSnapshot(file) {
  if (global.gc) global.gc();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  v8.writeHeapSnapshot(file);
}

const requests = Number(arg('--requests', '5000'));
const snapshotFile = arg('--snapshot', null);
const snapshotDir = arg('--snapshots', null);
const every = Number(arg('--every', String(Math.max(1, Math.floor(requests / 3)))));
let written = 0;
for (let i = 1; i <= requests; i++) {
  handleRequest(i);
  if (snapshotDir && i % every === 0) writeSnapshot(path.join(snapshotDir, `s${++written}.heapsnapshot`));
}
if (snapshotFile) writeSnapshot(snapshotFile);
console.log(`handled ${requests} requests; ${sessions.size} sessions and ` +
            `${bus.listenerCount('config-changed')} listeners are still held`);
