// libleakscope-preload.so in real Node processes (18 to 24): the file it writes follows
// docs/native-samples-format.md, its estimate of held native memory is within ±20 % of the truth,
// its stacks start in the app (not in the sampler) and reach the node binary, and the app's own
// output, exit code and children are untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kRepoRoot, scratchDir } from './lib/harness.mjs';
import { nodeBinary } from './lib/node-versions.mjs';

const kLibName = 'libleakscope-preload.so';

function preloadLibrary() {
  const dirs = [process.env.LEAKSCOPE_BUILD_DIR,
    process.env.LEAKSCOPE_BIN && dirname(process.env.LEAKSCOPE_BIN),
    join(kRepoRoot, 'build', 'release')].filter(Boolean);
  const found = dirs.map((d) => join(d, kLibName)).find((p) => existsSync(p));
  if (!found) throw new Error(`${kLibName} not found in ${dirs.join(', ')}: build it (--target leakscope-preload)`);
  return realpathSync(found);
}

const lib = preloadLibrary();
const dir = scratchDir('preload');
const MiB = 1 << 20;

// Holds 100 MiB of Buffers (Buffer.alloc: calloc in Node's ArrayBuffer allocator), grown over
// ~3 s after a quiet start that gives the baseline; writes when each phase began to argv[2].
const kGrowScript = `
const fs = require('fs');
const phases = { quiet: Date.now() };
const held = [];
setTimeout(() => {
  phases.grow = Date.now();
  const iv = setInterval(() => {
    for (let i = 0; i < 40; i++) held.push(Buffer.alloc(64 * 1024, 1));
    if (held.length < 1600) return;
    clearInterval(iv);
    phases.hold = Date.now();
    setTimeout(() => {
      phases.end = Date.now();
      fs.writeFileSync(process.argv[2], JSON.stringify(phases));
      console.log('held ' + held.length * 65536);
      process.exitCode = 3;
    }, 1500);
  }, 75);
}, 800);
`;

// Allocates and drops the same 100 MiB again and again: nothing is held.
const kChurnScript = `
const fs = require('fs');
const phases = { quiet: Date.now() };
setTimeout(() => {
  phases.grow = Date.now();
  let rounds = 0;
  const iv = setInterval(() => {
    let batch = [];
    for (let i = 0; i < 400; i++) batch.push(Buffer.alloc(64 * 1024, 1));
    batch = null;
    global.gc();
    if (++rounds < 12) return;
    clearInterval(iv);
    phases.hold = Date.now();
    setTimeout(() => {
      phases.end = Date.now();
      fs.writeFileSync(process.argv[2], JSON.stringify(phases));
      console.log('done ' + rounds);
    }, 1000);
  }, 200);
}, 800);
`;

// Spawns a node child (which reports whether it was sampled) and forks one that allocates.
const kChildrenScript = `
const { spawnSync, fork } = require('child_process');
if (process.argv[2] === 'forked') {
  const keep = [];
  for (let i = 0; i < 100; i++) keep.push(Buffer.alloc(256 * 1024));
  process.send(String(keep.length), () => process.exit(0));
} else {
  const probe = 'const m = require("fs").readFileSync("/proc/self/maps", "utf8");' +
    'console.log(JSON.stringify({ preload: process.env.LD_PRELOAD || "",' +
    ' vars: Object.keys(process.env).filter((k) => k.startsWith("LEAKSCOPE_NATIVE")),' +
    ' mapped: m.includes("${kLibName}") }))';
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  console.log('spawned ' + r.stdout.trim());
  const child = fork(__filename, ['forked']);
  child.on('message', (m) => console.log('forked ' + m));
  child.on('exit', (code) => {
    console.log('fork exit ' + code);
    const keep = [];
    for (let i = 0; i < 200; i++) keep.push(Buffer.alloc(128 * 1024));
    setTimeout(() => console.log('parent ' + keep.length), 400);
  });
}
`;

