#!/usr/bin/env node
// The peer side of bench/bench-summary.mjs: what a user gets today from Chrome DevTools' model
// (npm heap-snapshot-toolkit@1.1.3): stream-parse the snapshot, build the model, compute the
// Summary aggregates. Prints one line of JSON with the class count and the phase times.
// Usage: node --max-old-space-size=16384 bench/toolkit-summary.mjs FILE
import { createReadStream } from 'node:fs';
import { parse } from 'heap-snapshot-toolkit';

const file = process.argv[2];
console.warn = () => {};
console.time = () => {};
console.timeEnd = () => {};
const t0 = performance.now();
const snap = await parse(createReadStream(file, { encoding: 'utf-8', highWaterMark: 1 << 20 }));
const t1 = performance.now();
const classes = Object.keys(snap.aggregatesWithFilter({})).length;
const t2 = performance.now();
process.stdout.write(JSON.stringify({ file, nodes: snap.nodeCount, classes, load_ms: Math.round(t1 - t0),
                                      summary_ms: Math.round(t2 - t1) }) + '\n');
process.exit(0);
