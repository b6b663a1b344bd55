'use strict';
// Sliced strings pinning big request bodies: only a short token is kept from each body, but a
// substring of a long string is a *sliced string* that points into the original, so every
// 16 KB body stays alive behind a 32-character token.
//
//   node --expose-gc examples/leaky-sliced-strings.js OUTDIR [--requests N]
const { runSeries, fakeRequest } = require('./lib/snapshot-series');

const seenTokens = new Set();  // the leak: kept "to detect replays", never pruned

function handleRequest(req) {
  const body = req.body + `,"token":"${req.id}${'0123456789abcdef'.repeat(2)}"`;
  const at = body.indexOf('"token":"') + 9;
  seenTokens.add(body.substring(at, at + 32));  // looks small, pins all of `body`
}

runSeries('leaky-sliced-strings', (k, requests) => {
  for (let i = 0; i < requests; i++) handleRequest(fakeRequest(16 * 1024));
}, { requests: 400 });
