// Compiled by `tsc --noEmit` (ctest `types`): a program written against the package's three entry
// points, resolved as a consumer resolves them (package.json "exports" and "types"). A declaration
// that drifts from this use, or an entry point whose types do not resolve, fails the test.
import leakscope = require('leakscope');
import heapdump = require('leakscope/heapdump');
import memwatch = require('leakscope/memwatch');

const effective: leakscope.EffectiveOptions = leakscope.configure({
  dir: '/tmp',
  signal: 'SIGUSR2',
  intervalMs: 0,
  nearHeapLimit: true,
  leak: {minDurationMs: 60000, confidence: 0.99},
});
const signal: NodeJS.Signals | false = effective.signal;
const limit: number = effective.nearHeapLimit;

leakscope.on('stats', (stats) => {
  const trend: number = stats.usage_trend;
  const rss: number = stats.rss;
  void trend, rss;
});
leakscope.on('leak', (leak) => {
  const rate: number = leak.rate_bytes_per_hour;
  const basis: 'early' | 'full-window' = leak.basis;
  void rate, basis;
});
leakscope.on('snapshot', (info) => console.log(info.path, info.trigger, info.bytes));

const stats: leakscope.Stats = leakscope.gc();
const written: string | false = leakscope.writeSnapshot('/tmp/x.heapsnapshot', (err, file) => {
  if (err) throw err;
  console.log(file);
});
const diff = new leakscope.HeapDiff({retained: false});
const result: leakscope.HeapDiffResult = diff.end();
const grown: string | undefined = result.change.top_growth?.path;
const text: string = leakscope.metrics({labels: {thread: '0'}});
const counters: leakscope.Counters = leakscope.counters();
const thread: number = leakscope.threadId;

const ok: boolean = heapdump.writeSnapshot('/tmp/y.heapsnapshot', (err, file) => {
  if (err) console.error(err.code);
  console.log(file);
});
heapdump.writeSnapshot((err) => void err);

memwatch.on('stats', (s: memwatch.Stats) => console.log(s.current_base, s.estimated_base));
memwatch.on('leak', (l: memwatch.Leak) => console.log(l.reason, l.growth));
const nothing: void = memwatch.gc();
const hd = new memwatch.HeapDiff();
const change = hd.end().change;
const details: memwatch.HeapDiffDetail[] = change.details;

void [signal, limit, stats, written, grown, text, counters, thread, ok, nothing, details];
