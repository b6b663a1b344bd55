// memwatch 0.2.2's HeapDiff classes (analysis/memwatch_classes.h): its names per node type, and the
// types it left out of `details`.
#include "analysis/memwatch_classes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_graph_builder.h"

namespace leakscope {
namespace {

TEST(MemwatchClasses, NamesEachTypeAsMemwatchDid) {
  testing::GraphBuilder b;
  struct Case {
    NodeType type;
    const char* name;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {kSynthetic, "", kMemwatchUncounted},
      {kObject, "LeakingClass", "LeakingClass"},
      {kObject, "Object", "Object"},
      {kString, "abc", "String"},
      {kConsString, "ab", "String"},
      {kSlicedString, "b", "String"},
      {kArray, "", "Array"},
      {kClosure, "handler", "Closure"},
      {kCode, "(code)", "Code"},
      {kRegExp, "/x/", "RegExp"},
      {kNumber, "heap number", "Number"},
      {kNative, "Node / TickInfo", "Native"},
      {kHidden, "system / Context", kMemwatchUncounted},
      {kSymbol, "Symbol(x)", kMemwatchUncounted},
      {kBigInt, "bigint", kMemwatchUncounted},
      {kObjectShape, "system / Map", kMemwatchUncounted},
      {kObject, "LeakingClass", "LeakingClass"},
  };
  for (const Case& c : cases) b.node(c.type, c.name, 8);
  const HeapGraph g = b.build();
  const ClassIndex index = classify_nodes_as_memwatch(g);
  ASSERT_EQ(index.node_class.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(index.classes[index.node_class[i]].name, cases[i].expected) << "node " << i;
    EXPECT_EQ(index.classes[index.node_class[i]].key, cases[i].expected) << "node " << i;
  }
  // One class per name: both LeakingClass nodes, all strings, all uncounted nodes share theirs.
  EXPECT_EQ(index.node_class[1], index.node_class[16]);
  EXPECT_EQ(index.node_class[3], index.node_class[4]);
  EXPECT_EQ(index.node_class[0], index.node_class[12]);
}

}  // namespace
}  // namespace leakscope
