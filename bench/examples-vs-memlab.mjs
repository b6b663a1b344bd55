#!/usr/bin/env node
// What each tool says about every example and control: `leakscope leaks` (verdict line, exit code)
// and `memlab find-leaks --trace-all-objects` (number of leak clusters it reports). The controls
// (a full LRU, a warm-up plateau, churn, WeakMap/WeakRef) must not be reported.
//
//   node bench/examples-vs-memlab.mjs DIR   (DIR/<example>/s1..s3.heapsnapshot; see examples/)
// Generate DIR with: for f in examples/leaky-*.js examples/control-*.js; do
//   node --expose-gc $f DIR/$(basename $f .js); done
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = process.argv[2];
const bin = process.env.LEAKSCOPE_BIN ?? 'build/release/leakscope';
const apps = readdirSync(dir).filter((d) => /^(leaky|control)-/.test(d)).sort();
console.log('| example | leakscope leaks (exit) | memlab find-leaks --trace-all-objects |');
console.log('|---|---|---|');
for (const app of apps) {
  const s = [1, 2, 3].map((k) => path.join(dir, app, `s${k}.heapsnapshot`));
  const ours = spawnSync(bin, ['leaks', ...s], { encoding: 'utf8' });
  const verdict = ours.stdout.split('\n')[0].replace(/\|/g, '\\|');
  const short = verdict.startsWith('No leak') ? 'No leak found' : verdict.replace(/; \d+ more.*/, '');
  const work = mkdtempSync(path.join(tmpdir(), 'memlab-work-'));
  const m = spawnSync('node_modules/.bin/memlab',
                      ['find-leaks', '--baseline', s[0], '--target', s[1], '--final', s[2],
                       '--trace-all-objects', '--work-dir', work], { encoding: 'utf8', maxBuffer: 1 << 28 });
  rmSync(work, { recursive: true, force: true });
  const found = /MemLab found (\d+) leak\(s\)/.exec(m.stdout + m.stderr);
  const memlab = found ? `${found[1]} leak cluster(s)` : 'no leak';
  console.log(`| ${app} | ${short} (${ours.status}) | ${memlab} |`);
}
