// require('leakscope/memwatch'): memwatch 0.2.2's API (see lib/memwatch.js).
import { EventEmitter } from 'events';
import leakscope = require('./index');

declare namespace memwatch {
  interface Stats {
    num_full_gc: number;
    num_inc_gc: number;
    heap_compactions: number;
    usage_trend: number;
    estimated_base: number;
    current_base: number;
    min: number;
    max: number;
  }
  interface Leak {
    start: Date;
    end: Date;
    growth: number;
    reason: string;
  }
  type HeapDiffSide = leakscope.HeapDiffSide;
  /** `what`: memwatch's class, a constructor name or String, Array, Closure, Code, RegExp, Number, Native. */
  type HeapDiffDetail = leakscope.HeapDiffDetail;
  /** memwatch's fields only: no freed/allocated sizes, retained sizes, path or timing. */
  interface HeapDiffResult {
    before: HeapDiffSide;
    after: HeapDiffSide;
    change: Pick<leakscope.HeapDiffResult['change'], 'size_bytes' | 'size' | 'freed_nodes' | 'allocated_nodes' | 'details'>;
  }
  interface HeapDiff {
    /** Throws when called a second time. */
    end(): HeapDiffResult;
  }
}

declare class Memwatch extends EventEmitter {
  on(event: 'stats', listener: (stats: memwatch.Stats) => void): this;
  on(event: 'leak', listener: (leak: memwatch.Leak) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'stats', listener: (stats: memwatch.Stats) => void): this;
  once(event: 'leak', listener: (leak: memwatch.Leak) => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Runs one full GC; the `stats` event follows. */
  gc(): void;
  HeapDiff: new () => memwatch.HeapDiff;
}

// Named as the namespace, so that consumers reach its types: memwatch.Stats, memwatch.Leak, ...
declare const memwatch: Memwatch;
export = memwatch;
