// Type declarations for leakscope's agent: `const leakscope = require('leakscope')`.
// The module is an EventEmitter (like memwatch) with heapdump's writeSnapshot on top.
import { EventEmitter } from 'events';

declare namespace leakscope {
  /** memwatch's `stats`, with correct arithmetic, plus GC and memory figures. Sizes in bytes. */
  interface Stats {
    /** Full (mark-compact) GCs of this isolate since the agent loaded, this one included. */
    num_full_gc: number;
    /** All other GCs: scavenges, minor mark-compacts, incremental-marking steps, weak callbacks. */
    num_inc_gc: number;
    /** Equal to num_full_gc, as in memwatch on every Node since 0.8. */
    heap_compactions: number;
    /** used_heap_size right after this full GC. */
    current_base: number;
    /** The "recent" average of current_base (mean of up to 10 full GCs, then an EMA, alpha 0.1). */
    estimated_base: number;
    /** (recent - ancient) / ancient in percent, 1 decimal; negative when the heap shrinks. */
    usage_trend: number;
    /** Smallest / largest current_base from the 3rd full GC on (0 before). */
    min: number;
    max: number;
    gc_type: 'MarkSweepCompact';
    /** V8's GCCallbackFlags of this GC (4 = forced, e.g. by gc()). */
    gc_flags: number;
    /** Wall time of this GC, outermost prologue to epilogue (nested GCs included once). */
    gc_duration_ms: number;
    used_heap_size: number;
    total_heap_size: number;
    heap_size_limit: number;
    /** V8's external_memory: memory held outside the heap by JS objects (Buffers included). */
    external_memory: number;
    /** process.memoryUsage().arrayBuffers when the event is delivered. */
    array_buffers: number;
    /** Resident set size of the whole process at this GC. */
    rss: number;
    /** Wall clock of this GC, ms since the epoch. */
    timestamp: number;
  }

  /** memwatch's `leak` payload plus the trend detector's figures. */
  interface Leak {
    start: Date;
    end: Date;
    /** Bytes the post-GC baseline grew over the judged window (the fitted line). */
    growth: number;
    /** e.g. 'heap growth over 7 consecutive GCs (1m 20s) - 11.67 mb/hr' */
    reason: string;
    rate_bytes_per_hour: number;
    /** Confidence interval of the rate at the configured confidence. */
    rate_ci_bytes_per_hour: [number, number];
    /** 1 - the Mann-Kendall p-value (autocorrelation-corrected). */
    confidence: number;
    /** Full GCs judged. */
    samples: number;
    duration_ms: number;
    /** 'early': strong, large growth that goes on, called before minDurationMs / minPoints;
     *  'full-window': judged over the full window. */
    basis: 'early' | 'full-window';
    /** The shared leak rule's explanation: growth, its size against the (noise-raised) floor,
     *  the confidence. */
    why: string;
  }

  type SnapshotTrigger = 'manual' | 'signal' | 'timer' | 'heap-used' | 'rss' | 'near-heap-limit' | 'leak';

  interface SnapshotInfo {
    path: string;
    trigger: SnapshotTrigger;
    bytes: number;
    nodes: number;
    duration_ms: number;
    /** When the write started (ms since the epoch): the clock the rate limit counts on. */
    started_at: number;
  }

  interface SnapshotSkipped {
    trigger: SnapshotTrigger;
    reason: 'max-count' | 'min-interval' | 'disk' | 'memory' | 'bad-dir';
  }

