// The HTML report's pieces that need no browser: what --redact keeps and replaces, that the
// embedded data cannot close its <script> element, and the min/max downsampling of chart series.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "html/html_report.h"
#include "html/redact.h"
#include "report/watch_samples_json.h"

namespace leakscope::html {
namespace {

TEST(HtmlRedact, KeepsIdentifiersAndReplacesDataText) {
  EXPECT_EQ(redact_heap_text("global.sessions"), "global.sessions");
  EXPECT_EQ(redact_heap_text("…->windows"), "…->windows");
  EXPECT_EQ(redact_heap_text("(closure)"), "(closure)");
  EXPECT_EQ(redact_heap_text("{a, b, c}"), "{a, b, c}");
  EXPECT_EQ(redact_heap_text("[12]"), "[12]");
  // A quoted string value or key, however short.
  EXPECT_EQ(redact_heap_text("\"hi\""), redaction_token("hi"));
  EXPECT_EQ(redact_heap_text("cache[\"a b\"]"), "cache[" + redaction_token("a b") + "]");
  // Token-shaped words: hyphens, long, digit-heavy.
  EXPECT_EQ(redact_heap_text(".tok-abc"), "." + redaction_token("tok-abc"));
  EXPECT_EQ(redact_heap_text(".ghp_16C7e42F292c6912E7710c8"),
            "." + redaction_token("ghp_16C7e42F292c6912E7710c8"));
  EXPECT_EQ(redact_heap_text("x.a_very_long_identifier_of_40_characters"),
            "x." + redaction_token("a_very_long_identifier_of_40_characters"));
  EXPECT_EQ(redact_heap_text("+1,500 objects"), "+1,500 objects");
  EXPECT_NE(redact_heap_text("\"unterminated secret").find("‹redacted"), std::string::npos);
  EXPECT_EQ(redact_heap_text("\"unterminated secret").find("secret"), std::string::npos);
}

TEST(HtmlRedact, TokenCountsCharactersAndHashesText) {
  EXPECT_EQ(redaction_token("héllo").substr(0, 21), "‹redacted 5 chars #");
  EXPECT_EQ(redaction_token("abc"), redaction_token("abc"));
  EXPECT_NE(redaction_token("abc"), redaction_token("abd"));
}

TEST(HtmlRedact, DocumentKeepsFileNamesAndTypes) {
  nlohmann::json doc = {
      {"snapshots", {"/tmp/a-1.heapsnapshot"}},
      {"leaks", {{{"class", "\"secret-value\""}, {"type", "concatenated string"}}}}};
  redact_heap_document(doc);
  EXPECT_EQ(doc["snapshots"][0], "/tmp/a-1.heapsnapshot");
  EXPECT_EQ(doc["leaks"][0]["type"], "concatenated string");
  EXPECT_EQ(doc["leaks"][0]["class"], redaction_token("secret-value"));
}

TEST(HtmlReport, EmbeddedDataCannotCloseItsScript) {
  ReportInput in;
  in.title = "<b>t</b>";
  in.summary = {{"snapshot", "s"}, {"classes", {{{"name", "</script><img src=x>\u2028&"}}}}};
  const std::string page = render_html(in, {});
  const size_t data = page.find("id=\"leakscope-data\">");
  ASSERT_NE(data, std::string::npos);
  const size_t end = page.find("</script>", data);
  const std::string json = page.substr(data + 20, end - data - 20);
  EXPECT_EQ(json.find_first_of("<>&"), std::string::npos) << json;
  EXPECT_EQ(json.find("\u2028"), std::string::npos);
  EXPECT_NE(json.find("\\u003c/script\\u003e"), std::string::npos);
  EXPECT_NE(page.find("<title>&lt;b&gt;t&lt;/b&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("uPlot"), std::string::npos);
  EXPECT_NE(page.find("__leakscopeReady"), std::string::npos);
}

}  // namespace
}  // namespace leakscope::html

namespace leakscope::report {
namespace {

TEST(ChartDownsample, KeepsEachBucketsMinAndMax) {
  std::vector<series::Point> pts;
  for (int i = 0; i < 100000; ++i) pts.push_back({i * 0.01, static_cast<double>(i % 100)});
  pts[54321].v = 1e9;  // one spike
  const auto kept = downsample_min_max(pts, 2000);
  EXPECT_LE(kept.size(), 2000u);
  EXPECT_GE(kept.size(), 1900u);
  bool spike = false;
  for (size_t i = 1; i < kept.size(); ++i) EXPECT_LE(kept[i - 1].t, kept[i].t);
  for (const auto& p : kept) spike = spike || p.v == 1e9;
  EXPECT_TRUE(spike);
  EXPECT_EQ(downsample_min_max(std::vector<series::Point>(10), 2000).size(), 10u);
}

}  // namespace
}  // namespace leakscope::report
