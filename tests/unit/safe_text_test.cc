// The one sanitizer every text renderer and error line uses (report/safe_text.h), and the JSON
// printer's escaping of the same characters (report/json_output.h).
#include "report/safe_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "report/json_output.h"

namespace leakscope::report {
namespace {

TEST(SafeText, KeepsPrintableUtf8AsIs) {
  const std::string text = "global.sessions → Map └ 日本語 😀 é {a, b} \"q\" \\ ~";
  EXPECT_EQ(safe_text(text), text);
}

TEST(SafeText, EscapesC0ControlsAndDel) {
  EXPECT_EQ(safe_text("a\x1b]52;c;SGk=\x07\x1b[2Jb"), "a\\x1b]52;c;SGk=\\x07\\x1b[2Jb");
  EXPECT_EQ(safe_text("tab\there\nnl\rcr"), "tab\\there\\nnl\\rcr");
  EXPECT_EQ(safe_text(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(safe_text("del\x7f"), "del\\x7f");
}

TEST(SafeText, EscapesC1ControlsAsCodePoints) {
  EXPECT_EQ(safe_text("a\xc2\x85z"), "a\\u0085z");  // NEL
  EXPECT_EQ(safe_text("\xc2\x9b"
                      "31m"),
            "\\u009b31m");                       // CSI
  EXPECT_EQ(safe_text("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is printable
}

TEST(SafeText, EscapesBidiControls) {
  EXPECT_EQ(safe_text("evil\xe2\x80\xae"
                      "txt.exe"),
            "evil\\u202etxt.exe");
  for (const char* c : {"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad",
                        "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",
                        "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c"}) {
    const std::string out = safe_text(c);
    EXPECT_TRUE(out.starts_with("\\u")) << out;
    EXPECT_EQ(out.size(), 6u) << out;
  }
  EXPECT_EQ(safe_text("\xe2\x80\xa9"), "\xe2\x80\xa9");  // U+2029 is not a bidi control
}

TEST(SafeText, EscapesEveryInvalidByte) {
  EXPECT_EQ(safe_text("a\xff"
                      "b"),
            "a\\xffb");
  EXPECT_EQ(safe_text("\xc3("), "\\xc3(");                  // a lead byte without its continuation
  EXPECT_EQ(safe_text("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(safe_text("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");  // overlong, three bytes
  EXPECT_EQ(safe_text("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(safe_text("\x80"), "\\x80");                             // a lone continuation byte
  EXPECT_EQ(safe_text("end\xe6\x97"), "end\\xe6\\x97");  // cut in the middle of a character
}

TEST(SafeText, ShowsLoneSurrogatesAsTheirCodeUnit) {
  // The model keeps a lone UTF-16 surrogate as WTF-8.
  EXPECT_EQ(safe_text("x\xed\xa0\x80y"), "x\\ud800y");
  EXPECT_EQ(safe_text("\xed\xbf\xbf"), "\\udfff");
}

TEST(SafeText, IsIdempotent) {
  const std::string once = safe_text("\x1b[2J\xe2\x80\xae\xff\xc2\x85\n");
  EXPECT_EQ(safe_text(once), once);
}

TEST(SafeText, StreamingKeepsNewlinesAndWaitsForTheRestOfASequence) {
  std::string out;
  // "日" is E6 97 A5: the chunk ends after two of its bytes.
  EXPECT_EQ(append_safe_text(out, "a\n\xe6\x97", true, false), 2u);
  EXPECT_EQ(out, "a\n");
  out.clear();
  EXPECT_EQ(append_safe_text(out, "\xe6\x97\xa5\x1b", true, false), 4u);
  EXPECT_EQ(out, "日\\x1b");
  out.clear();
  // An invalid byte never waits.
  EXPECT_EQ(append_safe_text(out, "\xff", true, false), 1u);
  EXPECT_EQ(out, "\\xff");
}

TEST(JsonText, EscapesTheSameCharactersTheJsonWay) {
  const nlohmann::json doc = {{"name", "a\x1b[2J\x7f\xc2\x85\xe2\x80\xae日"}};
  const std::string text = json_text(doc);
  EXPECT_EQ(text, R"({"name":"a\u001b[2J\u007f\u0085\u202e日"})");
  EXPECT_EQ(nlohmann::json::parse(text),
            nlohmann::json({{"name", "a\x1b[2J\x7f\xc2\x85\xe2\x80\xae日"}}));
}

TEST(JsonText, InvalidUtf8AndLoneSurrogatesBecomeOneReplacementCharacterEach) {
  const std::string want = R"(["a\ufffdb","x\ufffdy"])";
  const nlohmann::json plain = {
      "a\xff"
      "b",
      "x\xed\xa0\x80y"};
  const nlohmann::ordered_json ordered = {
      "a\xff"
      "b",
      "x\xed\xa0\x80y"};
  // Both printers agree (they once disagreed on lone surrogates).
  std::string got = json_text(plain);
  std::string got_ordered = json_text(ordered);
  // nlohmann writes U+FFFD as the raw character; compare after parsing.
  EXPECT_EQ(nlohmann::json::parse(got), nlohmann::json::parse(want));
  EXPECT_EQ(got, got_ordered);
}

}  // namespace
}  // namespace leakscope::report