  /**
   * configure() checks every field before it applies any: a wrong type throws a TypeError, a
   * number out of its range (negative, NaN, Infinity, too large, a fraction where an integer is
   * needed) a RangeError; the message names the field and nothing changes. An unknown field
   * throws a TypeError; a field set to undefined counts as not given.
   * Durations (…Ms): [0, 2147483647] ms, Node's timer limit (2^31-1, about 24.8 days).
   * Byte sizes (…Bytes, minRateBytesPerHour): [0, 2^64].
   */
  interface LeakOptions {
    /** The judged window must span at least this long (default 120000). */
    minDurationMs?: number;
    /** ... and hold at least this many full GCs (default 8; integer in [3, 1e6], at most maxSamples; RangeError otherwise). */
    minPoints?: number;
    /** Full GCs this soon after the agent loaded are ignored (default 30000). */
    warmupMs?: number;
    /** Growth over the window must exceed max(minGrowthBytes, minGrowthFraction x level). */
    minGrowthBytes?: number;
    /** [0, 2^53] (default 0.05). */
    minGrowthFraction?: number;
    minRateBytesPerHour?: number;
    /** Two-sided confidence of the test and the interval, in (0, 1) (default 0.95). */
    confidence?: number;
    /** Only the latest windowMs (default 3600000) and maxSamples (default 300; integer in [3, 1e6], at least minPoints; RangeError otherwise) are judged. */
    windowMs?: number;
    maxSamples?: number;
  }

  interface Options {
    /** Directory for triggered snapshots (default '.'; a non-empty string). */
    dir?: string;
    /** Signal that writes a snapshot (default 'SIGUSR2'; false, null, 'off' or 'none' for none). Main thread only. */
    signal?: NodeJS.Signals | false | null | 'off' | 'none';
    /** Write a snapshot every intervalMs (0 = off; at most 2147483647). */
    intervalMs?: number;
    /** Snapshot when used heap / RSS reaches this many bytes (0 = off). */
    heapUsedBytes?: number;
    rssBytes?: number;
    /** How often thresholds are polled besides after each full GC (default 5000 ms; 0 = not polled). */
    pollMs?: number;
    /** Up to this many snapshots near the heap limit (true = 1, 0/false = off; integer in [0, 2147483647]). */
    nearHeapLimit?: number | boolean;
    /** Write a snapshot on each `leak` event (a boolean). */
    onLeak?: boolean;
    /** Rate limits shared by all triggers (defaults 60000 ms and 5; maxCount an integer in [0, 2147483647]). */
    minIntervalMs?: number;
    maxCount?: number;
    /** Free disk needed: used heap x diskFactor + minFreeDiskBytes (defaults 3 and 64 MiB; factor in [0, 2^53]). */
    diskFactor?: number;
    minFreeDiskBytes?: number;
    /** Available memory needed: used heap x memoryFactor (default 25; in [0, 2^53]). */
    memoryFactor?: number;
    leak?: LeakOptions;
  }

  interface EffectiveOptions extends Required<Omit<Options, 'leak' | 'nearHeapLimit' | 'signal'>> {
    signal: NodeJS.Signals | false;
    nearHeapLimit: number;
    leak: Required<LeakOptions>;
  }

  interface HeapDiffSide {
    nodes: number;
    size_bytes: number;
    size: string;
    time: Date;
  }

  interface HeapDiffDetail {
    what: string;
    size_bytes: number;
    size: string;
    '+': number;
    '-': number;
  }

  interface HeapDiffResult {
    before: HeapDiffSide;
    after: HeapDiffSide;
    change: {
      size_bytes: number;
      size: string;
      freed_nodes: number;
      allocated_nodes: number;
      freed_size_bytes: number;
      allocated_size_bytes: number;
      details: HeapDiffDetail[];
      /** Per-class retained sizes (DevTools' Summary "Retained Size") that changed, largest growth first; absent with {retained: false}. */
      retained?: { what: string; before_bytes: number; after_bytes: number; size_bytes: number; size: string }[];
      /** The class that grew most by size, with the shortest strong path to its nearest new instance. */
      top_growth?: {
        what: string;
        size_bytes: number;
        size: string;
        '+': number;
        /** Root first; edge_type is V8's ('property', 'element', 'context', 'internal', 'shortcut', ...). */
        retainers: { edge: string; edge_type: string; what: string; id: number }[];
        /** e.g. 'global -> .app Object -> .sessions Map -> .table (array) -> .3513 Session' */
        path: string;
      };
    };
    timing: {
      /** The constructor's phases. */
      before: HeapDiffPhaseTiming;
      /** end()'s phases. */
      after: HeapDiffPhaseTiming;
      /** Time V8 spent in TakeHeapSnapshot, both snapshots together. */
      v8_snapshot_ms: number;
      /** Bytes kept between the constructor and end() (the compact id/class table). */
      kept_bytes: number;
    };
  }

