// Heap contents, file names and arguments are untrusted: nothing leakscope prints may drive the
// user's terminal. A real Node program (tests/fixtures/hostile-names.js) puts terminal escapes, C1
// controls, DEL, bidi controls and TAB/CR/LF into a class name, property names,
// an EventEmitter event name and string values; the test adds bytes that are not UTF-8 and gives
// the files names with ESC and U+202E in them. Every command, in text and JSON, must print only
// valid UTF-8 without raw controls (other than the line ends), and its JSON must parse.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { leakscopeBin, scratchDir } from './lib/harness.mjs';

const dir = scratchDir('hostile');
const EVIL_NAME = 'evil\x1b]52;c;SGk=\x07\x1b[2J\u202e\u2066\x9b\x85\x7f';
const INVALID = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80]);
const snaps = [1, 2, 3].map((k) => path.join(dir, `s${k}-${EVIL_NAME}.heapsnapshot`));
const gclog = path.join(dir, `gc-${EVIL_NAME}.log`);
const smaps = path.join(dir, `smaps-${EVIL_NAME}`);

// The marker INVALID_UTF8 (inside JSON strings) becomes raw bytes that are not UTF-8.
function withInvalidBytes(buffer) {
  const marker = Buffer.from('INVALID_UTF8');
  const parts = [];
  let at = 0;
  for (let i = buffer.indexOf(marker); i >= 0; i = buffer.indexOf(marker, at)) {
    parts.push(buffer.subarray(at, i), INVALID);
    at = i + marker.length;
  }
  parts.push(buffer.subarray(at));
  assert.ok(parts.length > 1, 'the fixture wrote the marker');
  return Buffer.concat(parts);
}

// V8 names a class by its declared name, which must be an identifier: the marker becomes a hostile
// name (JSON escapes inside the snapshot's string) followed by bytes that are not UTF-8.
function withHostileClassName(buffer) {
  const marker = Buffer.from('EvilClassMarker');
  const parts = [];
  let at = 0;
  for (let i = buffer.indexOf(marker); i >= 0; i = buffer.indexOf(marker, at)) {
    parts.push(buffer.subarray(at, i), Buffer.from('Evil\\u001b[2J\\u202e\\u0085'), INVALID);
    at = i + marker.length;
  }
  parts.push(buffer.subarray(at));
  assert.ok(parts.length > 1, 'the fixture wrote the class marker');
  return Buffer.concat(parts);
}

before(() => {
  const out = path.join(dir, 'plain');
  execFileSync(process.execPath, ['--expose-gc', 'tests/fixtures/hostile-names.js', out]);
  for (let k = 0; k < 3; k++) {
    writeFileSync(snaps[k], withHostileClassName(withInvalidBytes(readFileSync(path.join(out, `s${k + 1}.heapsnapshot`)))));
  }
  // A real --trace-gc log with hostile lines among the GC lines.
  const log = execFileSync(process.execPath,
    ['--trace-gc', '-e', 'const a = []; for (let i = 0; i < 3e5; i++) a.push({ i }); global.gc && gc()'],
    { encoding: 'utf8' });
  writeFileSync(gclog, Buffer.concat([Buffer.from(log), Buffer.from(`app says ${EVIL_NAME}\n`), INVALID,
    Buffer.from('\n'), Buffer.from(log)]));
  // This process's own smaps, with one mapping's path made hostile.
  const maps = readFileSync('/proc/self/smaps', 'utf8').split('\n');
  const at = maps.findIndex((l) => /^[0-9a-f]+-[0-9a-f]+ .*\//.test(l));
  maps[at] = maps[at].replace(/\/.*$/, `/lib/${EVIL_NAME}`);
  writeFileSync(smaps, maps.join('\n'));
  copyFileSync(snaps[0], path.join(dir, 'copy.heapsnapshot'));
});

// Raw bytes, so that invalid UTF-8 is seen as it is.
function run(args, options = {}) {
  const r = spawnSync(leakscopeBin(), args, { maxBuffer: 1 << 28, timeout: 300000, ...options });
  if (r.error) throw r.error;
  return r;
}

const kUnsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

// Valid UTF-8 with no control character but '\n', and no bidi control.
function assertSafe(what, bytes) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    assert.fail(`${what}: output is not valid UTF-8: ${bytes.toString('latin1').slice(0, 300)}`);
  }
  const m = text.match(kUnsafe);
  assert.equal(m, null, `${what}: raw U+${m?.[0].codePointAt(0).toString(16).padStart(4, '0')} at ${m?.index}: ` +
    JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 80), (m?.index ?? 0) + 40)));
  return text;
}

function check(args, { json = false, status = [0, 1] } = {}) {
  const r = run(args);
  const what = `leakscope ${args.join(' ')}`;
  assert.equal(r.signal, null, what);
  assert.ok(status.includes(r.status), `${what}: exit ${r.status}: ${r.stderr}`);
  const out = assertSafe(`${what} (stdout)`, r.stdout);
  assertSafe(`${what} (stderr)`, r.stderr);
  if (json) {
    try {
      return JSON.parse(out);
    } catch (e) {
      assert.fail(`${what}: invalid JSON (${e.message})`);
    }
  }
  return out;
}

