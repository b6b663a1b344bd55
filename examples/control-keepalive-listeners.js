'use strict';
// Control (no leak) for leaky-keepalive-listeners.js: the same client on the same reused
// keep-alive socket, but each request removes its 'close' and 'data' listeners when its
// response ends (or fails), so the socket holds no listener of a finished request.
//
//   node --expose-gc examples/control-keepalive-listeners.js OUTDIR [--requests N]
const http = require('node:http');
const { runSeries, fakeRequest } = require('./lib/snapshot-series');
const { OrderRecord, listening, requestOptions, isClosing, shutdown } = require('./lib/keepalive-client');

let bytesIn = 0;
function send(req) {
  const record = new OrderRecord(req);
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const clientReq = http.request(requestOptions(req), (res) => {
      res.resume();
      res.on('end', () => {
        unsubscribe();
        resolve(record.order);
      });
    });
    clientReq.on('socket', (socket) => {
      const onClose = () => {
        if (isClosing() || clientReq.writableFinished) return;
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
  await listening();
  for (let i = 0; i < requests; i++) await send(fakeRequest());
}, { requests: 1000, after: shutdown });
