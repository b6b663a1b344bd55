// `leakscope native` and `watch --native` on real Node processes under the native sampler
// (libleakscope-preload.so): a Buffer leak held from JS (the JS function and line named), zlib
// streams kept open (allocated on the libuv threadpool: said so), a leaking N-API addon compiled
// here (its C function named), and a churn control that must not be reported. Each checks the
// verdict, the top site's frames and its estimated live bytes against what the example says it
// holds (within 20 %). Also: bad input is one line and exit 2, the kept sample file judged again
// with --from, the perf map removed afterwards, Node 18, 22 and 24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kRepoRoot, leakscope, leakscopeBin, scratchDir } from './lib/harness.mjs';
import { nodeBinary } from './lib/node-versions.mjs';

const kExamples = join(kRepoRoot, 'examples');
const scratch = scratchDir('native');
// A smaller sampling interval than the default 512 KiB: the estimate's own sampling error (about
// 1 / sqrt(samples)) stays well inside the 20 % these tests allow.
const kInterval = '65536';

function runNative(args, { node = process.execPath, extra = [] } = {}) {
  // Samples and dumps every 0.25 s, so that watch's own series have enough points in a short run.
  const r = leakscope(['native', '--json', '--interval', kInterval, '--period', '0.25',
                       '--min-duration', '8', ...extra, '--', node, ...args], { timeout: 240000 });
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {}
  assert.ok(json, `leakscope native printed no JSON (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  return { ...r, json };
}

// What the example held closest to `unixMs` (its `held <unix-ms> <bytes>` lines, passed through
// on stderr).
function heldAt(stderr, unixMs) {
  let best = null;
  for (const m of stderr.matchAll(/^held (\d+) (\d+)$/gm)) {
    const t = Number(m[1]);
    if (!best || Math.abs(t - unixMs) < Math.abs(best.t - unixMs)) best = { t, bytes: Number(m[2]) };
  }
  assert.ok(best, `the example printed no "held" line:\n${stderr}`);
  assert.ok(Math.abs(best.t - unixMs) < 1500, `no "held" line near the estimate's time ${unixMs}`);
  return best.bytes;
}

function assertEstimate(site, stderr) {
  const held = heldAt(stderr, site.live_at_unix_ms);
  const ratio = site.live_bytes / held;
  assert.ok(ratio > 0.8 && ratio < 1.2,
            `estimated ${site.live_bytes} live bytes, the example held ${held} (ratio ${ratio.toFixed(3)})`);
}

function lineOf(file, text) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

function topSite(json) {
  const site = json.native.sites[0];
  assert.ok(site && site.leaking, `no leaking native site:\n${JSON.stringify(json.native.sites.slice(0, 3), null, 1)}`);
  return site;
}

function checkBufferLeak(r, script) {
  assert.equal(r.status, 1, r.stderr);
  assert.ok(['external', 'native'].includes(r.json.verdict), `verdict ${r.json.verdict}`);
  const site = topSite(r.json);
  const line = lineOf(script, 'function keepChunks(');
  const js = site.frames.find((f) => f.kind === 'js' && !/\(node:/.test(f.name));
  assert.ok(js, `no JS frame of the app: ${site.summary}`);
  assert.match(js.name, new RegExp(`^JS keepChunks \\(examples/native-buffer-leak\\.js:${line}(:\\d+)?\\)$`));
  assert.match(site.summary, /← JS keepChunks \(examples\/native-buffer-leak\.js:/);
  assert.equal(site.threadpool, false);
  assertEstimate(site, r.stderr);
  // The perf map V8 wrote for us is gone.
  assert.equal(existsSync(`/tmp/perf-${r.json.native.pid}.map`), false);
}

test('a Buffer leak held from JS: the JS function and line that allocated, its live bytes', () => {
  const script = join(kExamples, 'native-buffer-leak.js');
  const kept = join(scratch, 'buffer.samples');
  const v8Logs = () => readdirSync(process.cwd()).filter((f) => /^isolate-.*-v8\.log$/.test(f));
  const logsBefore = v8Logs();
  const r = runNative([script, '--seconds', '18', '--rate', '3072'], { extra: ['--keep', kept] });
  checkBufferLeak(r, script);
  // --perf-basic-prof turns on V8's log: it must not land in the app's directory.
  assert.deepEqual(v8Logs(), logsBefore);
  // The kept file judged again on its own (no perf map: the JS frames are unnamed then).
  const again = leakscope(['native', '--from', kept, '--json', '--min-duration', '8']);
  assert.equal(again.status, 1, again.stderr);
  const j = JSON.parse(again.stdout);
  assert.equal(j.perf_map, false);
  assert.ok(j.sites[0].leaking);
  assert.equal(j.sites[0].live_bytes, r.json.native.sites[0].live_bytes);
});

test('zlib streams kept open: deflateInit on the libuv threadpool, said so', () => {
  const r = runNative([join(kExamples, 'native-zlib-leak.js'), '--seconds', '18', '--streams', '10']);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.json.verdict, 'native', r.json.headline);
  const site = topSite(r.json);
  assert.ok(site.frames.slice(0, 4).some((f) => /deflateInit/.test(f.name)),
            `no deflateInit frame: ${site.summary}`);
  assert.equal(site.threadpool, true);
  assert.equal(site.work, 'zlib');
  assert.match(site.note, /libuv threadpool.*the JS call that scheduled it is not on this stack/);
  assertEstimate(site, r.stderr);
});

test('a leaking N-API addon compiled here: its C function named', (t) => {
  const src = join(scratch, 'leaky_addon.c');
  writeFileSync(src, `#include <node_api.h>
#include <stdlib.h>
#include <string.h>
/* Not static, so the compiler cannot drop the blocks as never read. */
char* leaky_kept[100000];
size_t leaky_count = 0;
static double held = 0;
/* Keeps a malloc'd block of the requested size that nothing ever frees. */
static napi_value leaky_keep(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double bytes = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_double(env, argv[0], &bytes);
  char* block = malloc((size_t)bytes);
  memset(block, 1, (size_t)bytes);
  if (leaky_count < 100000) leaky_kept[leaky_count++] = block;
  held += bytes;
  napi_value out;
  napi_create_double(env, held, &out);
  return out;
}
NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "keep", NAPI_AUTO_LENGTH, leaky_keep, NULL, &fn);
  napi_set_named_property(env, exports, "keep", fn);
  return exports;
}
`);
  const addon = join(scratch, 'leaky_addon.node');
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-O0', '-I/usr/include/node',
                              '-o', addon, src], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    t.skip(`cannot compile the addon: ${cc.error?.message ?? cc.stderr}`);
    return;
  }
  const script = join(scratch, 'leaky-addon.js');
  writeFileSync(script, `'use strict';
const addon = require(${JSON.stringify(addon)});
let held = 0;
function leakMore() { held = addon.keep(96 * 1024); }
const t = setInterval(() => { for (let i = 0; i < 8; i++) leakMore(); }, 250);
const r = setInterval(() => console.log('held ' + Date.now() + ' ' + held), 1000);
setTimeout(() => { clearInterval(t); clearInterval(r); console.log('held ' + Date.now() + ' ' + held); }, 18000);
`);
  const r = runNative([script]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.json.verdict, 'native', r.json.headline);
  const site = topSite(r.json);
  assert.equal(site.frames[0].name, 'leaky_keep', site.summary);
  assert.equal(site.frames[0].module, 'leaky_addon.node');
  assert.match(site.summary, /^from leaky_keep ← /);
  assertEstimate(site, r.stderr);
});

