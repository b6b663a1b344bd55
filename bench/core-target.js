// The target of bench/core-bench.mjs: a Node process whose JS heap grows to HEAP_MB (default
// 1024) MB of live objects (Record instances, each with its own 300-character string, a plain
// {a, b} object and a two-element array), then waits. On stdin, "snapshot PATH" writes a heap
// snapshot of itself and prints "wrote PATH MS" with the time writeHeapSnapshot blocked it.
'use strict';
const v8 = require('v8');
const readline = require('readline');

const kTarget = Number(process.env.HEAP_MB || 1024) * 1024 * 1024;

class Record {
  constructor(id, text) {
    this.id = id;
    this.text = text;
    this.meta = { a: text, b: id & 0xff ? null : text };
    this.pair = [id, text];
  }
}

const filler = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(9);
const kept = [];
for (let i = 0; ; i++) {
  // A flat, unique 300-character string per record.
  kept.push(new Record(i, Buffer.from(String(i).padStart(300, filler), 'latin1').toString('latin1')));
  if (i % 100000 === 0 && process.memoryUsage().heapUsed >= kTarget) break;
}
globalThis.kept = kept;
if (global.gc) global.gc();
const used = process.memoryUsage().heapUsed;
process.stdout.write(`ready ${kept.length} records heapUsed ${used}\n`);

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const m = /^snapshot (.+)$/.exec(line);
  if (!m) return;
  const started = process.hrtime.bigint();
  v8.writeHeapSnapshot(m[1]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`wrote ${m[1]} ${ms.toFixed(0)}\n`);
});
setInterval(() => {}, 1000);
