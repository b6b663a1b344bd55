#include "addon/js_values.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "report/series_format.h"

namespace leakscope::addon {

namespace {

// JS numbers are doubles: every count passes through here so the narrowing is said once.
Napi::Number number(Napi::Env env, uint64_t v) {
  return Napi::Number::New(env, static_cast<double>(v));
}

}  // namespace

Napi::Object stats_to_js(Napi::Env env, const FullGcStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("num_full_gc", number(env, s.num_full_gc));
  o.Set("num_inc_gc", number(env, s.num_inc_gc));
  o.Set("heap_compactions", number(env, s.heap_compactions));
  o.Set("current_base", number(env, s.base.current_base));
  o.Set("estimated_base", number(env, s.base.estimated_base));
  o.Set("usage_trend", Napi::Number::New(env, s.base.usage_trend));
  o.Set("min", number(env, s.base.min));
  o.Set("max", number(env, s.base.max));
  // memwatch's field; every stats record is a full GC's.
  o.Set("gc_type", Napi::String::New(env, "MarkSweepCompact"));
  o.Set("gc_flags", number(env, s.gc_flags));
  o.Set("gc_duration_ms", Napi::Number::New(env, s.gc_duration_ms));
  o.Set("used_heap_size", number(env, s.used_heap_size));
  o.Set("total_heap_size", number(env, s.total_heap_size));
  o.Set("heap_size_limit", number(env, s.heap_size_limit));
  o.Set("external_memory", number(env, s.external_memory));
  o.Set("rss", number(env, s.rss));
  o.Set("timestamp", Napi::Number::New(env, s.timestamp_ms));
  return o;
}

Napi::Object counters_to_js(Napi::Env env, const GcMonitor& gc, uint64_t dropped_events) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array bounds = Napi::Array::New(env, kGcBuckets.size());
  for (uint32_t i = 0; i < kGcBuckets.size(); ++i)
    bounds.Set(i, Napi::Number::New(env, kGcBuckets[i]));
  o.Set("buckets", bounds);
  Napi::Array kinds = Napi::Array::New(env, kGcKindCount);
  for (int k = 0; k < kGcKindCount; ++k) {
    const GcKindStats& s = gc.kinds()[static_cast<size_t>(k)];
    Napi::Object ko = Napi::Object::New(env);
    ko.Set("kind", Napi::String::New(env, std::string(gc_kind_label(k))));
    ko.Set("count", number(env, s.count));
    ko.Set("seconds", Napi::Number::New(env, s.seconds));
    ko.Set("max_seconds", Napi::Number::New(env, s.max_seconds));
    Napi::Array b = Napi::Array::New(env, s.buckets.size());
    for (uint32_t i = 0; i < s.buckets.size(); ++i) b.Set(i, number(env, s.buckets[i]));
    ko.Set("buckets", b);
    kinds.Set(static_cast<uint32_t>(k), ko);
  }
  o.Set("kinds", kinds);
  o.Set("num_full_gc", number(env, gc.num_full_gc()));
  o.Set("num_inc_gc", number(env, gc.num_inc_gc()));
  o.Set("nested_gcs", number(env, gc.nested_gcs()));
  o.Set("dropped_events", number(env, dropped_events));
  if (gc.has_last()) o.Set("last", stats_to_js(env, gc.last()));
  return o;
}

Napi::Object heap_statistics_to_js(Napi::Env env, v8::HeapStatistics h) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("used_heap_size", number(env, h.used_heap_size()));
  o.Set("total_heap_size", number(env, h.total_heap_size()));
  o.Set("heap_size_limit", number(env, h.heap_size_limit()));
  o.Set("external_memory", number(env, h.external_memory()));
  o.Set("malloced_memory", number(env, h.malloced_memory()));
  o.Set("number_of_detached_contexts", number(env, h.number_of_detached_contexts()));
  return o;
}

Napi::Object write_to_js(Napi::Env env, const std::string& path, const SnapshotWriteResult& w) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", Napi::String::New(env, path));
  o.Set("bytes", number(env, w.bytes));
  o.Set("nodes", number(env, w.nodes));
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
  o.Set("samples", number(env, e.samples));
  o.Set("duration_ms", Napi::Number::New(env, e.duration_s * 1000.0));
  o.Set("basis", Napi::String::New(env, e.basis));
  o.Set("why", Napi::String::New(env, e.why));
  return o;
}

Napi::Object trend_to_js(Napi::Env env, const series::TrendResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("verdict", Napi::String::New(env, std::string(series::verdict_name(r.verdict))));
  o.Set("reason", Napi::String::New(env, std::string(series::inconclusive_reason_name(r.reason))));
  o.Set("rate_bytes_per_hour", Napi::Number::New(env, r.rate_per_hour));
  o.Set("p_value", Napi::Number::New(env, r.p_value));
  o.Set("growth", Napi::Number::New(env, r.growth));
  o.Set("growth_floor", Napi::Number::New(env, r.growth_floor));
  o.Set("window_ms", Napi::Number::New(env, r.window_s() * 1000.0));
  o.Set("points_judged", Napi::Number::New(env, static_cast<double>(r.points_judged)));
  o.Set("warmup_discarded_ms", Napi::Number::New(env, r.warmup_discarded_s * 1000.0));
  o.Set("basis", Napi::String::New(env, std::string(series::basis_name(r.basis))));
  o.Set("confidence", Napi::Number::New(env, r.confidence));
  o.Set("noise", Napi::Number::New(env, r.noise));
  o.Set("level_shift", Napi::Number::New(env, r.level_shift));
  o.Set("why", Napi::String::New(env, report::trend_reason(r, true, "full GCs")));
  return o;
}

Napi::Object timings_to_js(Napi::Env env, const CaptureTimings& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("snapshot_ms", Napi::Number::New(env, t.snapshot_ms));
  o.Set("read_ms", Napi::Number::New(env, t.read_ms));
  o.Set("analyze_ms", Napi::Number::New(env, t.analyze_ms));
  o.Set("retained_ms", Napi::Number::New(env, t.retained_ms));
  o.Set("compare_ms", Napi::Number::New(env, t.compare_ms));
  o.Set("release_ms", Napi::Number::New(env, t.release_ms));
  return o;
}

Napi::Object reader_check_to_js(Napi::Env env, const ReaderCheck& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("from_records", Napi::Boolean::New(env, c.from_records));
  const std::pair<const char*, uint64_t> counts[] = {
      {"nodes", c.nodes},           {"edges", c.edges},           {"structure", c.structure},
      {"node_names", c.node_names}, {"edge_names", c.edge_names}, {"classes", c.classes},
      {"retained", c.retained},     {"distance", c.distance}};
  for (const auto& [name, value] : counts) o.Set(name, number(env, value));
  Napi::Array examples = Napi::Array::New(env, c.examples.size());
  for (uint32_t i = 0; i < c.examples.size(); ++i) examples[i] = c.examples[i];
  o.Set("examples", examples);
  return o;
}

}  // namespace leakscope::addon