test('churn (as much allocated, and freed again) is not reported', () => {
  const r = runNative([join(kExamples, 'native-churn.js'), '--seconds', '18', '--rate', '3072', '--streams', '10']);
  assert.equal(r.json.native.leaking_sites, 0,
               JSON.stringify(r.json.native.sites.filter((s) => s.leaking).map((s) => s.summary)));
  assert.ok(!['native', 'external', 'js-heap'].includes(r.json.verdict), `verdict ${r.json.verdict}`);
  assert.ok(r.json.native.sites.some((s) => s.allocated_bytes > 20e6), 'the churn allocated little');
});

test('watch --native: the same sites inside watch\'s report, text and JSON', () => {
  const script = join(kExamples, 'native-buffer-leak.js');
  // At 3 MB/s, as the other cases: at 2 MB/s over 14 s the site's sampled live bytes grew in
  // about 50 steps, and once in CI (a loaded machine) the trend called that inconclusive.
  const args = ['--interval', '0.25', '--min-duration', '8', '--', process.execPath, script, '--seconds', '16',
                '--rate', '3072'];
  const text = leakscope(['watch', '--native', ...args], { timeout: 240000 });
  assert.equal(text.status, 1, text.stderr);
  assert.match(text.stdout, /Growing native allocation sites, fastest first/);
  assert.match(text.stdout, /^ {2}1\. \+[\d.]+ [kMG]B\/h live \(95 % CI .*\), [\d.]+ [kMG]B live now, from .* ← JS keepChunks \(examples\/native-buffer-leak\.js:\d+:\d+\)$/m);
  const json = JSON.parse(leakscope(['watch', '--native', '--json', ...args], { timeout: 240000 }).stdout);
  assert.ok(json.native.sites[0].leaking);
  // Without --native, no sampler.
  const plain = JSON.parse(leakscope(['watch', '--json', '--duration', '2', '--', process.execPath, '-e',
                                      'setTimeout(() => {}, 5000)']).stdout);
  assert.equal(plain.native, undefined);
});

