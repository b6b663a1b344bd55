'use strict';
// The addon's test and benchmark hooks (src/addon/internal_methods.h), for tests/js and bench/
// only: they switch off what the agent relies on or cost a full heap snapshot, so they are not on
// require('leakscope') and the package's exports do not reach this file. Load it by path.
//   setGcHooks(enabled)                 the V8 GC callbacks on or off (bench/agent-gc-hook-ab.js)
//   v8SnapshotBaseline()                -> {take_ms, release_ms} of V8 alone (bench/agent-heapdiff.js)
//   checkSnapshotReader(publicApiOnly)  HeapDiff's reader against the file reader (agent-reader)

module.exports = require('./core').binding.internal;
