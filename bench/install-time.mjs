// How long `npm i leakscope-x.y.z.tgz` takes in a fresh app: packs this repository (or takes
// --tarball FILE), installs it --runs times into fresh app folders, and prints each wall time and
// the median, with the machine's load before each run (the machine may be shared).
//   node bench/install-time.mjs [--runs 3] [--tarball FILE] [--jobs N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const runs = Number(opt('--runs', '3'));
const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-install-'));
const env = { ...process.env, npm_config_update_notifier: 'false' };
if (opt('--jobs')) env.LEAKSCOPE_JOBS = opt('--jobs');

let tarball = opt('--tarball');
if (!tarball) {
  const r = spawnSync('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], { cwd: repo, env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
  tarball = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));
}
tarball = path.resolve(tarball);

const times = [];
for (let i = 1; i <= runs; i++) {
  const app = path.join(dir, `app${i}`);
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  const t = process.hrtime.bigint();
  const r = spawnSync('npm', ['i', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts'],
                      { cwd: app, env, encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const built = (`${r.stdout}${r.stderr}`.match(/leakscope: built .*/) || [''])[0];
  console.log(`run ${i}: ${s.toFixed(0)} s, exit ${r.status}, load before ${load}${built ? `; ${built}` : ''}`);
  if (r.status !== 0) {
    console.log(`${r.stdout}${r.stderr}`.split('\n').slice(-15).join('\n'));
    process.exit(1);
  }
  times.push(s);
}
times.sort((a, b) => a - b);
console.log(`median of ${runs}: ${times[Math.floor(times.length / 2)].toFixed(0)} s (${cpus().length} CPUs, ` +
            `${JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version}, ${new Date().toISOString()}, ${dir})`);
