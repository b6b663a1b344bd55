// The Node binding: one Binding per isolate (Node-API instance data), so the addon loads in the
// main thread, in workers, or both, and each isolate sees only its own GCs and events.
//
// Threading: V8 calls the GC callbacks on the isolate's own thread, inside the GC, where no JS
// may run. They only append to `events_` and poke a thread-safe function, whose call_js runs
// later on this isolate's loop and hands the events to lib/index.js.
#include <napi.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <uv.h>
#include <v8.h>

#include "addon/full_gc.h"
#include "addon/gc_monitor.h"
#include "addon/heap_capture.h"
#include "addon/leak_watch.h"
#include "addon/reader_check.h"
#include "addon/snapshot_file.h"
#include "addon/v8_snapshot.h"
#include "report/json_output.h"
#include "report/memwatch_heap_diff.h"
#include "report/series_format.h"

namespace leakscope::addon {
namespace {

enum class EventKind { kStats, kLeak, kSnapshot, kSnapshotError };

struct Event {
  EventKind kind = EventKind::kStats;
  FullGcStats stats;
  std::string path;
  std::string trigger;
  SnapshotWriteResult write;
  LeakEvent leak;
};

// Bounded so a blocked loop under a GC storm cannot grow memory without limit.
constexpr size_t kMaxQueuedEvents = 4096;

Napi::Object stats_to_js(Napi::Env env, const FullGcStats& s) {
  Napi::Object o = Napi::Object::New(env);
  auto num = [&](const char* key, double v) { o.Set(key, Napi::Number::New(env, v)); };
  auto u64 = [&](const char* key, uint64_t v) { num(key, static_cast<double>(v)); };
  u64("num_full_gc", s.num_full_gc);
  u64("num_inc_gc", s.num_inc_gc);
  u64("heap_compactions", s.heap_compactions);
  u64("current_base", s.base.current_base);
  u64("estimated_base", s.base.estimated_base);
  num("usage_trend", s.base.usage_trend);
  u64("min", s.base.min);
  u64("max", s.base.max);
  o.Set("gc_type", Napi::String::New(env, "MarkSweepCompact"));
  u64("gc_flags", s.gc_flags);
  num("gc_duration_ms", s.gc_duration_ms);
  u64("used_heap_size", s.used_heap_size);
  u64("total_heap_size", s.total_heap_size);
  u64("heap_size_limit", s.heap_size_limit);
  u64("external_memory", s.external_memory);
  u64("rss", s.rss);
  num("timestamp", s.timestamp_ms);
  return o;
}

Napi::Object write_to_js(Napi::Env env, const std::string& path, const SnapshotWriteResult& w) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", Napi::String::New(env, path));
  o.Set("bytes", Napi::Number::New(env, static_cast<double>(w.bytes)));
  o.Set("nodes", Napi::Number::New(env, static_cast<double>(w.nodes)));
  o.Set("duration_ms", Napi::Number::New(env, w.duration_ms));
  if (w.error != 0) {
    o.Set("errno", Napi::Number::New(env, w.error));
    o.Set("syscall", Napi::String::New(env, w.syscall));
    o.Set("message", Napi::String::New(
                         env, w.refused.empty() ? std::string(std::strerror(w.error)) : w.refused));
  }
  return o;
}

Napi::Object leak_to_js(Napi::Env env, const LeakEvent& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("start", Napi::Number::New(env, e.start_ms));
  o.Set("end", Napi::Number::New(env, e.end_ms));
  o.Set("growth", Napi::Number::New(env, std::round(e.growth)));
  o.Set("reason", Napi::String::New(env, e.reason));
  o.Set("rate_bytes_per_hour", Napi::Number::New(env, std::round(e.rate_bytes_per_hour)));
  Napi::Array ci = Napi::Array::New(env, 2);
  ci.Set(0u, Napi::Number::New(env, std::round(e.rate_low_per_hour)));
  ci.Set(1u, Napi::Number::New(env, std::round(e.rate_high_per_hour)));
  o.Set("rate_ci_bytes_per_hour", ci);
  o.Set("confidence", Napi::Number::New(env, e.confidence));
  o.Set("samples", Napi::Number::New(env, static_cast<double>(e.samples)));
  o.Set("duration_ms", Napi::Number::New(env, e.duration_s * 1000.0));
  o.Set("basis", Napi::String::New(env, e.basis));
  o.Set("why", Napi::String::New(env, e.why));
  return o;
}

class Binding : public Napi::Addon<Binding> {
 public:
  Binding(Napi::Env env, Napi::Object exports)
      : isolate_(v8::Isolate::GetCurrent()), gc_(isolate_) {
    DefineAddon(exports,
                {
                    InstanceMethod("start", &Binding::start),
                    InstanceMethod("gc", &Binding::gc),
                    InstanceMethod("counters", &Binding::counters),
                    InstanceMethod("heapStatistics", &Binding::heap_statistics),
                    InstanceMethod("writeSnapshot", &Binding::write_snapshot),
                    InstanceMethod("setNearHeapLimit", &Binding::set_near_heap_limit),
                    InstanceMethod("setLeakOptions", &Binding::set_leak_options),
                    InstanceMethod("leakState", &Binding::leak_state),
                    InstanceMethod("heapDiffCapture", &Binding::heap_diff_capture),
                    InstanceMethod("setGcHooks", &Binding::set_gc_hooks),
                    InstanceMethod("heapDiffEnd", &Binding::heap_diff_end),
                    InstanceMethod("v8SnapshotBaseline", &Binding::v8_snapshot_baseline),
                    InstanceMethod("checkSnapshotReader", &Binding::check_snapshot_reader_js),
                });
    gc_.on_full_gc = [this](const FullGcStats& s) {
      Event e;
      e.kind = EventKind::kStats;
      e.stats = s;
      const double t_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      leak_.add(t_s, s.timestamp_ms, static_cast<double>(s.base.current_base));
      push(std::move(e));
    };
    gc_.install();
  }

