// require('leakscope/memwatch'): memwatch 0.2.2's API (see lib/memwatch.js).
import { EventEmitter } from 'events';

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
  interface HeapDiffSide {
    nodes: number;
    time: Date;
    size_bytes: number;
    size: string;
  }
  interface HeapDiffDetail {
    /** memwatch's class: a constructor name, or String, Array, Closure, Code, RegExp, Number, Native. */
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
      details: HeapDiffDetail[];
    };
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

declare const instance: Memwatch;
export = instance;
