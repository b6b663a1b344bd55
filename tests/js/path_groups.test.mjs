// `path --class` groups every instance by its normalised retainer path (the key `leaks` clusters
// by), largest group first, before the closest examples: on examples/leaky-promise-race.js the
// 20,000 race promises that the never-settling `shutdown` promise keeps through its reaction list
// are one group, whereas the closest Promise is Promise.prototype.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { rowsNamed, summaryJson, writeFixture } from './lib/harness.mjs';

const bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-path-groups-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const kRequests = 20000;
const snaps = {};

before(() => {
  for (const app of ['leaky-promise-race', 'control-promise-race']) {
    const out = path.join(dir, app);
    execFileSync(process.execPath, ['--expose-gc', `examples/${app}.js`, out, '--rounds', '1',
                                    '--requests', String(kRequests)]);
    snaps[app] = path.join(out, 's1.heapsnapshot');
  }
  snaps.interfaces = writeFixture('census-interfaces.js', path.join(dir, 'interfaces.heapsnapshot'));
});

function pathOf(snap, ...args) {
  const r = spawnSync(bin, ['path', snap, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('path --class Promise: the raced promises are one group, held through shutdown\'s reactions', () => {
  const j = JSON.parse(pathOf(snaps['leaky-promise-race'], '--class', 'Promise', '--json'));
  const [top] = j.groups;
  // One race's reaction sits at the head of the list rather than in the chain: within a few.
  assert.ok(top.count >= kRequests - 5 && top.count <= kRequests, `${top.count}`);
  for (let i = 1; i < j.groups.length; i++) assert.ok(j.groups[i - 1].count >= j.groups[i].count);
  assert.ok(j.group_count >= j.groups.length);
  // Each race promise keeps its ReportResult (8 strings): far more than the promises themselves.
  assert.ok(top.retained_size > top.count * 200, `${top.retained_size}`);
  const steps = top.path.steps;
  assert.equal(steps.at(-1).id, top.id);
  assert.equal(steps.at(-1).class, 'Promise');
  assert.ok(steps.some((s) => s.edge?.name === 'shutdown'), top.path.text);
  const reactions = steps.findIndex((s) => s.edge?.name === 'reactions_or_result');
  assert.ok(reactions > 0 && steps[reactions - 1].edge?.name === 'shutdown', top.path.text);
  assert.equal(steps[reactions].name, 'system / PromiseReaction');
  // The closest examples still follow, as before.
  assert.ok(j.targets.length === 1 && j.targets[0].paths.length === 1);

  const text = pathOf(snaps['leaky-promise-race'], '--class', 'Promise');
  const lines = text.split('\n');
  assert.match(lines[0], /: [\d,]+ instance\(s\) of Promise in [\d,]+ group\(s\) by retainer path, largest first:$/);
  assert.match(lines[1], /^ {2}(19,99\d|20,000) retaining [\d.]+ MB via .*->shutdown → Promise \(reactions_or_result\) → .* Promise @\d+$/);
  assert.match(text, /\nShortest retainer paths to the closest:\n/);
});

test('control: the promises of a race that settles are not kept, so no group is large', () => {
  const j = JSON.parse(pathOf(snaps['control-promise-race'], '--class', 'Promise', '--json'));
  assert.ok(j.groups.every((g) => g.count < 100), JSON.stringify(j.groups.map((g) => [g.count, g.path.text])));
});

// A class name copied from `summary` means the same objects in `path --class`: the snapshot's own
// classes (plain objects by property set), without the zero-size storage that summary leaves out
// ("(array)" and "(system)" hold many), and every row of a name summary lists more than once.
test('path --class finds exactly the instances summary counts under that name', () => {
  const summary = summaryJson(snaps.interfaces);
  const names = ['{alpha, beta}', '{alpha, beta, gamma}', 'Object', '(array)', '(system)'];
  const twice = summary.classes.map((c) => c.name).find((n, i, all) => all.indexOf(n) !== i);
  if (twice !== undefined) names.push(twice);
  for (const name of names) {
    const expected = rowsNamed(summary, name).reduce((sum, row) => sum + row.count, 0);
    assert.ok(expected > 0, `summary lists ${name}`);
    const j = JSON.parse(pathOf(snaps.interfaces, '--class', name, '--json'));
    assert.equal(j.class_instances, expected, `path --class ${name}`);
  }
});
