// Exactly one full GC of an isolate, without V8's process-wide --expose-gc flag.
//
// Isolate::RequestGarbageCollectionForTesting runs one full GC but aborts the process (V8 FATAL
// "Must use --expose-gc") when the flag is off, and the flag is shared by every isolate of the
// process: turning it on just for the call raced with other threads doing the same, and every
// context or worker created meanwhile got a `gc` global. Guessing the flag from
// `typeof globalThis.gc` was wrong too (any script can define a gc global).
//
// Instead, each isolate gets one private context built with V8's own "v8/gc" extension asked for
// by name (v8::ExtensionConfiguration). V8 registers that extension in every process whatever the
// flag says; the flag only decides whether new contexts get it automatically. Its function runs
// Heap::PreciseCollectAllGarbage with kGCCallbackFlagForced, the very GC that
// RequestGarbageCollectionForTesting runs, and since V8 10 (Node 18) it does not check the flag.
// So the flag is never read or written, no other isolate or context can be affected, and there is
// no lock: nothing is shared. The cost is one context per isolate that calls gc(), made on its
// first call: about 140 KB of V8 heap (one more native context in heap snapshots), and 25-85 ms
// on a 2-core machine at load average ~10 (later calls: 5-7 ms, the GC alone).
// Under --expose-gc-as=NAME the function is called NAME (and the flag is on for the process): V8
// names it once per process, from the process's own flags (`--expose-gc-as=` alone means "gc"),
// so a thread's process.execArgv (a worker's may be []) cannot tell the name. The function is
// found instead in the private context itself: V8's builtins are not enumerable, so the global's
// enumerable own functions are the extensions' (`native function NAME();`); those of V8's other
// extensions have fixed names and are left out, and the one left is the gc function. Only if
// several are left (another extension renamed) does the caller's name decide, then "gc"; never a
// guess, since another extension's function may abort the process.
//
// Weighed and not taken: probing the flag's real state (a fresh context gets `gc` only while it
// is on), counting users under one process-wide mutex and turning it off only if we turned it on.
// That fixes the fake-global abort but not the rest: code outside the mutex (the app's own
// v8.setFlagsFromString) can still turn the flag off mid-call and abort, and every context or
// worker made while it is on still gets a `gc` global the app never asked for. Leaving the flag
// on once set would make that permanent. (Such a global does not abort when called after the
// flag is off: the extension's function never checks the flag; the aborts came from
// RequestGarbageCollectionForTesting alone.)
#pragma once

#include <string>

#include <v8.h>

namespace leakscope::addon {

class FullGc {
 public:
  explicit FullGc(v8::Isolate* isolate) : isolate_(isolate) {}
  FullGc(const FullGc&) = delete;
  FullGc& operator=(const FullGc&) = delete;

  // Runs the GC. `hint`: the name this thread's flags give the function (--expose-gc-as=NAME), or
  // empty; used only when the context holds several candidates (above). Returns false (and runs
  // nothing) when no function can be told to be V8's gc; throws nothing. On the isolate's thread
  // only.
  bool run(const std::string& hint);

  // Drops the private context; before the isolate goes away.
  void reset();

 private:
  v8::Local<v8::Function> function(const std::string& hint);

  v8::Isolate* isolate_;
  v8::Global<v8::Context> context_;
  v8::Global<v8::Function> function_;
};

}  // namespace leakscope::addon
