// Renders the native verdict (`leakscope native`, `watch --native`): the allocation sites whose
// live bytes grow, fastest first, as text or JSON (stacks, frames, series, verdict).
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "native/native_leaks.h"

namespace leakscope::native {

// "from deflateInit2_ ← node::ZlibContext::Init ← … ← JS createGunzip (app.js:12:7)", made safe.
std::string site_line(const NativeSite& site);
// A demangled name without its argument list: "node::ZlibContext::Init".
std::string short_name(const std::string& name);
// The threadpool note for a site, or "".
std::string threadpool_note(const NativeSite& site);
void render_native_text(const NativeAnalysis& a, std::FILE* out, bool full);
nlohmann::json native_json(const NativeAnalysis& a);

}  // namespace leakscope::native
