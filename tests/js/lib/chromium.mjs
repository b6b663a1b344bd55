// Headless Chromium as a snapshot writer: a browser heap is what DevTools users open most, and it
// differs from Node's (more node and edge types, DOM and Blink objects). Driven over the DevTools
// protocol on --remote-debugging-pipe (fd 3: commands in, fd 4: replies and events out, each
// message NUL-terminated), since Node 20 has no WebSocket client.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The chromium binary, or null when it is not installed.
export function findChromium() {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

// Runs `setup` (a JS expression) in an about:blank page and writes that page's heap snapshot.
export async function writeChromiumSnapshot(bin, out, setup, { timeoutMs = 120000 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'leakscope-chromium-'));
  const child = spawn(bin, [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const toBrowser = child.stdio[3];
  const fromBrowser = child.stdio[4];
  let nextId = 1;
  const waiting = new Map();
  const listeners = [];
  let buffered = Buffer.alloc(0);
  let failed = null;
  const fail = (err) => {
    failed = failed || err;
    for (const { reject } of waiting.values()) reject(failed);
    waiting.clear();
  };
  fromBrowser.on('data', (d) => {
    buffered = Buffer.concat([buffered, d]);
    for (let end = buffered.indexOf(0); end >= 0; end = buffered.indexOf(0)) {
      const msg = JSON.parse(buffered.subarray(0, end).toString('utf8'));
      buffered = buffered.subarray(end + 1);
      if (msg.id !== undefined && waiting.has(msg.id)) {
        const { resolve, reject, method } = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${JSON.stringify(msg.error)}`));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const l of listeners) l(msg);
      }
    }
  });
  child.on('exit', (code, signal) => fail(new Error(`chromium exited (${code}, ${signal}): ${stderr}`)));
  toBrowser.on('error', fail);
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    if (failed) return reject(failed);
    const id = nextId++;
    waiting.set(id, { resolve, reject, method });
    toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  });
  const timer = setTimeout(() => fail(new Error(`chromium did not answer in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
  try {
    const { targetInfos } = await send('Target.getTargets');
    let page = targetInfos.find((t) => t.type === 'page');
    if (!page) page = { targetId: (await send('Target.createTarget', { url: 'about:blank' })).targetId };
    const { sessionId } = await send('Target.attachToTarget', { targetId: page.targetId, flatten: true });
    const r = await send('Runtime.evaluate', { expression: setup, returnByValue: true }, sessionId);
    if (r.exceptionDetails) throw new Error(`setup threw: ${JSON.stringify(r.exceptionDetails)}`);
    await send('HeapProfiler.enable', {}, sessionId);
    const chunks = [];
    listeners.push((msg) => {
      if (msg.method === 'HeapProfiler.addHeapSnapshotChunk' && msg.sessionId === sessionId) {
        chunks.push(msg.params.chunk);
      }
    });
    await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, sessionId);
    writeFileSync(out, chunks.join(''));
    await send('Browser.close').catch(() => {});
    return out;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    // Chromium's helper processes can still write into the profile for a moment after the
    // browser is gone (ENOTEMPTY once in CI): retry, and never fail a test on a temp folder.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    } catch (err) {
      process.emitWarning(`could not remove ${profile}: ${err.message}`);
    }
  }
}
