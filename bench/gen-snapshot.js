#!/usr/bin/env node
// Writes a heap snapshot of a realistic leaking Node service, for benchmarks and the differential
// test. The size grows linearly with SCALE (Node 20, x64):
//   scale  12000 -> ~20 MB    (~255k nodes)
//   scale 145000 -> ~200 MB   (~2.6M nodes)
//   scale 740000 -> ~1 GB     (~13M nodes; V8 needs ~6 GB of RAM and a minute to write it)
//
// Usage: node --expose-gc --max-old-space-size=16384 bench/gen-snapshot.js SCALE OUT.heapsnapshot
//
// Each unit of scale is one "request" of a service that leaks the way real ones do:
//   - a session cache (Map keyed by string) that is never evicted, holding plain objects with a
//     nested array payload;
//   - an audit log of class instances (one Summary class) with a small array and a nested object;
//   - per-request handler closures that capture a context object (closure + system / Context);
//   - event listeners added and never removed (every 4th request);
//   - concatenated and sliced strings (every 8th request);
//   - Buffers and typed arrays (native backing stores, every 64th request).
'use strict';
const v8 = require('v8');
const { EventEmitter } = require('events');

const scale = Number.parseInt(process.argv[2] ?? '', 10);
const out = process.argv[3];
if (!Number.isInteger(scale) || scale < 0 || !out) {
  console.error('usage: node --expose-gc bench/gen-snapshot.js SCALE OUT.heapsnapshot');
  process.exit(2);
}

class AuditEntry {
  constructor(seq) {
    this.seq = seq;
    this.action = 'update-' + seq;
    this.deltas = [seq, seq * 2, seq * 3];
    this.actor = { since: seq, team: null };
  }
}

class RequestScope {
  constructor(seq) {
    this.requestId = 'rq-' + seq;
    this.headers = { 'x-request-id': String(seq), 'user-agent': 'client/' + (seq % 89) };
  }
}

const service = {
  sessions: new Map(),
  audit: [],
  handlers: [],
  bus: new EventEmitter(),
  texts: [],
  blobs: [],
};
service.bus.setMaxListeners(0);
globalThis.__leakyService = service;

const template = '<html>' + 'y'.repeat(1018) + '</html>-tail-of-template';
for (let seq = 0; seq < scale; seq++) {
  service.sessions.set('sess:' + seq, { user: 'u' + seq, data: [seq, seq + 1], at: seq * 1000, sid: seq });

  const entry = new AuditEntry(seq);
  service.audit.push(entry);

  const scope = new RequestScope(seq);
  service.handlers.push(function onRequestDone() { return scope.requestId; });

  if ((seq & 3) === 0) {
    const held = entry;
    service.bus.on('tick', (n) => held.seq + n);
  }

  if ((seq & 7) === 0) {
    service.texts.push('render-' + seq + '-' + template);               // cons string
    service.texts.push(template.substring(seq % 64, 300 + (seq % 64)));  // sliced string
  }

  if ((seq & 63) === 0) {
    service.blobs.push(Buffer.alloc(512, seq & 255), new Uint32Array(16));
  }
}

if (global.gc) global.gc();
const started = process.hrtime.bigint();
v8.writeHeapSnapshot(out);
const writeMs = Number(process.hrtime.bigint() - started) / 1e6;
const { size } = require('fs').statSync(out);
console.log(JSON.stringify({ out, scale, bytes: size, write_ms: Math.round(writeMs), node: process.version }));
