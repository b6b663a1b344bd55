// Issue 10, item 3: nothing a user names on the command line may hang a command or fill its
// memory. Only `-` reads a stream; a FIFO, a device or a socket is refused with one line ("not a
// regular file") before open() could block; text inputs have a line-length and a size cap; every
// duration option has an upper bound; output files that are FIFOs nobody reads are refused.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { leakscope, leakscopeBin, scratchDir, writeBareSnapshot } from './lib/harness.mjs';

const dir = scratchDir('inputs');
let snap;
let snap2;
let fifo;

before(() => {
  snap = writeBareSnapshot(join(dir, 'a.heapsnapshot'));
  snap2 = join(dir, 'b.heapsnapshot');
  copyFileSync(snap, snap2);
  fifo = join(dir, 'no-writer.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo failed');
});

// exit 2, nothing on stdout, one line on stderr matching `want`; a hang is killed by the timeout.
// `stdin`: a file the shell redirects to standard input.
function refused(args, want, { stdin, timeout = 20000 } = {}) {
  const r = stdin === undefined ? leakscope(args, { timeout })
    : spawnSync('sh', ['-c', '"$0" "$@" < "$LEAKSCOPE_STDIN"', leakscopeBin(), ...args],
                { encoding: 'utf8', timeout, env: { ...process.env, LEAKSCOPE_STDIN: stdin } });
  const where = `leakscope ${args.join(' ')}`;
  assert.equal(r.signal, null, `${where}: killed by ${r.signal} (it hung)\n${r.stderr}`);
  assert.equal(r.status, 2, `${where}: exit ${r.status}, want 2\n${r.stderr}`);
  assert.equal(r.stdout, '', `${where}: printed on stdout`);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `${where}: want one line on stderr:\n${r.stderr}`);
  assert.match(lines[0], want, `${where}: ${lines[0]}`);
  return lines[0];
}

// Every command that reads a file, with `file` in the place of its input.
function everyCommand(file) {
  return [
    ['summary', file], ['info', file], ['top', file], ['path', file, '--id', '1'],
    ['inspect', file, '--id', '1'], ['check', file], ['dump-analysis', file],
    ['diff', file, snap], ['diff', snap, file], ['leaks', snap, snap2, file], ['leaks', file, snap, snap2],
    ['gclog', file], ['maps', file], ['maps-diff', file, file], ['report', file],
    ['report', snap, file],
  ];
}

