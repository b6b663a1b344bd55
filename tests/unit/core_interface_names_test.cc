// DevTools' names for plain objects from their property lists, as the core census applies them:
// common property sets become "{a, b}", rare ones and objects without properties stay "Object",
// and an object takes the largest common set it has all of.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/interface_names.h"

namespace leakscope::core {
namespace {

TEST(CoreInterfaceNames, NamesCommonPropertySetsAndLeavesRareOnesObject) {
  const std::vector<PlainObjectGroup> groups = {
      {{"a", "b", "__proto__"}, 30},
      {{"b", "a", "c", "__proto__"}, 1},  // has all of {a, b}
      {{"z", "__proto__"}, 1},            // alone: below DevTools' two objects
      {{"__proto__"}, 5},                 // no property but the prototype
      {{}, 2},
  };
  const std::vector<std::string> names = name_plain_objects(groups);
  EXPECT_EQ(names, (std::vector<std::string>{"{a, b}", "{a, b}", "Object", "Object", "Object"}));
}

TEST(CoreInterfaceNames, NeedsOneObjectInAThousandAndPrefersTheLargestSet) {
  const std::vector<PlainObjectGroup> groups = {
      {{"id", "name"}, 9000},
      {{"id", "name", "tags"}, 10},  // 10 of 9,015: above max(2, 9.015)
      {{"q"}, 5},                    // below it
  };
  const std::vector<std::string> names = name_plain_objects(groups);
  EXPECT_EQ(names, (std::vector<std::string>{"{id, name}", "{id, name, tags}", "Object"}));
}

TEST(CoreInterfaceNames, CutsLongNamesAt120Units) {
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("property" + std::to_string(i));
  const std::vector<std::string> names = name_plain_objects({{many, 3}});
  ASSERT_EQ(names.size(), 1u);
  // DevTools stops before a name that would pass 120 units, not counting the ", " before it.
  EXPECT_LE(names[0].size(), 123u);
  EXPECT_GE(names[0].size(), 100u);
  EXPECT_TRUE(names[0].starts_with("{property0, property1, "));
  EXPECT_TRUE(names[0].ends_with("}"));
  EXPECT_EQ(names[0].find("property39"), std::string::npos);
}

}  // namespace
}  // namespace leakscope::core
