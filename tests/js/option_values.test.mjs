// Issue 10, item 4: every numeric option of every command is validated. A bad value ends the run
// with exit 2 and one line on stderr that names the option and repeats the text as typed (never a
// reformatted 309-digit number); a good value passes the parser. Garbage in a maps file is exit 2
// naming the line, not mappings of 18 EB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { leakscope, scratchDir } from './lib/harness.mjs';

const dir = scratchDir('options');
const missing = join(dir, 'missing.heapsnapshot');  // options are checked before any file is read
const pid = String(process.pid);

const huge = '9'.repeat(400);
const bad = {
  count: ['-1', '-0', 'nan', 'NaN', 'inf', '1.5', '1e3', 'abc', '', '0x10', '18446744073709551616', huge],
  size: ['-1', 'nan', 'inf', '1.5', '1e3', '1k', '18446744073709551615', huge],
  duration: ['-1', 'nan', 'inf', '-inf', '1e308', '1e309', 'abc', '5x', '', '10ms', huge, '-0', '-0s', '-0.0'],
  rate: ['-1', 'nan', 'inf', '1e308', '1e309', 'abc', '', huge, '-0'],
};

// [command line before the option, option, kind, extra bad values, a good value]
const options = [
  [['summary', missing], '--top', 'count', [], '7'],
  [['diff', missing, missing], '--top', 'count', [], '0'],
  [['path', missing], '--id', 'count', ['4294967296'], '5'],
  [['path', missing, '--id', '5'], '-k', 'count', ['0'], '3'],
  [['top', missing], '--id', 'count', ['4294967296'], '1'],
  [['top', missing], '--top', 'count', ['4294967296'], '3'],
  [['top', missing], '--children', 'count', [], '3'],
  [['top', missing], '--depth', 'count', [], '3'],
  [['inspect', missing, '--id', '1'], '--limit', 'count', [], '0'],
  [['inspect', missing], '--id', 'count', ['4294967296'], '1'],
  [['leaks', missing, missing, missing], '--interval', 'duration', ['0', '1e-4', '1e-300'], '30s'],
  [['leaks', missing, missing, missing], '--top', 'count', ['0'], '2'],
  [['leaks', missing, missing, missing], '--min-growth', 'size', [], '0'],
  [['gclog', missing], '--min-duration', 'duration', [], '10m'],
  [['gclog', missing], '--warmup', 'duration', ['367d'], '0'],
  [['gclog', missing], '--min-rate', 'rate', [], '0.5'],
  [['maps-diff', missing, missing], '--top', 'count', [], '0'],
  [['maps-diff', missing], '--after', 'duration', ['0', '1e-300', '8d'], '1.5'],
  [['watch', pid], '--interval', 'duration', ['0.001', '1e-300', '8d'], '2'],
  [['watch', pid], '--duration', 'duration', ['31d', '1e-300', '0.05', '0.01s'], '2h'],
  [['watch', pid], '--duration', 'duration', [], '0'],  // 0: until the process exits
  [['watch', pid], '--min-duration', 'duration', [], '1d'],
  [['watch', pid], '--warmup', 'duration', [], '90'],
  [['watch', pid], '--maps-interval', 'duration', ['8d'], '5'],
  [['watch', pid], '--force-gc', 'duration', ['8d', 'sometimes'], 'auto'],
  [[], '--threads', 'count', ['257'], '2'],
];

function run(args) {
  const r = leakscope(args, { timeout: 20000 });
  assert.equal(r.signal, null, `leakscope ${args.join(' ')}: killed by ${r.signal}`);
  return { ...r, lines: r.stderr.split('\n').filter(Boolean) };
}

