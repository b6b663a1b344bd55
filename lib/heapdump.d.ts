// require('leakscope/heapdump'): heapdump 0.3.15's API (see lib/heapdump.js).

/**
 * Writes a heap snapshot synchronously; the callback runs before it returns. Without a string
 * filename: heapdump-<sec>.<usec>.heapsnapshot in the current directory. Returns true on success.
 * On failure the callback gets Error('heapdump write error <CODE>') with `code` set; a FIFO or
 * socket fails at once with ENXIO (heapdump blocked for ever).
 */
export function writeSnapshot(filename?: string, callback?: (err: (Error & { code?: string }) | null, filename?: string) => void): boolean;
export function writeSnapshot(callback: (err: (Error & { code?: string }) | null, filename?: string) => void): boolean;