  ~Binding() { shutdown(); }

 private:
  // JS: start(sink). sink(kind, payload) receives every event on this isolate's loop.
  Napi::Value start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (tsfn_ != nullptr) throw Napi::Error::New(env, "leakscope: binding already started");
    if (!info[0].IsFunction())
      throw Napi::TypeError::New(env, "start(sink): sink must be a function");
    napi_value name = Napi::String::New(env, "leakscope:events");
    napi_status st = napi_create_threadsafe_function(env, info[0], nullptr, name, 0, 1, nullptr,
                                                     nullptr, this, &Binding::call_js, &tsfn_);
    if (st != napi_ok) throw Napi::Error::New(env, "leakscope: cannot create the event channel");
    // The agent must never keep a process (or worker) alive by itself.
    napi_unref_threadsafe_function(env, tsfn_);
    // Registered after the thread-safe function, so it runs before Node tears that down: from
    // then on no GC callback can touch it.
    napi_add_env_cleanup_hook(env, &Binding::on_env_cleanup, this);
    cleanup_hook_ = true;
    if (!events_.empty()) notify();
    return env.Undefined();
  }

  static void on_env_cleanup(void* data) {
    auto* self = static_cast<Binding*>(data);
    self->cleanup_hook_ = false;
    self->shutdown();
  }

  void shutdown() {
    shutting_down_ = true;
    gc_.uninstall();
    full_gc_.reset();
    if (near_limit_installed_) {
      isolate_->RemoveNearHeapLimitCallback(&Binding::near_heap_limit, 0);
      near_limit_installed_ = false;
    }
    events_.clear();
  }

  void push(Event e) {
    if (shutting_down_) return;
    if (events_.size() >= kMaxQueuedEvents) {
      events_.pop_front();
      ++dropped_events_;
    }
    events_.push_back(std::move(e));
    notify();
  }

