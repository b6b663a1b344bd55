#!/usr/bin/env node
// Manual differential check on any snapshot (e.g. the 200 MB and 1 GB benchmark files, too slow
// for the test suite): runs `leakscope dump-analysis` and DevTools' model, and compares the
// retained size, immediate dominator, distance and self size of every node, and every Summary row.
// Usage: node --max-old-space-size=16000 tests/js/compare_with_devtools.mjs SNAPSHOT [LEAKSCOPE_BIN]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devtoolsModel, readNodeDump, compareNodes } from './lib/devtools-model.mjs';

const [file, bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope'] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-cmp-'));
try {
  const nodesFile = path.join(dir, 'nodes.bin');
  const ours = JSON.parse(execFileSync(bin, ['dump-analysis', file, '--nodes', nodesFile],
                                       { encoding: 'utf8', maxBuffer: 1 << 28 }));
  const theirs = await devtoolsModel(file);
  const nodes = compareNodes(readNodeDump(nodesFile), theirs, 10);
  let rowMismatches = 0;
  const rowExamples = [];
  const seen = new Set();
  for (const row of ours.rows) {
    seen.add(row.key);
    const t = theirs.rows.get(row.key);
    const bad = !t || ['name', 'count', 'self', 'retained', 'distance'].some((k) => row[k] !== t[k]);
    if (bad) {
      rowMismatches++;
      if (rowExamples.length < 10) rowExamples.push({ ours: row, devtools: t ?? null });
    }
  }
  for (const key of theirs.rows.keys()) if (!seen.has(key)) rowMismatches++;
  console.log(JSON.stringify({
    snapshot: file, nodes_compared: nodes.nodes, node_mismatches: nodes.mismatches,
    per_field: nodes.perField, node_examples: nodes.examples,
    rows_compared: theirs.rows.size, row_mismatches: rowMismatches, row_examples: rowExamples,
  }, null, 1));
  process.exitCode = nodes.mismatches || rowMismatches ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