for (const [before, option, kind, extra, good] of options) {
  const cmd = before[0] ?? 'summary';
  test(`${cmd} ${option}: bad values are exit 2 naming the option; ${good} passes`, () => {
    for (const value of [...bad[kind], ...extra]) {
      // The global option goes before the command.
      const args = before.length ? [...before, option, value] : [option, value, 'summary', missing];
      const where = `leakscope ${args.join(' ').slice(0, 120)}`;
      const r = run(args);
      assert.equal(r.status, 2, `${where}: exit ${r.status}, want 2\n${r.stderr}`);
      assert.equal(r.stdout, '', `${where}: printed on stdout`);
      assert.equal(r.lines.length, 1, `${where}: want one line on stderr:\n${r.stderr}`);
      const line = r.lines[0];
      assert.ok(line.startsWith(`leakscope: ${option}: `), `${where}: does not name ${option}: ${line}`);
      assert.ok(line.length < 300, `${where}: a ${line.length}-character line: ${line.slice(0, 200)}…`);
      if (value.length <= 40) assert.ok(line.includes(`"${value}"`), `${where}: does not repeat "${value}": ${line}`);
    }
    // A good value gets past the option parser: the error (if any) is about something else.
    const args = before.length ? [...before, option, good] : [option, good, 'summary', missing];
    if (cmd === 'watch') args[1] = '999999999';  // no such process: fails after parsing
    const r = run(args);
    assert.ok(!r.stderr.includes(`${option}:`), `leakscope ${args.join(' ')}: ${r.stderr}`);
  });
}

test('leaks --min-growth -1 is exit 2 (it used to wrap to 2^64 - 1 and pass a leak as "No leak found")', () => {
  const r = run(['leaks', missing, missing, missing, '--min-growth', '-1']);
  assert.equal(r.status, 2);
  assert.equal(r.lines.length, 1, r.stderr);
  assert.match(r.lines[0], /^leakscope: --min-growth: "-1" is not a whole number of bytes from 0 to \d+/);
});

test('garbage in a maps file is exit 2 naming the line, in maps and maps-diff', () => {
  const header = '7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \nSize:                  4 kB\nRss:                   4 kB\n';
  const cases = {
    'backwards-range': [header + '0ebbffffffffff-27a7cd rwxp zz:zz 435084862 /x/0\n', 4],
    'bad-device': [header + '1000-2000 rwxp 00000000 zz:zz 435084862 /x/0\n', 4],
    'negative-size': [header + 'Size: -5 kB\n', 4],
    'huge-rss': [header + 'Rss: 99999999999999999999 kB\n', 4],
    'not-smaps': [header + 'this is not smaps\n', 4],
    'saved-wrap': ['# leakscope maps v1\nAddress Kbytes RSS Anon Dirty Mode Kind Mapping\n' +
                   'ffffffffffff0000 99999999999999 1 1 1 rw-p anonymous\n', 3],
  };
  for (const [name, [text, lineNo]] of Object.entries(cases)) {
    const file = join(dir, `${name}.smaps`);
    writeFileSync(file, text);
    for (const args of [['maps', file], ['maps', file, '--json'], ['maps-diff', file, file]]) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stdout.slice(0, 300)}`);
      assert.equal(r.stdout, '');
      assert.equal(r.lines.length, 1, r.stderr);
      assert.match(r.lines[0], new RegExp(`${name}\\.smaps: line ${lineNo} \\(byte offset \\d+\\)`), r.lines[0]);
    }
  }
  // The header alone is a good table.
  const good = join(dir, 'good.smaps');
  writeFileSync(good, header);
  assert.equal(run(['maps', good]).status, 0);
});

test('an unknown command is named, escaped: leakscope: unknown command "foo" (see leakscope --help)', () => {
  let r = run(['foo']);
  assert.equal(r.status, 2);
  assert.deepEqual(r.lines, ['leakscope: unknown command "foo" (see leakscope --help)']);
  r = run(['--threads', '2', '--timings', 'sumary', missing]);
  assert.equal(r.status, 2);
  assert.deepEqual(r.lines, ['leakscope: unknown command "sumary" (see leakscope --help)']);
  r = run(['x\x1b[2Jy']);
  assert.equal(r.status, 2);
  assert.deepEqual(r.lines, ['leakscope: unknown command "x\\x1b[2Jy" (see leakscope --help)']);
  r = run([]);
  assert.equal(r.status, 2);
  assert.match(r.lines[0], /^leakscope: A subcommand is required/);
});

test('watch --duration: 0 means until the process exits; below 0.1 s is refused (no 0-sample run)', () => {
  const r = run(['watch', pid, '--duration', '1e-300']);
  assert.equal(r.status, 2);
  assert.deepEqual(r.lines, ['leakscope: --duration: "1e-300" is not 0 (until the process exits) or a duration from 0.1 s to 30 d (seconds, or a number with s, m, h or d) (see leakscope --help)']);
});