test('a FIFO with no writer is refused at once by every command, naming it', () => {
  for (const args of everyCommand(fifo)) {
    const line = refused(args, /not a regular file \(a FIFO/);
    assert.ok(line.includes(fifo), line);
  }
});

test('devices are refused, not read forever ("not a regular file", not "file is empty")', () => {
  for (const device of ['/dev/zero', '/dev/urandom', '/dev/null']) {
    for (const args of everyCommand(device)) refused(args, /\/dev\/\w+: not a regular file \(a character device/);
  }
});

test('/proc files are regular files of size 0, and still read to the end', () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    const r = leakscope(['maps', `/proc/${child.pid}/smaps`, '--json'], { timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    const table = JSON.parse(r.stdout);
    assert.ok(table.mappings.length > 10, `only ${table.mappings.length} mappings`);
  } finally {
    child.kill();
  }
});

test('a stream on standard input: a line longer than 64 KiB stops it, naming the line', () => {
  // What `leakscope gclog - < /dev/zero` used to read forever (one endless line).
  refused(['gclog', '-'], /^leakscope: -: line 1 \(byte offset 0\) is longer than 64 KiB: not a --trace-gc log$/,
          { stdin: '/dev/zero' });
  refused(['maps', '-'], /^leakscope: -: line 1 \(byte offset 0\) is longer than 64 KiB: not a maps table$/,
          { stdin: '/dev/zero' });
  // /dev/urandom has short lines: the size cap stops it (4 GiB for a log would take too long
  // here; a maps table stops at 256 MiB).
  refused(['maps', '-'], /^leakscope: -: (line \d+ \(byte offset \d+\) is longer than 64 KiB|more than 256 MiB)/,
          { stdin: '/dev/urandom', timeout: 60000 });
  // A read error says where.
  refused(['gclog', '-'], /^leakscope: -: read failed at byte offset 0: Is a directory$/, { stdin: dir });
  refused(['summary', '-'], /^leakscope: -: read failed at byte offset 0: Is a directory$/, { stdin: dir });
  const file = join(dir, 'long-line.log');
  const gcLine = '[1:0x1]  5 ms: Scavenge 1.0 (2.0) -> 1.0 (2.0) MB, 0.1 / 0.0 ms\n';
  writeFileSync(file, gcLine.repeat(3) + 'x'.repeat(70000) + '\n');
  const line = refused(['gclog', file], /long-line\.log: line 4 \(byte offset (\d+)\) is longer than 64 KiB/);
  assert.equal(Number(line.match(/byte offset (\d+)/)[1]), 3 * gcLine.length);
});

test('a maps table over 256 MiB is refused before it is read', () => {
  const big = join(dir, 'big.maps');
  writeFileSync(big, '');
  assert.equal(spawnSync('truncate', ['-s', '300M', big]).status, 0);
  refused(['maps', big], /big\.maps: 314572800 bytes: larger than the 256 MiB limit for a maps table/);
});

test('waits have an upper bound: maps-diff --after 1e9 is refused, not a 31-year sleep', () => {
  refused(['maps-diff', String(process.pid), '--after', '1e9'], /^leakscope: --after: "1e9" is not a duration from 0\.01 s to 7 d/);
  refused(['maps-diff', String(process.pid), '--after', '8d'], /--after: "8d"/);
  refused(['watch', '--interval', '1e6', String(process.pid)], /--interval: "1e6"/);
  refused(['watch', '--duration', '31d', String(process.pid)], /--duration: "31d"/);
  refused(['watch', '--maps-interval', '8d', String(process.pid)], /--maps-interval: "8d"/);
  refused(['watch', '--force-gc', '1e300', String(process.pid)], /--force-gc: "1e300"/);
});

// Issue 10 review: argv and mapping paths may hold control bytes and newlines; the saved table
// escapes them (safe to cat) and reads them back.
test('maps --save escapes a command line with ESC and a newline; the table round-trips', () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},20000)', 'x\ny\x1b'], { stdio: 'ignore' });
  try {
    const saved = join(dir, 'nl.maps');
    let r = leakscope(['maps', String(child.pid), '--save', saved], { timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    const bytes = readFileSync(saved);
    for (const b of bytes) assert.ok(b === 0x0a || (b >= 0x20 && b < 0x7f), `raw byte ${b} in the saved table`);
    const text = bytes.toString('latin1');
    assert.ok(text.includes('setTimeout(()=>{},20000) x\\ny\\x1b\n'), text.slice(0, 300));
    r = leakscope(['maps-diff', saved, saved]);
    assert.equal(r.status, 0, r.stderr);
    r = leakscope(['maps', saved, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).command.endsWith(' x\ny\x1b'), r.stdout.slice(0, 300));
  } finally {
    child.kill();
  }
});

test('an output file that is a FIFO nobody reads is refused, not waited on', () => {
  refused(['maps', String(process.pid), '--save', fifo], /no-writer\.fifo: a FIFO \(named pipe\) that no process reads/);
  refused(['dump-analysis', snap, '--nodes', fifo], /no-writer\.fifo: a FIFO \(named pipe\) that no process reads/);
});

test('an output file that is a socket is named a socket, not a FIFO', async () => {
  const sock = join(dir, 'out.sock');
  rmSync(sock, { force: true });
  const server = createServer();
  await new Promise((resolve) => server.listen(sock, resolve));
  try {
    for (const args of [['maps', String(process.pid), '--save', sock], ['dump-analysis', snap, '--nodes', sock]]) {
      const r = await new Promise((resolve) => {
        const child = spawn(leakscopeBin(), args);
        let stderr = '';
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('exit', (status) => resolve({ status, stderr }));
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /out\.sock: not a regular file \(a socket\); give a file to write\n$/);
    }
  } finally {
    server.close();
  }
});
