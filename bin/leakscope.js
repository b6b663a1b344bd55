#!/usr/bin/env node
// The package's `leakscope` command (npm's bin; `npx leakscope`): runs the native CLI the install
// built, build/Release/leakscope, with the same arguments and the terminal's stdin, stdout and
// stderr, and ends as it ends: the same exit code, or killed by the same signal.
//
// Signals sent to this process (kill, a supervisor's SIGTERM) are passed on. A key the terminal
// turns into a signal (Ctrl-C, Ctrl-\) already reaches the CLI, which shares this process group:
// passing it on as well would count twice (`attach` quits at once on a second Ctrl-C), so those are
// passed on only when this process is not in the terminal's foreground group.
'use strict';
const {spawn} = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const bin = ['Release', 'Debug'].map((d) => path.join(root, 'build', d, 'leakscope')).find((f) => fs.existsSync(f));

if (!bin) {
  console.error(`leakscope: the native CLI is not built (no ${path.join(root, 'build', 'Release', 'leakscope')}); ` +
                `rebuild it with \`npm rebuild leakscope\` (it needs make, g++ and python3) and read its error`);
  process.exit(2);
}

// Field 5 of /proc/self/stat is our process group, field 8 the terminal's foreground group.
function in_terminal_foreground() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[2] === fields[5];
  } catch {
    return false;
  }
}

const keyboard = new Set(['SIGINT', 'SIGQUIT']);
const forwarded = ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];

// The handlers go in before the CLI starts: once it runs it can print, and whoever reads that may
// signal us at once. Installed after the spawn, a signal in between (a loaded machine can pause us
// there) killed this process and left the CLI running. A handler runs from the event loop, after
// this script's first pass, so `child` is set by the time one runs.
let child;
const handlers = new Map();
for (const sig of forwarded) {
  const handler = () => {
    if (keyboard.has(sig) && in_terminal_foreground()) return;
    try {
      child.kill(sig);
    } catch {}
  };
  handlers.set(sig, handler);
  process.on(sig, handler);
}

child = spawn(bin, process.argv.slice(2), {stdio: 'inherit'});

child.on('error', (err) => {
  console.error(`leakscope: cannot run ${bin}: ${err.message}`);
  process.exit(2);
});

child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, so the shell and the parent see what the CLI saw.
    for (const [sig, handler] of handlers) process.removeListener(sig, handler);
    process.kill(process.pid, signal);
    // One Node ignores (SIGPIPE): end as a shell reports it, 128 + its number.
    setTimeout(() => process.exit(128 + (require('os').constants.signals[signal] || 0)), 100);
    return;
  }
  process.exit(code);
});
