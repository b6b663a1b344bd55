// Output that no one can use: a retainer path through a 100,000-long linked list
// (tests/fixtures/deep-chain.js) printed in full is megabytes on one line. path, check and leaks
// show the first and last 10 steps and state what they left out (`… 99,981 more steps (.next) …`),
// in text and JSON; --full gives every step. inspect bounds its lists the same way.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

import { leakscopeBin, scratchDir } from './lib/harness.mjs';

const dir = scratchDir('long-paths');
const kLinks = 100000;
let snaps;

before(() => {
  execFileSync(process.execPath, ['--expose-gc', 'tests/fixtures/deep-chain.js', dir, '--links', String(kLinks)]);
  snaps = [1, 2, 3].map((k) => path.join(dir, `s${k}.heapsnapshot`));
});

function run(args) {
  const r = spawnSync(leakscopeBin(), args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300000 });
  if (r.error) throw r.error;
  assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: ${r.status} ${r.stderr}`);
  return r.stdout;
}

const kElided = /… 99,9\d\d more steps \(\.next\) …/;
const longestLine = (text) => Math.max(...text.split('\n').map((l) => l.length));

test('path: the middle of a 100,000-step path is elided with its length and edge; --full shows it', () => {
  const text = run(['path', snaps[2], '--class', 'End']);
  assert.match(text, kElided);
  assert.ok(text.length < 4000, `${text.length} bytes`);
  assert.match(text, /global\.chain → Link\.next → .*Link\.next → … 99,9\d\d more steps \(\.next\) … → Link\.next → .* End @\d+/);

  const j = JSON.parse(run(['path', snaps[2], '--class', 'End', '--json']));
  const p = j.targets[0].paths[0];
  assert.ok(p.length > kLinks, `${p.length}`);
  assert.equal(p.steps.length, 20);
  assert.equal(p.elided.after, 9);
  assert.equal(p.elided.steps, p.length - 20);
  assert.equal(p.elided.edges, '.next');
  assert.equal(p.steps.at(-1).id, j.targets[0].id);
  assert.ok(JSON.stringify(j).length < 20000);

  const full = run(['path', snaps[2], '--class', 'End', '--full']);
  assert.doesNotMatch(full, /more steps/);
  assert.ok(full.split('Link.next').length - 1 >= kLinks - 1, 'every link is listed');
  const fullJson = JSON.parse(run(['path', snaps[2], '--class', 'End', '--json', '--full']));
  const fp = fullJson.targets[0].paths[0];
  assert.equal(fp.steps.length, fp.length);
  assert.equal(fp.elided, undefined);
});

test('check: finding paths are elided in text and JSON; --full keeps them', () => {
  const text = run(['check', snaps[2]]);
  assert.match(text, kElided);
  assert.ok(longestLine(text) < 2000, `longest line ${longestLine(text)}`);
  const j = JSON.parse(run(['check', snaps[2], '--json']));
  const big = j.findings.find((f) => f.path_elided);
  assert.ok(big, JSON.stringify(j.findings.map((f) => [f.kind, f.path_length])));
  assert.equal(big.path.length, 20);
  assert.equal(big.path_elided.edges, '.next');
  assert.equal(big.path.at(-1).id, big.id);
  const full = JSON.parse(run(['check', snaps[2], '--json', '--full']));
  for (const f of full.findings) assert.equal(f.path.length, f.path_length);
});

test('leaks: the holder path is elided in text and JSON; --full keeps it', () => {
  const text = run(['leaks', ...snaps]);
  assert.match(text, /^Leak: Entry/);
  assert.match(text, kElided);
  assert.ok(longestLine(text) < 2000, `longest line ${longestLine(text)}`);
  const j = JSON.parse(run(['leaks', ...snaps, '--json']));
  const c = j.leaks[0];
  assert.equal(c.path.length, 20);
  assert.ok(c.path_length > kLinks);
  assert.equal(c.path_elided.edges, '.next');
  assert.equal(c.path.at(-1).id, c.holder.id);
  const full = JSON.parse(run(['leaks', ...snaps, '--json', '--full']));
  assert.equal(full.leaks[0].path.length, full.leaks[0].path_length);
});

test('inspect: lists are cut at --limit in text and JSON, with their totals; --full gives all', () => {
  const leak = JSON.parse(run(['leaks', ...snaps, '--json'])).leaks[0];
  const items = String(leak.holder.id);  // End.items, 6,000 entries
  const j = JSON.parse(run(['inspect', snaps[2], '--id', items, '--json']));
  assert.ok(j.edge_count >= 6000, `${j.edge_count}`);
  assert.equal(j.edges.length, 50);
  const limited = JSON.parse(run(['inspect', snaps[2], '--id', items, '--json', '--limit', '7']));
  assert.equal(limited.edges.length, 7);
  const full = JSON.parse(run(['inspect', snaps[2], '--id', items, '--json', '--full']));
  assert.equal(full.edges.length, full.edge_count);
  const text = run(['inspect', snaps[2], '--id', items]);
  assert.match(text, /… 5,9\d\d more \(--full shows all\)/);
});
