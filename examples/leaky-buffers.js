'use strict';
// Buffers kept alive: upload chunks are kept in a per-process list "until the upload completes",
// but uploads that are abandoned never complete. The memory is outside the JS heap (external
// ArrayBuffer backing stores), which heapUsed does not show.
//
//   node --expose-gc examples/leaky-buffers.js OUTDIR [--requests N]
const { runSeries } = require('./lib/snapshot-series');

class PendingUpload {
  constructor(id) {
    this.id = id;
    this.chunks = [];
    this.startedAt = Date.now();
  }
}

const pendingUploads = {};  // upload id -> PendingUpload; abandoned uploads are never deleted

let nextUpload = 0;
function receiveChunk() {
  const id = `upload-${++nextUpload}`;
  const upload = (pendingUploads[id] = new PendingUpload(id));
  upload.chunks.push(Buffer.alloc(16 * 1024, nextUpload & 0xff));
}

runSeries('leaky-buffers', (k, requests) => {
  for (let i = 0; i < requests; i++) receiveChunk();
}, { requests: 300 });
