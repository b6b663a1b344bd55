'use strict';
// A JS-heap leak that runs for a while: every tick handles a "request" (garbage), and keeps a
// record of it in a module-level array that nothing ever trims. The heap that survives GC grows
// by about --rate KB per second.
//
//   node examples/js-heap-leak.js [--seconds 60] [--rate 2048]
//   leakscope watch -- node examples/js-heap-leak.js --seconds 20
const { arg } = require('./lib/args');
const seconds = Number(arg('--seconds', '60'));
const rateKB = Number(arg('--rate', '2048'));
const tickMs = 50;
const history = [];  // the leak

function handleRequest(i) {
  const body = JSON.stringify({id: i, items: Array.from({length: 20}, (_, k) => k * i)});
  const parsed = JSON.parse(body);  // garbage
  return {id: i, at: Date.now(), note: `request ${i} had ${parsed.items.length} items`};
}

// One retained record is about 160 bytes with its string.
const perTick = Math.max(1, Math.round((rateKB * 1024 * tickMs) / 1000 / 160));
let n = 0;
const timer = setInterval(() => {
  for (let k = 0; k < perTick; k++) history.push(handleRequest(n++));
  for (let k = 0; k < 200; k++) handleRequest(-k);  // churn
}, tickMs);
setTimeout(() => {
  clearInterval(timer);
  console.log(`js-heap-leak: kept ${history.length} records`);
}, seconds * 1000);