test('leaks: the hostile event name is escaped in the verdict and the holder line', () => {
  const text = check(['leaks', ...snaps]);
  assert.match(text, /^Leak: /);
  // The event name as the user can read it: every control spelled out.
  assert.ok(text.includes("listeners for 'event\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J\\u202e\\u2066\\u009b31m\\u0085\\x7f\\t\\r\\n\\xff\\xfe\\xc3(\\xc0\\xaf\\ud800\\xf4\\x90\\x80\\x80'"),
    text.split('\n')[0]);
  const j = check(['leaks', ...snaps, '--json'], { json: true });
  assert.equal(j.leak, true);
  // JSON keeps the real characters, escaped the JSON way; bytes that are not UTF-8 become U+FFFD.
  const raw = run(['leaks', ...snaps, '--json']).stdout.toString('utf8');
  assert.ok(raw.includes('\\u001b]52;c;SGVsbG8=\\u0007\\u001b[2J\\u202e\\u2066\\u009b31m\\u0085\\u007f\\t\\r\\n'), raw.slice(0, 500));
  // The edge itself is a property name that `.name` would not read back (controls, quotes), so
  // it is shown as JS writes it, ["event\u001b…"], inside the JSON string.
  const value = '["event\\u001b]52;c;SGVsbG8=\\u0007\\u001b[2J\u202e\u2066\x9b31m\x85\x7f\\t\\r\\n\ufffd\ufffd';
  assert.ok(j.leaks.some((c) => c.path.some((s) => s.edge?.startsWith(value))), JSON.stringify(j.leaks.map((c) => c.path.at(-1))));
});

test('every snapshot command, in text and JSON, prints nothing raw', () => {
  const [s1, , s3] = snaps;
  const leaks = check(['leaks', ...snaps, '--json'], { json: true });
  const listeners = leaks.leaks.find((c) => /listeners for/.test(c.holder.kind));
  assert.ok(listeners, JSON.stringify(leaks.leaks.map((c) => c.holder)));
  const holder = listeners.holder.id;
  const events = listeners.path.at(-2).id;  // the emitter's _events object
  const evil = check(['inspect', s3, '--id', String(holder), '--json'], { json: true });
  const target = evil.edges.find((e) => e.to.type === 'closure')?.to.id ?? holder;
  const commands = [
    ['summary', s3], ['summary', s3, '--shallow-only'], ['info', s3],
    ['top', s3, '--id', String(events), '--top', '50'], ['top', s3],
    ['path', s3, '--id', String(target), '-k', '3'], ['inspect', s3, '--id', String(events)],
    ['inspect', s3, '--id', String(holder)], ['diff', s1, s3], ['check', s3],
  ];
  for (const args of commands) {
    check(args);
    check([...args, '--json'], { json: true });
  }
  check(['leaks', ...snaps]);
  check(['diff', s1, s3, '--format', 'memwatch'], { json: true });
  check(['dump-analysis', s3], { json: true });
  // The hostile names reach the output, escaped.
  const inspect = check(['inspect', s3, '--id', String(events)]);
  assert.ok(inspect.includes('event\\x1b]52;c;SGVsbG8=\\x07'), inspect);
  const summary = check(['summary', s3]);
  assert.ok(summary.includes('Evil\\x1b[2J\\u202e\\u0085\\xff\\xfe'), summary.slice(0, 3000));
  assert.ok(summary.includes('\\u202e'), 'the file name is shown escaped');
});

test('gclog, maps and maps-diff on hostile text files', () => {
  for (const json of [false, true]) {
    const extra = json ? ['--json'] : [];
    check(['gclog', gclog, '--min-duration', '0', ...extra], { json });
    check(['maps', smaps, ...extra], { json });
    check(['maps-diff', smaps, smaps, ...extra], { json });
  }
  const text = check(['gclog', gclog, '--min-duration', '0']);
  assert.ok(text.includes('app says evil\\x1b]52'), text);
});

test('error lines: file names and arguments are escaped, on one line', () => {
  const missing = path.join(dir, `missing-${EVIL_NAME}\n.heapsnapshot`);
  for (const args of [['summary', missing], ['info', missing, '--json'], ['leaks', missing, missing, missing],
    ['summary', gclog], ['inspect', snaps[2], '--id', `1${EVIL_NAME}`], ['summary', `--bogus${EVIL_NAME}`],
    ['gclog', path.join(dir, 'copy.heapsnapshot')], [`nosuchcommand${EVIL_NAME}`]]) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const err = assertSafe(args.join(' '), r.stderr);
    assert.equal(err.trimEnd().split('\n').length, 1, err);
    assert.match(err, /^leakscope: /);
  }
  const err = run(['summary', missing]).stderr.toString();
  assert.ok(err.includes('missing-evil\\x1b]52;c;SGk=\\x07\\x1b[2J\\u202e\\u2066\\u009b\\u0085\\x7f\\n.heapsnapshot'), err);
});

test('watch: the watched command\'s output and name are escaped too', () => {
  const r = run(['watch', '--interval', '0.2', '--duration', '1', '--no-trace-gc', '--', process.execPath, '-e',
    `console.log(${JSON.stringify(EVIL_NAME)}); setTimeout(() => {}, 600)`, EVIL_NAME]);
  assert.equal(r.signal, null);
  assertSafe('watch stdout', r.stdout);
  const err = assertSafe('watch stderr', r.stderr);
  assert.ok(err.includes('evil\\x1b]52;c;SGk=\\x07'), err);
});