  void notify() {
    if (tsfn_ == nullptr || notify_queued_ || shutting_down_) return;
    if (napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking) == napi_ok) {
      notify_queued_ = true;
    }
  }

  static void call_js(napi_env raw_env, napi_value js_sink, void* context, void*) {
    auto* self = static_cast<Binding*>(context);
    if (raw_env == nullptr || js_sink == nullptr || self->shutting_down_) return;
    self->notify_queued_ = false;
    std::deque<Event> batch;
    batch.swap(self->events_);
    Napi::Env env(raw_env);
    // The C API, not Napi::Function::Call: during teardown calls into JS fail, and a C++
    // exception must not escape this C callback.
    try {
      for (const Event& e : batch) {
        Napi::HandleScope scope(env);
        napi_value args[2];
        switch (e.kind) {
          case EventKind::kStats:
            args[0] = Napi::String::New(env, "stats");
            args[1] = stats_to_js(env, e.stats);
            break;
          case EventKind::kLeak:
            args[0] = Napi::String::New(env, "leak");
            args[1] = leak_to_js(env, e.leak);
            break;
          case EventKind::kSnapshot:
          case EventKind::kSnapshotError: {
            Napi::Object o = write_to_js(env, e.path, e.write);
            o.Set("trigger", Napi::String::New(env, e.trigger));
            args[0] = Napi::String::New(
                env, e.kind == EventKind::kSnapshot ? "snapshot" : "snapshot-error");
            args[1] = o;
            break;
          }
        }
        napi_value ignored;
        // On a throwing listener the exception stays pending and Node reports it as uncaught.
        if (napi_call_function(raw_env, env.Undefined(), js_sink, 2, args, &ignored) != napi_ok) {
          break;
        }
        // The trend is judged here, on the loop, never inside the GC callback.
        if (e.kind == EventKind::kStats) {
          if (auto leak = self->leak_.evaluate()) {
            napi_value leak_args[2] = {Napi::String::New(env, "leak"), leak_to_js(env, *leak)};
            if (napi_call_function(raw_env, env.Undefined(), js_sink, 2, leak_args, &ignored) !=
                napi_ok) {
              break;
            }
          }
        }
      }
    } catch (const Napi::Error&) {
      // The environment is going away; the events are of no use to anyone now.
    }
  }

  // JS: gc([gc_function_name]) -> stats of the one full GC it ran (full_gc.h: never through the
  // --expose-gc flag).
  Napi::Value gc(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const uint64_t before = gc_.num_full_gc();
    const std::string name =
        info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "gc";
    if (!full_gc_.run(name))
      throw Napi::Error::New(env,
                             "leakscope.gc(): cannot tell V8's gc extension function in its "
                             "context (none, or several unknown ones) to run a full GC");
    if (gc_.num_full_gc() == before)
      throw Napi::Error::New(env, "leakscope.gc(): V8 ran no full GC");
    return stats_to_js(env, gc_.last());
  }

  Napi::Value counters(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    Napi::Array bounds = Napi::Array::New(env, kGcBuckets.size());
    for (uint32_t i = 0; i < kGcBuckets.size(); ++i)
      bounds.Set(i, Napi::Number::New(env, kGcBuckets[i]));
    o.Set("buckets", bounds);
    Napi::Array kinds = Napi::Array::New(env, kGcKindCount);
    for (int k = 0; k < kGcKindCount; ++k) {
      const GcKindStats& s = gc_.kinds()[static_cast<size_t>(k)];
      Napi::Object ko = Napi::Object::New(env);
      ko.Set("kind", Napi::String::New(env, std::string(gc_kind_label(k))));
      ko.Set("count", Napi::Number::New(env, static_cast<double>(s.count)));
      ko.Set("seconds", Napi::Number::New(env, s.seconds));
      ko.Set("max_seconds", Napi::Number::New(env, s.max_seconds));
      Napi::Array b = Napi::Array::New(env, s.buckets.size());
      for (uint32_t i = 0; i < s.buckets.size(); ++i)
        b.Set(i, Napi::Number::New(env, static_cast<double>(s.buckets[i])));
      ko.Set("buckets", b);
      kinds.Set(static_cast<uint32_t>(k), ko);
    }
    o.Set("kinds", kinds);
    o.Set("num_full_gc", Napi::Number::New(env, static_cast<double>(gc_.num_full_gc())));
    o.Set("num_inc_gc", Napi::Number::New(env, static_cast<double>(gc_.num_inc_gc())));
    o.Set("nested_gcs", Napi::Number::New(env, static_cast<double>(gc_.nested_gcs())));
    o.Set("dropped_events", Napi::Number::New(env, static_cast<double>(dropped_events_)));
    if (gc_.has_last()) o.Set("last", stats_to_js(env, gc_.last()));
    return o;
  }

  Napi::Value heap_statistics(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    v8::HeapStatistics h;
    isolate_->GetHeapStatistics(&h);
    Napi::Object o = Napi::Object::New(env);
    auto set = [&](const char* k, size_t v) {
      o.Set(k, Napi::Number::New(env, static_cast<double>(v)));
    };
    set("used_heap_size", h.used_heap_size());
    set("total_heap_size", h.total_heap_size());
    set("heap_size_limit", h.heap_size_limit());
    set("external_memory", h.external_memory());
    set("malloced_memory", h.malloced_memory());
    set("number_of_detached_contexts", h.number_of_detached_contexts());
    return o;
  }

  // JS: writeSnapshot(path) -> {path, bytes, nodes, duration_ms[, errno, syscall, message]}.
  Napi::Value write_snapshot(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString())
      throw Napi::TypeError::New(env, "writeSnapshot(path): path must be a string");
    const std::string path = info[0].As<Napi::String>().Utf8Value();
    return write_to_js(env, path, write_heap_snapshot(isolate_, path));
  }

  // JS: setNearHeapLimit(count, directory, prefix). Up to `count` snapshots are written from
  // V8's near-heap-limit callback, synchronously (the heap may not survive until the loop runs).
  Napi::Value set_near_heap_limit(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    near_limit_remaining_ = info[0].ToNumber().Int64Value();
    near_limit_dir_ =
        info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : ".";
    if (near_limit_remaining_ > 0 && !near_limit_installed_) {
      isolate_->AddNearHeapLimitCallback(&Binding::near_heap_limit, this);
      near_limit_installed_ = true;
    } else if (near_limit_remaining_ <= 0 && near_limit_installed_) {
      isolate_->RemoveNearHeapLimitCallback(&Binding::near_heap_limit, 0);
      near_limit_installed_ = false;
    }
    return env.Undefined();
  }

  static size_t near_heap_limit(void* data, size_t current_limit, size_t initial_limit) {
    auto* self = static_cast<Binding*>(data);
    if (self->near_limit_remaining_ <= 0 || self->near_limit_pending_ || self->shutting_down_) {
      return current_limit;
    }
    --self->near_limit_remaining_;
    self->near_limit_pending_ = true;
    // Not here: a snapshot starts with a full GC, and a GC inside this callback, under the old
    // limit, is fatal. Raise the limit (room for the snapshot and a little more of the app, as
    // Node's --heapsnapshot-near-heap-limit does) and take it at the next interrupt check.
    self->isolate_->RequestInterrupt(&Binding::near_limit_interrupt, self);
    // V8 calls only the latest callback: step aside until the snapshot is written, so the one
    // underneath (a worker's graceful ERR_WORKER_OUT_OF_MEMORY) still works.
    self->isolate_->RemoveNearHeapLimitCallback(&Binding::near_heap_limit, 0);
    self->near_limit_installed_ = false;
    return current_limit + std::max(initial_limit / 2, size_t{32} << 20);
  }

  static void near_limit_interrupt(v8::Isolate*, void* data) {
    auto* self = static_cast<Binding*>(data);
    if (self->shutting_down_) return;
    uv_timeval64_t now{};
    uv_gettimeofday(&now);
    const std::string path = self->near_limit_dir_ + "/heapdump-" + std::to_string(now.tv_sec) +
                             "." + std::to_string(now.tv_usec) + ".heapsnapshot";
    Event e;
    e.path = path;
    e.trigger = "near-heap-limit";
    e.write = write_heap_snapshot(self->isolate_, path);
    e.kind = e.write.error == 0 ? EventKind::kSnapshot : EventKind::kSnapshotError;
    self->push(std::move(e));
    self->near_limit_pending_ = false;
    if (self->near_limit_remaining_ > 0 && !self->near_limit_installed_) {
      self->isolate_->AddNearHeapLimitCallback(&Binding::near_heap_limit, self);
      self->near_limit_installed_ = true;
    }
  }

  // JS: setLeakOptions({minDurationMs, minPoints, warmupMs, minGrowthBytes, minGrowthFraction,
  // minRateBytesPerHour, confidence, windowMs, maxSamples}); absent keys keep their value.
  Napi::Value set_leak_options(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject())
      throw Napi::TypeError::New(env, "setLeakOptions(options): options must be an object");
    Napi::Object o = info[0].As<Napi::Object>();
    LeakOptions opt = leak_.options();
    auto read = [&](const char* key, double scale, auto& field) {
      if (!o.Has(key)) return;
      const double v = o.Get(key).ToNumber().DoubleValue();
      if (!std::isfinite(v) || v < 0)
        throw Napi::RangeError::New(env, std::string("leak.") + key + " must be a number >= 0");
      field = static_cast<std::remove_reference_t<decltype(field)>>(v * scale);
    };
    read("minDurationMs", 1, opt.min_duration_ms);
    read("minPoints", 1, opt.min_points);
    read("warmupMs", 1, opt.warmup_ms);
    read("minGrowthBytes", 1, opt.min_growth_bytes);
    read("minGrowthFraction", 1, opt.min_growth_fraction);
    read("minRateBytesPerHour", 1, opt.min_rate_per_hour);
    read("confidence", 1, opt.confidence);
    read("windowMs", 1, opt.window_ms);
    read("maxSamples", 1, opt.max_samples);
    if (opt.confidence <= 0 || opt.confidence >= 1)
      throw Napi::RangeError::New(env, "leak.confidence must be in (0, 1)");
    // lib/options.js says so first, naming the field; never silently raised.
    if (opt.min_points < 3) throw Napi::RangeError::New(env, "leak.minPoints must be at least 3");
    if (opt.max_samples < opt.min_points)
      throw Napi::RangeError::New(env, "leak.maxSamples must be at least leak.minPoints");
    leak_.set_options(opt);
    return leak_state(info);
  }

  Napi::Value leak_state(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const LeakOptions& opt = leak_.options();
    Napi::Object o = Napi::Object::New(env);
    o.Set("detected", Napi::Boolean::New(env, leak_.leaking()));
    o.Set("rate_bytes_per_hour", Napi::Number::New(env, std::round(leak_.last_rate_per_hour())));
    o.Set("samples", Napi::Number::New(env, static_cast<double>(leak_.sample_count())));
    const series::TrendResult& r = leak_.last_result();
    Napi::Object last = Napi::Object::New(env);
    last.Set("verdict", Napi::String::New(env, std::string(series::verdict_name(r.verdict))));
    last.Set("reason",
             Napi::String::New(env, std::string(series::inconclusive_reason_name(r.reason))));
    last.Set("rate_bytes_per_hour", Napi::Number::New(env, r.rate_per_hour));
    last.Set("p_value", Napi::Number::New(env, r.p_value));
    last.Set("growth", Napi::Number::New(env, r.growth));
    last.Set("growth_floor", Napi::Number::New(env, r.growth_floor));
    last.Set("window_ms", Napi::Number::New(env, r.window_s() * 1000.0));
    last.Set("points_judged", Napi::Number::New(env, static_cast<double>(r.points_judged)));
    last.Set("warmup_discarded_ms", Napi::Number::New(env, r.warmup_discarded_s * 1000.0));
    last.Set("basis", Napi::String::New(env, std::string(series::basis_name(r.basis))));
    last.Set("confidence", Napi::Number::New(env, r.confidence));
    last.Set("noise", Napi::Number::New(env, r.noise));
    last.Set("level_shift", Napi::Number::New(env, r.level_shift));
    last.Set("why", Napi::String::New(env, report::trend_reason(r, true, "full GCs")));
    o.Set("last", last);
    Napi::Object c = Napi::Object::New(env);
    c.Set("minDurationMs", Napi::Number::New(env, opt.min_duration_ms));
    c.Set("minPoints", Napi::Number::New(env, static_cast<double>(opt.min_points)));
    c.Set("warmupMs", Napi::Number::New(env, opt.warmup_ms));
    c.Set("minGrowthBytes", Napi::Number::New(env, opt.min_growth_bytes));
    c.Set("minGrowthFraction", Napi::Number::New(env, opt.min_growth_fraction));
    c.Set("minRateBytesPerHour", Napi::Number::New(env, opt.min_rate_per_hour));
    c.Set("confidence", Napi::Number::New(env, opt.confidence));
    c.Set("windowMs", Napi::Number::New(env, opt.window_ms));
    c.Set("maxSamples", Napi::Number::New(env, static_cast<double>(opt.max_samples)));
    o.Set("options", c);
    return o;
  }

  // JS: setGcHooks(enabled). For the overhead benchmark: the same process with and without the
  // V8 callbacks, segment by segment. GCs while disabled are not counted.
  Napi::Value set_gc_hooks(const Napi::CallbackInfo& info) {
    if (info[0].ToBoolean().Value()) {
      gc_.install();
    } else {
      gc_.uninstall();
    }
    return info.Env().Undefined();
  }

  // JS: heapDiffCapture(retained, memwatch_names) -> {table: opaque handle on the first snapshot's
  // id/class table (finished on a worker thread), nodes, table_bytes, timing}.
  Napi::Value heap_diff_capture(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    PendingTable* table = nullptr;
    try {
      const bool with_retained = info.Length() > 0 && info[0].ToBoolean().Value();
      const bool memwatch = info.Length() > 1 && info[1].ToBoolean().Value();
      table = new PendingTable(
          capture_id_class_table(isolate_, with_retained && !memwatch,
                                 memwatch ? DiffNaming::kMemwatch : DiffNaming::kDevTools));
    } catch (const std::exception& e) {
      throw Napi::Error::New(
          env, std::string("leakscope.HeapDiff: cannot read the heap snapshot: ") + e.what());
    }
    // What the table will hold (id, class, size per node), so GC heuristics see it; given back
    // in the finalizer.
    const auto bytes = static_cast<int64_t>(table->node_count() * 16);
    Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
    Napi::Object o = Napi::Object::New(env);
    o.Set("table", Napi::External<PendingTable>::New(
                       env, table, [bytes](Napi::Env fin_env, PendingTable* t) {
                         delete t;
                         Napi::MemoryManagement::AdjustExternalMemory(fin_env, -bytes);
                       }));
    o.Set("nodes", Napi::Number::New(env, static_cast<double>(table->node_count())));
    return o;
  }

  // JS: heapDiffEnd(before.table) -> {json, before_timing, timing, table_bytes}: takes the second
  // snapshot, compares, and finds the top growing class's retaining path.
  Napi::Value heap_diff_end(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsExternal()) throw Napi::TypeError::New(env, "heapDiffEnd(before)");
    PendingTable* before = info[0].As<Napi::External<PendingTable>>().Data();
    CaptureTimings timings;
    std::string json;
    try {
      const CapturedDiff captured = capture_and_compare(isolate_, *before, &timings);
      json = report::json_text(report::memwatch_heap_diff_json(captured.diff, &captured.top));
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, std::string("leakscope.HeapDiff: ") + e.what());
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("json", Napi::String::New(env, json));
    o.Set("before_timing", timings_to_js(env, before->timings()));
    o.Set("timing", timings_to_js(env, timings));
    o.Set("table_bytes", Napi::Number::New(env, static_cast<double>(before->get().memory_bytes())));
    return o;
  }

  // JS: v8SnapshotBaseline() -> {take_ms, release_ms}: V8 alone taking and deleting a heap
  // snapshot, nothing read; the benchmark's yardstick for HeapDiff.
  Napi::Value v8_snapshot_baseline(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    double take_ms = 0;
    double release_ms = 0;
    try {
      v8::HandleScope scope(isolate_);
      V8Snapshot snapshot(isolate_, &take_ms);
      snapshot.release(&release_ms);
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, std::string("leakscope: ") + e.what());
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("take_ms", Napi::Number::New(env, take_ms));
    o.Set("release_ms", Napi::Number::New(env, release_ms));
    return o;
  }

  // JS: checkSnapshotReader(publicApiOnly) -> the reader_check.h comparison of HeapDiff's
  // in-memory reader with the file reader on one live snapshot.
  Napi::Value check_snapshot_reader_js(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ReaderCheck c;
    try {
      c = check_snapshot_reader(isolate_, info.Length() > 0 && info[0].ToBoolean().Value());
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, std::string("leakscope: ") + e.what());
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("from_records", Napi::Boolean::New(env, c.from_records));
    const std::pair<const char*, uint64_t> counts[] = {
        {"nodes", c.nodes},           {"edges", c.edges},           {"structure", c.structure},
        {"node_names", c.node_names}, {"edge_names", c.edge_names}, {"classes", c.classes},
        {"retained", c.retained},     {"distance", c.distance}};
    for (const auto& [name, value] : counts)
      o.Set(name, Napi::Number::New(env, static_cast<double>(value)));
    Napi::Array examples = Napi::Array::New(env, c.examples.size());
    for (uint32_t i = 0; i < c.examples.size(); ++i) examples[i] = c.examples[i];
    o.Set("examples", examples);
    return o;
  }

  static Napi::Object timings_to_js(Napi::Env env, const CaptureTimings& t) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("snapshot_ms", Napi::Number::New(env, t.snapshot_ms));
    o.Set("read_ms", Napi::Number::New(env, t.read_ms));
    o.Set("analyze_ms", Napi::Number::New(env, t.analyze_ms));
    o.Set("retained_ms", Napi::Number::New(env, t.retained_ms));
    o.Set("compare_ms", Napi::Number::New(env, t.compare_ms));
    o.Set("release_ms", Napi::Number::New(env, t.release_ms));
    return o;
  }

  v8::Isolate* isolate_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  LeakWatch leak_;
  GcMonitor gc_;
  FullGc full_gc_{isolate_};
  napi_threadsafe_function tsfn_ = nullptr;
  bool cleanup_hook_ = false;
  bool notify_queued_ = false;
  bool shutting_down_ = false;
  std::deque<Event> events_;
  uint64_t dropped_events_ = 0;
  int64_t near_limit_remaining_ = 0;
  std::string near_limit_dir_ = ".";
  bool near_limit_installed_ = false;
  bool near_limit_pending_ = false;
};

}  // namespace
}  // namespace leakscope::addon

using LeakscopeBinding = leakscope::addon::Binding;
NODE_API_ADDON(LeakscopeBinding)
