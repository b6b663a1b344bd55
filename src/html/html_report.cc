#include "html/html_report.h"

#include <fmt/core.h>

#include <ctime>
#include <stdexcept>
#include <string_view>

#include "html/html_assets.h"
#include "html/redact.h"
#include "report/json_output.h"

namespace leakscope::html {

std::string embedded_asset(std::string_view name) {
  for (std::size_t i = 0; i < kEmbeddedAssetCount; ++i) {
    const EmbeddedAsset& a = kEmbeddedAssets[i];
    if (name != a.name) continue;
    std::string text;
    for (std::size_t k = 0; k < a.part_count; ++k) text += a.parts[k];
    return text;
  }
  throw std::logic_error(fmt::format("no embedded asset \"{}\" in this build", name));
}

namespace {

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON that is also inert inside <script type="application/json">: no `</script`, no `<!--`, and
// no line separators that older JavaScript parsers take for line ends. `<`, `>` and `&` only ever
// occur inside JSON strings, where \u escapes mean the same.
std::string script_safe_json(const nlohmann::json& data) {
  const std::string text = report::json_text(data);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// A licence inside an HTML comment: "--" may not occur there.
std::string comment_text(std::string text) {
  for (std::size_t p = text.find("--"); p != std::string::npos; p = text.find("--", p)) {
    text.replace(p, 2, "- -");
  }
  return text;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

nlohmann::json page_data(const ReportInput& in, const HtmlOptions& options) {
  nlohmann::json data;
  data["title"] = in.title;
  data["generated"] = utc_now();
  data["redacted"] = options.redact;
  data["uplot_version"] = kUplotVersion;
  auto heap_document = [&](const nlohmann::json& doc) {
    nlohmann::json copy = doc;
    if (options.redact && !copy.is_null()) redact_heap_document(copy);
    return copy;
  };
  data["leaks"] = heap_document(in.leaks);
  data["summary"] = heap_document(in.summary);
  data["diff"] = heap_document(in.diff);
  data["watch"] = in.watch;
  data["gclog"] = in.gclog;
  // The application's own output lines, which gclog keeps as examples of what it skipped: not
  // needed for the page, and they may hold anything. The full GCs' table is in the samples
  // already, downsampled (a long log has thousands: most of the page's weight otherwise).
  if (data["gclog"].is_object()) {
    data["gclog"].erase("full_gcs");
    if (data["gclog"].contains("lines")) data["gclog"]["lines"].erase("unknown_samples");
  }
  return data;
}

}  // namespace

std::string render_html(const ReportInput& input, const HtmlOptions& options) {
  const std::string title = input.title.empty() ? "leakscope report" : input.title;
  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Belt and braces: even markup that slipped through could load nothing from anywhere.
  page +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + escape_html(title) + "</title>\n";
  page += "<style>\n" + embedded_asset("uplot.css") + "\n</style>\n";
  page += "<style>\n" + embedded_asset("report.css") + "\n</style>\n</head>\n<body>\n";
  page += "<main id=\"report\"><noscript>This report needs JavaScript.</noscript></main>\n";
  page += "<script type=\"application/json\" id=\"leakscope-data\">" +
          script_safe_json(page_data(input, options)) + "</script>\n";
  page += fmt::format("<!-- uPlot {} (https://github.com/leeoniya/uPlot), inlined:\n{}\n-->\n",
                      kUplotVersion, comment_text(embedded_asset("uplot.license")));
  page += "<script>\n" + embedded_asset("uplot.js") + "\n</script>\n";
  page += "<script>\n" + embedded_asset("report.js") + "\n</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace leakscope::html
