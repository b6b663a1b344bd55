// The library's constructor: reads the LEAKSCOPE_NATIVE_* variables, takes them and itself out of
// the environment (the app's children run unsampled), maps the tables and starts the dumper.
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cstdint>

#include "preload/dumper.h"
#include "preload/profile.h"
#include "preload/real_alloc.h"
#include "preload/sampler.h"

namespace leakscope::preload {

namespace {

constexpr std::uint64_t kDefaultInterval = 524288;
constexpr std::uint64_t kDefaultPeriodMs = 1000;

std::uint64_t env_number(const char* name, std::uint64_t fallback, std::uint64_t least) {
  const char* text = getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  unsigned long long v = strtoull(text, &end, 10);
  if (*end != '\0' || v < least) return fallback;
  return v;
}

// LD_PRELOAD without this library (entries are separated by ':' or spaces).
void remove_self_from_preload() {
  const char* list = getenv("LD_PRELOAD");
  Dl_info info;
  if (list == nullptr || dladdr(reinterpret_cast<void*>(&remove_self_from_preload), &info) == 0 ||
      info.dli_fname == nullptr) {
    return;
  }
  const char* self_base = strrchr(info.dli_fname, '/');
  self_base = self_base ? self_base + 1 : info.dli_fname;
  static char kept[4096];
  std::size_t used = 0;
  for (const char* p = list; *p != '\0';) {
    std::size_t len = strcspn(p, ": ");
    const char* slash = static_cast<const char*>(memrchr(p, '/', len));
    const char* base = slash ? slash + 1 : p;
    std::size_t base_len = len - static_cast<std::size_t>(base - p);
    bool self = base_len == strlen(self_base) && memcmp(base, self_base, base_len) == 0;
    if (len > 0 && !self && used + len + 2 < sizeof kept) {
      if (used > 0) kept[used++] = ':';
      memcpy(kept + used, p, len);
      used += len;
    }
    p += len;
    while (*p == ':' || *p == ' ') ++p;
  }
  kept[used] = '\0';
  if (used == 0) {
    unsetenv("LD_PRELOAD");
  } else {
    setenv("LD_PRELOAD", kept, 1);
  }
}

void child_after_fork() {
  // A forked copy of the app is not the process being profiled; it has no dumper thread either.
  g_active = false;
}

void at_exit() {
  final_dump();
}

__attribute__((constructor)) void start() {
  resolve_real();
  const char* out = getenv("LEAKSCOPE_NATIVE_OUT");
  if (out == nullptr || *out == '\0') return;
  // The constructor's own allocations (setenv, pthread_create) are not the app's.
  t_state.busy = true;
  static char path[4096];
  strncpy(path, out, sizeof path - 1);
  double interval =
      static_cast<double>(env_number("LEAKSCOPE_NATIVE_INTERVAL", kDefaultInterval, 1));
  std::uint64_t period = env_number("LEAKSCOPE_NATIVE_PERIOD_MS", kDefaultPeriodMs, 10);
  unsetenv("LEAKSCOPE_NATIVE_OUT");
  unsetenv("LEAKSCOPE_NATIVE_INTERVAL");
  unsetenv("LEAKSCOPE_NATIVE_PERIOD_MS");
  remove_self_from_preload();
  if (init_profile(interval) && open_output(path)) {
    pthread_atfork(nullptr, nullptr, child_after_fork);
    atexit(at_exit);
    g_active = true;
    start_dumper(period);
  }
  t_state.busy = false;
}

}  // namespace

}  // namespace leakscope::preload
