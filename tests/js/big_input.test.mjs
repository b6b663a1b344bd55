// Sizes DevTools and memlab cannot open: a snapshot file over 4 GB and a strings section over
// V8's 536,870,888-character string limit. These write several GB, so they run only when
// LEAKSCOPE_BIG_TESTS=1 (scripts/test.sh does not set it); otherwise they skip with that reason.
//
// The 4 GB file is a real fixture snapshot padded with whitespace between array numbers (valid
// JSON, no more heap), so the expected census is the unpadded file's; memory stays small. The
// same padding streamed through stdin, with a bad escape at the end, checks that the byte
// offset in the error is exact past 2^32.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { leakscopeBin, scratchDir, summaryJson, writeFixture, infoJson } from './lib/harness.mjs';

const enabled = process.env.LEAKSCOPE_BIG_TESTS === '1';
const skip = enabled ? false : 'writes several GB: set LEAKSCOPE_BIG_TESTS=1 to run';
const dir = enabled ? scratchDir('big') : null;
let fixture;
let text;

before(() => {
  if (!enabled) return;
  fixture = writeFixture('census-classes.js', join(dir, 'classes.heapsnapshot'));
  text = readFileSync(fixture, 'latin1');
});

const kPad = 4.4e9;  // bytes of whitespace: the file ends past 2^32
const kBlock = Buffer.alloc(1 << 24, 0x20);

function* padded(head, tail, total) {
  yield Buffer.from(head, 'latin1');
  let left = total;
  while (left > 0) {
    const n = Math.min(left, kBlock.length);
    yield n === kBlock.length ? kBlock : kBlock.subarray(0, n);
    left -= n;
  }
  yield Buffer.from(tail, 'latin1');
}

// Whitespace goes after the first number of the edges array.
function splitPoint() {
  const at = text.indexOf('"edges":[') + 9;
  return at + text.slice(at).search(/[,\n]/);
}

function leakscopeStdin(args, chunks) {
  return new Promise((resolve, reject) => {
    const child = spawn(leakscopeBin(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.on('error', () => {});  // it may stop reading at the error
    (async () => {
      for (const c of chunks) {
        if (!child.stdin.write(c)) await new Promise((r) => child.stdin.once('drain', r));
        if (child.exitCode !== null) break;
      }
      child.stdin.end();
    })().catch(() => {});
  });
}

test('a 4.4 GB snapshot file loads and gives the census of the same heap', { skip, timeout: 900000 }, () => {
  const cut = splitPoint();
  const file = join(dir, 'padded-4gb.heapsnapshot');
  const fd = openSync(file, 'w');
  for (const c of padded(text.slice(0, cut), text.slice(cut), kPad)) writeSync(fd, c);
  closeSync(fd);
  assert.ok(statSync(file).size > 2 ** 32);
  try {
    const want = summaryJson(fixture);
    const got = summaryJson(file);
    assert.deepEqual(got.classes, want.classes);
    assert.equal(got.node_count, want.node_count);
    assert.equal(infoJson(file).edge_count, want.edge_count);
  } finally {
    rmSync(file, { force: true });
  }
});

test('a bad escape after 4.4 GB on stdin is reported at its exact byte offset', { skip, timeout: 900000 }, async () => {
  const cut = splitPoint();
  // Break the last string: "...\q..." right after the padding.
  const last = text.lastIndexOf('"', text.length - 3);
  const tail = text.slice(cut, last + 1) + '\\q' + text.slice(last + 1);
  const badAt = cut + kPad + (last + 1 - cut);  // offset of the backslash
  const r = await leakscopeStdin(['summary', '-', '--json'], padded(text.slice(0, cut), tail, kPad));
  assert.equal(r.signal, null);
  assert.equal(r.status, 2, r.stderr);
  const m = r.stderr.match(/byte (\d+)/);
  assert.ok(m, r.stderr);
  assert.ok(Math.abs(Number(m[1]) - badAt) <= 2, `offset ${m[1]}, the bad escape is at ${badAt}: ${r.stderr}`);
});

test('a strings section over 536,870,888 characters (V8\'s string limit) loads', { skip, timeout: 900000 }, () => {
  // One 600M-character string appended to the strings array; no node names it.
  const file = join(dir, 'long-strings.heapsnapshot');
  const end = text.lastIndexOf(']');
  const fd = openSync(file, 'w');
  writeSync(fd, text.slice(0, end) + ',"', null, 'latin1');
  const block = Buffer.alloc(1 << 24, 'a');
  for (let left = 600e6; left > 0; left -= block.length) writeSync(fd, left >= block.length ? block : block.subarray(0, left));
  writeSync(fd, '\\u00e9"' + text.slice(end), null, 'latin1');
  closeSync(fd);
  try {
    const want = infoJson(fixture);
    const got = infoJson(file);
    assert.equal(got.string_count, want.string_count + 1);
    assert.deepEqual(summaryJson(file).classes, summaryJson(fixture).classes);
  } finally {
    rmSync(file, { force: true });
  }
});
