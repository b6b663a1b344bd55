// Differential test: leakscope's retained sizes, immediate dominators and distances of EVERY
// node, and every Summary row (count, shallow size, retained size, distance), must equal those of
// DevTools' own model (npm heap-snapshot-toolkit 1.1.3 = devtools-frontend@138048f) on snapshots
// that real Node processes write at test time: a small fixture and three realistic ones of more
// than 20 MB. Not "close": equal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devtoolsModel, readNodeDump, compareNodes } from './lib/devtools-model.mjs';

const bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-dom-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function writeSnapshot(name, script, args) {
  const file = path.join(dir, `${name}.heapsnapshot`);
  execFileSync(process.execPath, ['--max-old-space-size=4000', script, ...args(file)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return file;
}

function leakscopeDump(file) {
  const nodesFile = `${file}.nodes`;
  const out = execFileSync(bin, ['dump-analysis', file, '--nodes', nodesFile], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return { json: JSON.parse(out), nodes: readNodeDump(nodesFile) };
}

function compareRows(ours, theirs) {
  const problems = [];
  const seen = new Set();
  for (const row of ours) {
    seen.add(row.key);
    const t = theirs.get(row.key);
    if (!t) {
      problems.push(`row ${row.key}: not in DevTools`);
      continue;
    }
    for (const [a, b] of [['count', 'count'], ['self', 'self'], ['retained', 'retained'], ['distance', 'distance'], ['name', 'name']]) {
      if (row[a] !== t[b]) problems.push(`row ${row.key}: ${a} ${row[a]} != devtools ${t[b]}`);
    }
  }
  for (const key of theirs.keys()) if (!seen.has(key)) problems.push(`row ${key}: missing`);
  return problems;
}

const cases = [
  { name: 'basics', script: 'tests/fixtures/dominators-basics.js', args: (f) => [f], minBytes: 0 },
  { name: 'realistic-plain', script: 'tests/fixtures/realistic-app.js', args: (f) => ['12000', f, 'plain'], minBytes: 20e6 },
  { name: 'realistic-weak', script: 'tests/fixtures/realistic-app.js', args: (f) => ['8000', f, 'weak'], minBytes: 20e6 },
  { name: 'realistic-deep', script: 'tests/fixtures/realistic-app.js', args: (f) => ['12000', f, 'deep'], minBytes: 20e6 },
];

for (const c of cases) {
  test(`every node and every Summary row equals DevTools: ${c.name}`, async () => {
    const file = writeSnapshot(c.name, c.script, c.args);
    const bytes = statSync(file).size;
    assert.ok(bytes >= c.minBytes, `${c.name}: ${bytes} bytes, expected >= ${c.minBytes}`);
    const ours = leakscopeDump(file);
    const theirs = await devtoolsModel(file);
    const nodes = compareNodes(ours.nodes, theirs);
    console.log(`${c.name}: ${(bytes / 1e6).toFixed(1)} MB, ${nodes.nodes} nodes compared, ` +
                `${nodes.mismatches} mismatching; ${theirs.rows.size} Summary rows`);
    assert.equal(nodes.mismatches, 0, nodes.examples.join('\n'));
    const rowProblems = compareRows(ours.json.rows, theirs.rows);
    assert.deepEqual(rowProblems.slice(0, 10), []);
  });
}