  /** Wall time of each phase of one side of a HeapDiff, in milliseconds. */
  interface HeapDiffPhaseTiming {
    /** V8's TakeHeapSnapshot. */
    snapshot_ms: number;
    /** Walking V8's snapshot graph into leakscope's. */
    read_ms: number;
    /** Classes, sizes and dominators, on a worker thread. */
    analyze_ms: number;
    /** Of analyze_ms, the dominator tree and per-class retained sizes. */
    retained_ms: number;
    /** end() only: the distances (beside analyze_ms), the comparison and the top growing class's path. */
    compare_ms: number;
    /** V8 deleting its snapshot. */
    release_ms: number;
  }

  interface HeapDiff {
    /** Takes the second snapshot and compares; throws if called twice. */
    end(): HeapDiffResult;
  }

  interface HeapDiffOptions {
    /** Per-class retained sizes on both sides (one dominator tree per snapshot). Default true. */
    retained?: boolean;
  }

  interface HeapDiffConstructor {
    /** Takes the first snapshot now and keeps only its compact id/class table. */
    new (options?: HeapDiffOptions): HeapDiff;
  }

  interface GcKindCounters {
    kind: 'minor' | 'minor_mark_compact' | 'major' | 'incremental' | 'weakcb';
    count: number;
    seconds: number;
    max_seconds: number;
    buckets: number[];
  }

  interface Counters {
    buckets: number[];
    kinds: GcKindCounters[];
    num_full_gc: number;
    num_inc_gc: number;
    nested_gcs: number;
    dropped_events: number;
    last?: Omit<Stats, 'array_buffers'>;
  }

  interface MetricsOptions {
    /** Labels added to every sample, e.g. {thread: '1'} in a worker. */
    labels?: Record<string, string>;
  }

  /** The part of prom-client's Registry that registerMetrics() uses. */
  interface RegistryLike {
    registerMetric(metric: any): void;
  }
}

interface LeakScope extends EventEmitter {
  on(event: 'stats', listener: (stats: leakscope.Stats) => void): this;
  on(event: 'leak', listener: (leak: leakscope.Leak) => void): this;
  on(event: 'snapshot', listener: (info: leakscope.SnapshotInfo) => void): this;
  on(event: 'snapshot-skipped', listener: (info: leakscope.SnapshotSkipped) => void): this;
  on(event: 'error', listener: (err: Error & { code?: string; trigger?: string; path?: string }) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'stats', listener: (stats: leakscope.Stats) => void): this;
  once(event: 'leak', listener: (leak: leakscope.Leak) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;

  /** Runs exactly one full GC and returns its stats (the `stats` event follows as usual). */
  gc(): leakscope.Stats;
  /**
   * heapdump's writeSnapshot: synchronous; the callback runs before it returns. Without a path,
   * heapdump-<sec>.<usec>.heapsnapshot in the current directory. Returns the path, or false.
   * A regular file or a character device only: a FIFO or socket fails at once with code ENXIO.
   */
  writeSnapshot(path?: string, callback?: (err: Error | null, path?: string) => void): string | false;
  writeSnapshot(callback: (err: Error | null, path?: string) => void): string | false;
  configure(options?: leakscope.Options): leakscope.EffectiveOptions;
  /** Prometheus text exposition (format 0.0.4) of this isolate's figures. */
  metrics(options?: leakscope.MetricsOptions): string;
  /** Adds the same figures to a prom-client Registry. */
  registerMetrics(registry: leakscope.RegistryLike, options?: leakscope.MetricsOptions): object[];
  counters(): leakscope.Counters;
  HeapDiff: leakscope.HeapDiffConstructor;
  /** worker_threads.threadId of the isolate this instance belongs to. */
  readonly threadId: number;
}

declare const leakscope: LeakScope;
export = leakscope;