for (const major of [18, 22, 24]) {
  test(`Node ${major}: the Buffer leak named and estimated`, (t) => {
    const node = nodeBinary(major);
    if (node.skip) {
      t.skip(node.skip);
      return;
    }
    const script = join(kExamples, 'native-buffer-leak.js');
    checkBufferLeak(runNative([script, '--seconds', '14', '--rate', '3072'], { node: node.bin }), script);
  });
}

function assertBadInput(r, pattern) {
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
}

test('bad input: one line, exit 2', () => {
  assertBadInput(leakscope(['native', '--from', join(scratch, 'missing.samples')]), /missing\.samples/);
  const garbage = join(scratch, 'garbage.samples');
  writeFileSync(garbage, 'hello\nworld\n');
  assertBadInput(leakscope(['native', '--from', garbage]),
                 /garbage\.samples:1: not a leakscope-native sample file/);
  const cut = join(scratch, 'cut.samples');
  writeFileSync(cut, 'leakscope-native 1\nstart 1 524288 0\nmaps 0\nmap 10 20 0 /x\nend\nstack 1 zz\n');
  assertBadInput(leakscope(['native', '--from', cut]), /cut\.samples:6: bad address 'zz'/);
  assertBadInput(leakscope(['native']), /native needs -- COMMAND/);
  assertBadInput(leakscope(['native', '--interval', '12', '--', process.execPath, '-e', '1']), /--interval/);
  // The sampler library missing: set wrongly, or not beside the executable.
  const env = { ...process.env, LEAKSCOPE_PRELOAD: join(scratch, 'nope.so') };
  const r = spawnSync(leakscopeBin(), ['native', '--', process.execPath, '-e', '1'], { encoding: 'utf8', env });
  assertBadInput(r, /LEAKSCOPE_PRELOAD=.*nope\.so/);
  const alone = join(scratch, 'leakscope');
  copyFileSync(leakscopeBin(), alone);
  const env2 = { ...process.env };
  delete env2.LEAKSCOPE_PRELOAD;
  const r2 = spawnSync(alone, ['native', '--', process.execPath, '-e', '1'], { encoding: 'utf8', env: env2 });
  assertBadInput(r2, /libleakscope-preload\.so is missing/);
});
