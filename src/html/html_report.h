// `leakscope report`: one self-contained HTML file (no network access when opened) from the JSON
// documents of the other commands. The page carries its data as JSON in a
// <script type="application/json"> element (every <, >, &, U+2028 and U+2029 escaped as \u), and
// its script builds the DOM with textContent only, so no string from a snapshot can become markup.
// Charts are uPlot, compiled into the binary at build time (html_assets.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace leakscope::html {

struct ReportInput {
  std::string title;       // e.g. "leakscope run -- node app.js"
  nlohmann::json leaks;    // the `leaks --json` / `attach --json` document, or null
  nlohmann::json watch;    // the `watch --json` document (with "samples"), or null
  nlohmann::json gclog;    // the `gclog --json` document (with "samples"), or null
  nlohmann::json summary;  // the `summary --json` document, or null
  nlohmann::json diff;     // the `diff --json` document, or null
};

struct HtmlOptions {
  // Replace the heap's text (see redact.h: string values, keys, non-identifier names) by its
  // length and a short hash before it is embedded.
  bool redact = false;
};

std::string render_html(const ReportInput& input, const HtmlOptions& options);

}  // namespace leakscope::html