function writeScript(name, text) {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

// Runs `node args` with the sampler; returns the run and the file it wrote.
function runSampled(bin, args, tag, extraEnv = {}) {
  const out = join(dir, `${tag}.native`);
  const env = { ...process.env, LD_PRELOAD: lib, LEAKSCOPE_NATIVE_OUT: out, ...extraEnv };
  const r = spawnSync(bin, args, { encoding: 'utf8', env, timeout: 120000 });
  if (r.error) throw r.error;
  return { ...r, file: existsSync(out) ? readFileSync(out, 'utf8') : null };
}

const kHex = /^[0-9a-f]+$/;
const kDec = /^[0-9]+$/;

function dec(s, what) {
  assert.match(s, kDec, what);
  return Number(s);
}

function hex(s, what) {
  assert.match(s, kHex, what);
  return BigInt('0x' + s);
}

// Parses the whole file as docs/native-samples-format.md defines it, asserting every rule a
// reader relies on. Returns { start, stacks: Map(id -> { frames, maps }), dumps }.
function parseNative(text, { minDumps = 2 } = {}) {
  assert.ok(text.endsWith('\n'), 'the file ends with a whole line');
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines[0], 'leakscope-native 1');
  const s = lines[1].split(' ');
  assert.equal(s[0], 'start', lines[1]);
  assert.equal(s.length, 4, lines[1]);
  const start = { pid: dec(s[1]), interval: dec(s[2]), unixMs: dec(s[3]) };
  const stacks = new Map();
  const dumps = [];
  let maps = null;
  let i = 2;
  while (i < lines.length) {
    const line = lines[i++];
    const f = line.split(' ');
    if (f[0] === 'maps') {
      assert.equal(f.length, 2, line);
      dec(f[1], line);
      maps = [];
      for (;;) {
        assert.ok(i < lines.length, 'a maps block ends');
        const m = lines[i++];
        if (m === 'end') break;
        const g = m.split(' ');
        assert.equal(g[0], 'map', m);
        assert.ok(g.length >= 5, m);
        const from = hex(g[1], m);
        const to = hex(g[2], m);
        assert.ok(from < to, m);
        hex(g[3], m);
        maps.push({ from, to, path: g.slice(4).join(' ') });
      }
    } else if (f[0] === 'stack') {
      assert.ok(maps, 'a maps block comes before the first stack');
      const id = dec(f[1], line);
      assert.ok(!stacks.has(id), `stack ${id} written once`);
      const frames = f.slice(2).map((x) => hex(x, line));
      assert.ok(frames.length >= 1 && frames.length <= 64, line);
      stacks.set(id, { frames, maps });
    } else if (f[0] === 'dump') {
      assert.equal(f.length, 5, line);
      const dump = { t: dec(f[1]), rss: dec(f[2]), allocs: dec(f[3]), frees: dec(f[4]), live: new Map() };
      assert.ok(dump.frees <= dump.allocs, line);
      if (dumps.length) assert.ok(dump.t >= dumps.at(-1).t, 'dump times do not go back');
      for (;;) {
        assert.ok(i < lines.length, 'a dump ends');
        const l = lines[i++];
        if (l === 'end') break;
        const g = l.split(' ');
        assert.equal(g[0], 'live', l);
        assert.equal(g.length, 5, l);
        const id = dec(g[1], l);
        assert.ok(stacks.has(id), `stack ${id} is written before it is used`);
        const row = { bytes: dec(g[2], l), count: dec(g[3], l), allocated: dec(g[4], l) };
        assert.ok(row.allocated >= row.bytes, l);
        dump.live.set(id, row);
      }
      dumps.push(dump);
    } else {
      assert.fail(`unknown record: ${line}`);
    }
  }
  assert.ok(dumps.length >= minDumps, `at least ${minDumps} dumps (periodic and at exit)`);
  return { start, stacks, dumps };
}

const totalLive = (dump) => [...dump.live.values()].reduce((a, r) => a + r.bytes, 0);
const totalAllocated = (dump) => [...dump.live.values()].reduce((a, r) => a + r.allocated, 0);

// The last dump written before `unixMs`.
function dumpBefore(parsed, unixMs) {
  const ds = parsed.dumps.filter((d) => parsed.start.unixMs + d.t <= unixMs);
  assert.ok(ds.length, `a dump before ${unixMs}`);
  return ds.at(-1);
}

