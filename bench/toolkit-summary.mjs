#!/usr/bin/env node
// The DevTools model on one snapshot, for the benchmarks: streaming parse + full initialization
// (retainers, essential edges, re-attribution, dominators, retained sizes, distances, class names,
// interfaces) + the Summary aggregates with class retained sizes. Prints seconds as JSON.
// Usage: node --max-old-space-size=20000 bench/toolkit-summary.mjs FILE
import { createReadStream } from 'node:fs';
import { parse } from 'heap-snapshot-toolkit';

const file = process.argv[2];
console.warn = () => {};
const t0 = performance.now();
const snap = await parse(createReadStream(file, { encoding: 'utf-8', highWaterMark: 1 << 20 }));
const t1 = performance.now();
const rows = Object.keys(snap.aggregatesWithFilter({})).length;
const t2 = performance.now();
console.log(JSON.stringify({ parse_and_init_s: (t1 - t0) / 1000, summary_s: (t2 - t1) / 1000,
                             rows, nodes: snap.nodeCount }));
process.exit(0);
