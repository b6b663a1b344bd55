// DevTools' naming text rules (analysis/devtools_text.h), and that the class names and the object
// labels, which once quoted property names each their own way, now agree.
#include "analysis/devtools_text.h"

#include <gtest/gtest.h>

#include <string>

#include "analysis/class_index.h"
#include "analysis/node_names.h"
#include "test_graph_builder.h"

namespace leakscope {
namespace {

// U+D800 alone, as the reader keeps it (WTF-8).
const std::string kLoneSurrogate = "\xED\xA0\x80";

TEST(DevToolsText, JsonStringifyEscapesLikeJs) {
  EXPECT_EQ(json_stringify("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json_stringify("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_stringify(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(json_stringify("x" + kLoneSurrogate + "y"), R"("x\ud800y")");
  EXPECT_EQ(json_stringify("\xED\xBF\xBF"), R"("\udfff")");
  // Paired characters and ordinary UTF-8 pass through.
  EXPECT_EQ(json_stringify("\xF0\x9F\x98\x80 \xC3\xA9"), "\"\xF0\x9F\x98\x80 \xC3\xA9\"");
}

TEST(DevToolsText, Utf16Length) {
  EXPECT_EQ(utf16_length(""), 0U);
  EXPECT_EQ(utf16_length("abc"), 3U);
  EXPECT_EQ(utf16_length("\xC3\xA9"), 1U);          // é
  EXPECT_EQ(utf16_length("\xF0\x9F\x98\x80"), 2U);  // 😀, a surrogate pair in JS
  EXPECT_EQ(utf16_length(kLoneSurrogate), 1U);
}

TEST(DevToolsText, PropertyNamesQuotedOnlyWhenAmbiguous) {
  EXPECT_EQ(devtools_property_name("plain\bname"), "plain\bname");
  EXPECT_EQ(devtools_property_name("a,b"), R"("a,b")");
  EXPECT_EQ(devtools_property_name("{x}\f"), R"("{x}\f")");
  EXPECT_EQ(devtools_property_name("'" + kLoneSurrogate), R"("'\ud800")");
}

// Two plain objects with the same properties: the Summary's class name (class_index) and the
// object's label in trees and paths (node_names) must spell the quoted property the same way.
TEST(DevToolsText, ClassNamesAndLabelsQuoteAlike) {
  testing::GraphBuilder b;
  const uint32_t root = b.node(kSynthetic, "", 0);
  const std::string odd = "k,\b\f" + kLoneSurrogate;
  uint32_t first = 0;
  for (int i = 0; i < 2; ++i) {
    const uint32_t object = b.node(kObject, "Object", 16);
    if (i == 0) first = object;
    b.element(root, static_cast<uint32_t>(i + 1), object);
    b.edge(object, kProperty, odd, b.node(kNumber, "heap number", 16));
    b.edge(object, kProperty, "plain", b.node(kNumber, "heap number", 16));
  }
  const HeapGraph g = b.build();
  const std::string quoted = R"("k,\b\f\ud800")";
  const ClassIndex classes = classify_nodes(g);
  EXPECT_EQ(classes.classes[classes.node_class[first]].name, "{" + quoted + ", plain}");
  EXPECT_NE(display_name(g, first).find(quoted), std::string::npos) << display_name(g, first);
}

}  // namespace
}  // namespace leakscope