const mappingOf = (stack, address) => stack.maps.find((m) => address >= m.from && address < m.to);

for (const major of [18, 20, 22, 24]) {
  const node = nodeBinary(major);
  test(`node ${major}: 100 MiB of held Buffers estimated within 20 %, stacks from the app`,
       { skip: node.skip }, () => {
    const script = writeScript(`grow${major}.js`, kGrowScript);
    const phasesFile = join(dir, `grow${major}.json`);
    const r = runSampled(node.bin, [script, phasesFile], `grow${major}`,
                         { LEAKSCOPE_NATIVE_INTERVAL: '131072', LEAKSCOPE_NATIVE_PERIOD_MS: '200' });
    // The app's own output and exit code are its own.
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, `held ${100 * MiB}\n`);
    assert.equal(r.stderr, '');
    const parsed = parseNative(r.file);
    assert.equal(parsed.start.pid, r.pid);
    assert.equal(parsed.start.interval, 131072);
    const phases = JSON.parse(readFileSync(phasesFile, 'utf8'));
    const base = totalLive(dumpBefore(parsed, phases.grow));
    const held = dumpBefore(parsed, phases.end);
    assert.ok(parsed.start.unixMs + held.t >= phases.hold, 'a dump while the Buffers are held');
    const estimate = totalLive(held) - base;
    console.log(`node ${major}: estimated ${(estimate / MiB).toFixed(1)} MiB held over a ${(base / MiB).toFixed(1)} MiB baseline`);
    assert.ok(Math.abs(estimate - 100 * MiB) <= 0.2 * 100 * MiB,
              `estimated ${(estimate / MiB).toFixed(1)} MiB held (baseline ${(base / MiB).toFixed(1)} MiB), truly 100 MiB`);

    const libPath = lib;
    for (const [id, stack] of parsed.stacks) {
      const m = mappingOf(stack, stack.frames[0]);
      assert.ok(!m || m.path !== libPath, `stack ${id} starts in the sampler`);
    }
    // The stack holding the most reaches the node executable's code (through the JIT frames of
    // the script: the walk does not stop at them).
    const [topId] = [...held.live.entries()].sort((a, b) => b[1].bytes - a[1].bytes)[0];
    const top = parsed.stacks.get(topId);
    const exe = realpathSync(node.bin);
    assert.ok(top.frames.some((a) => mappingOf(top, a)?.path === exe),
              `stack ${topId} has an address in ${exe}`);
    assert.ok(top.frames.some((a) => !mappingOf(top, a)), `stack ${topId} passes through JIT code`);
    assert.ok(top.frames.length >= 8, `stack ${topId} is ${top.frames.length} frames deep`);
  });
}

