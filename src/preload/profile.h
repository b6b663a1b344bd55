// The profile: the tables and counters the sampler fills and the dumper writes, under one lock
// (taken only for a sample or the free of a sampled pointer, never on the fast path).
#pragma once

#include <pthread.h>

#include <cstdint>

#include "preload/live_table.h"
#include "preload/stack_table.h"

namespace leakscope::preload {

struct Profile {
  pthread_mutex_t lock;
  StackTable stacks;
  LiveTable live;
  double interval;  // mean bytes between samples
  std::uint64_t sampled_allocs;
  std::uint64_t sampled_frees;
  // Samples lost to a full table (counted, so a reader of this library's code can tell).
  std::uint64_t dropped;
};

extern Profile g_profile;

// Maps the tables; false when the memory is not there (the library then stays passive).
bool init_profile(double interval);

}  // namespace leakscope::preload