test('a churn control (allocated and freed) holds nothing', () => {
  const script = writeScript('churn.js', kChurnScript);
  const phasesFile = join(dir, 'churn.json');
  const r = runSampled(process.execPath, ['--expose-gc', script, phasesFile], 'churn',
                       { LEAKSCOPE_NATIVE_PERIOD_MS: '200' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'done 12\n');
  const parsed = parseNative(r.file);
  assert.equal(parsed.start.interval, 524288);
  const phases = JSON.parse(readFileSync(phasesFile, 'utf8'));
  const baseDump = dumpBefore(parsed, phases.grow);
  const end = dumpBefore(parsed, phases.end);
  const held = totalLive(end) - totalLive(baseDump);
  const churned = totalAllocated(end) - totalAllocated(baseDump);
  assert.ok(churned > 0.8 * 12 * 400 * 64 * 1024, `allocated ${(churned / MiB).toFixed(0)} MiB`);
  assert.ok(held < 20 * MiB, `held ${(held / MiB).toFixed(1)} MiB after churning`);
  assert.ok(end.frees > 0.8 * (end.allocs - baseDump.allocs), 'the sampled Buffers were freed');
});

for (const major of [18, 20, 22, 24]) {
  const node = nodeBinary(major);
  test(`node ${major}: children run unsampled; spawn and fork work`, { skip: node.skip }, () => {
    const script = writeScript(`children${major}.js`, kChildrenScript);
    const r = runSampled(node.bin, [script], `children${major}`, { LEAKSCOPE_NATIVE_PERIOD_MS: '100' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const spawned = JSON.parse(lines[0].replace(/^spawned /, ''));
    assert.deepEqual(spawned, { preload: '', vars: [], mapped: false });
    assert.deepEqual(lines.slice(1), ['forked 100', 'fork exit 0', 'parent 200']);
    const parsed = parseNative(r.file);
    assert.equal(parsed.start.pid, r.pid, 'the file is the parent\'s');
    // The parent's own allocations after the fork are still sampled.
    assert.ok(parsed.dumps.at(-1).allocs > 0);
  });
}

test('LD_PRELOAD keeps the app\'s other libraries', () => {
  // Any other library that loads: the app's children must still get it.
  const other = '/lib/x86_64-linux-gnu/libm.so.6';
  const probe = 'console.log(require("child_process").execFileSync(process.execPath, ' +
    '["-p", "process.env.LD_PRELOAD"], { encoding: "utf8" }).trim())';
  const r = runSampled(process.execPath, ['-e', probe], 'keep',
                       { LD_PRELOAD: `${other}:${lib} ${other}` });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${other}:${other}`);
  parseNative(r.file, { minDumps: 1 });
});

test('without LEAKSCOPE_NATIVE_OUT the library only forwards', () => {
  // Off, it leaves the environment alone too (an empty value is off).
  const probe = 'console.log(process.env.LD_PRELOAD, Buffer.alloc(1 << 24).length)';
  for (const off of [{}, { LEAKSCOPE_NATIVE_OUT: '' }]) {
    const env = { ...process.env, LD_PRELOAD: lib, ...off };
    if (!('LEAKSCOPE_NATIVE_OUT' in off)) delete env.LEAKSCOPE_NATIVE_OUT;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${lib} ${1 << 24}\n`);
  }
});

// Threads allocating, reallocating and freeing each other's blocks (all sampled at a 4 KiB
// interval, so the slow paths and the lock run constantly), operator new's semantics, and forks
// without exec while the threads run: the children exit through atexit and must not dump.
const kStress = String.raw`
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <malloc.h>
#include <new>
#include <vector>

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static void* ring[1024];
static unsigned ring_n = 0;

static void* worker(void* arg) {
  unsigned seed = (unsigned)(size_t)arg;
  for (int i = 0; i < 60000; i++) {
    size_t n = 16 + rand_r(&seed) % 20000;
    void* p;
    switch (i % 5) {
      case 0: p = malloc(n); break;
      case 1: p = calloc(1, n); break;
      case 2: if (posix_memalign(&p, 64, n) != 0) p = nullptr; break;
      case 3: p = new char[n]; break;
      default: p = realloc(malloc(8), n); break;
    }
    if (p == nullptr || malloc_usable_size(p) < n) { fprintf(stderr, "bad block\n"); exit(1); }
    memset(p, 1, n < 64 ? n : 64);
    if (i % 5 == 3) { delete[] static_cast<char*>(p); continue; }
    pthread_mutex_lock(&ring_lock);
    void* old = ring[ring_n % 1024];
    ring[ring_n++ % 1024] = p;
    pthread_mutex_unlock(&ring_lock);
    free(old);  // most likely another thread's block
  }
  return nullptr;
}

static int handler_calls = 0;
static void handler() { handler_calls++; std::set_new_handler(nullptr); }

int main() {
  pthread_t t[6];
  for (size_t i = 0; i < 6; i++) pthread_create(&t[i], nullptr, worker, (void*)(i + 1));
  for (int f = 0; f < 20; f++) {
    pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> v;
      for (int i = 0; i < 1000; i++) v.push_back(new char[1000]);
      for (char* p : v) delete[] p;
      exit(7);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 7) { fprintf(stderr, "child %d\n", status); return 1; }
  }
  for (auto& th : t) pthread_join(th, nullptr);
  if (new (std::nothrow) char[(size_t)1 << 62] != nullptr) return 2;
  std::set_new_handler(handler);
  try {
    char* never = new char[(size_t)1 << 62];
    (void)never;
    return 3;
  } catch (const std::bad_alloc&) {
  }
  if (handler_calls != 1) return 4;
  printf("ok\n");
  return 0;
}
`;

test('threads, operator new semantics and fork without exec, at a 4 KiB interval', () => {
  const src = writeScript('stress.cc', kStress);
  const bin = join(dir, 'stress');
  const cc = spawnSync('g++', ['-O1', '-pthread', '-o', bin, src], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
  const r = runSampled(bin, [], 'stress', { LEAKSCOPE_NATIVE_INTERVAL: '4096', LEAKSCOPE_NATIVE_PERIOD_MS: '50' });
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ok\n');
  assert.equal(r.stderr, '');
  const parsed = parseNative(r.file, { minDumps: 1 });
  assert.equal(parsed.start.pid, r.pid);
  const last = parsed.dumps.at(-1);
  assert.ok(last.allocs > 10000, `${last.allocs} samples`);
  // The ring keeps at most 1024 blocks: nearly every sample was freed again.
  assert.ok(last.allocs - last.frees < 2000, `${last.allocs - last.frees} samples still live`);
  // Forked children (inactive) wrote nothing: one writer, dump times in order (checked by the
  // parser) and as many dumps as the parent's period allows.
  const runMs = last.t;
  assert.ok(parsed.dumps.length <= runMs / 50 + 3, `${parsed.dumps.length} dumps in ${runMs} ms`);
  // Stacks start in the program (its main or worker), not in the library.
  const exe = realpathSync(bin);
  const inExe = [...parsed.stacks.values()].filter((s) => mappingOf(s, s.frames[0])?.path === exe);
  assert.ok(inExe.length > 0, 'stacks start in the program');
  for (const [id, stack] of parsed.stacks) {
    assert.notEqual(mappingOf(stack, stack.frames[0])?.path, lib, `stack ${id} starts in the sampler`);
  }
});

// A library loaded after the first maps block: the block is written again, whole, before the
// first stack that points into it.
const kLoader = String.raw`
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char** argv) {
  void* early[10];
  for (int i = 0; i < 10; i++) early[i] = malloc(1 << 20);
  usleep(300000);
  void* lib = dlopen(argv[1], RTLD_NOW);
  if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  void* (*grab)(size_t) = (void* (*)(size_t))dlsym(lib, "grab");
  void* late[50];
  for (int i = 0; i < 50; i++) late[i] = grab(1 << 20);
  usleep(300000);
  printf("%p %p\n", early[0], late[0]);
  return 0;
}
`;

test('a library loaded later gets a new maps block before its stacks', () => {
  const libSrc = writeScript('grab.c', '#include <stdlib.h>\nvoid* grab(size_t n) { return malloc(n); }\n');
  const libSo = join(dir, 'libgrab.so');
  const mainSrc = writeScript('loader.c', kLoader);
  const bin = join(dir, 'loader');
  // -O0: no tail call, so grab's own frame calls malloc.
  for (const args of [['-O0', '-fno-omit-frame-pointer', '-shared', '-fPIC', '-o', libSo, libSrc],
    ['-O1', '-o', bin, mainSrc, '-ldl']]) {
    const cc = spawnSync('cc', args, { encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
  }
  const r = runSampled(bin, [libSo], 'loader', { LEAKSCOPE_NATIVE_PERIOD_MS: '50' });
  assert.equal(r.status, 0, r.stderr);
  const parsed = parseNative(r.file);
  assert.ok((r.file.match(/^maps /gm) || []).length >= 2, 'a second maps block');
  const so = realpathSync(libSo);
  const fromLib = [...parsed.stacks.values()].filter((s) => mappingOf(s, s.frames[0])?.path === so);
  assert.ok(fromLib.length > 0, 'stacks that start in the library resolve against the newer block');
  // ... and the block before them did not know it yet.
  const first = [...parsed.stacks.values()][0];
  assert.ok(!first.maps.some((m) => m.path === so), 'the first block predates the library');
});
