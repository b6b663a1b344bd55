// Reader tests on small hand-written snapshots: layouts, escapes, chunking and every kind of
// bad input the reader must reject with a byte offset.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "heap/snapshot_reader.h"

namespace leakscope {
namespace {

// root(1) -> global object "Window"(3) via shortcut; object has a property "x" to a string.
std::string tiny_snapshot(std::string_view strings_section = R"("", "Obj", "x", "hello")",
                          std::string_view nodes = "9,0,1,0,1,0,0, 3,1,3,32,1,0,0, 2,3,5,16,0,0,0",
                          std::string_view edges = "5,1,7, 2,2,14",
                          std::string_view counts = R"("node_count":3,"edge_count":2)") {
  std::string s =
      R"({"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],)"
      R"("node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],)"
      R"("edge_fields":["type","name_or_index","to_node"],)"
      R"("edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],)"
      R"("trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],)"
      R"("trace_node_fields":["id","function_info_index","count","size","children"],)"
      R"("sample_fields":["timestamp_us","last_assigned_id"],)"
      R"("location_fields":["object_index","script_id","line","column"]},)";
  s += counts;
  s += R"(,"trace_function_count":0},
"nodes":[)";
  s += nodes;
  s += "],\n\"edges\":[";
  s += edges;
  s += R"(],
"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[7,4,10,2],
"strings":[)";
  s += strings_section;
  s += "]}";
  return s;
}

TEST(SnapshotReader, LoadsTinySnapshot) {
  HeapGraph g = load_snapshot_buffer(tiny_snapshot());
  ASSERT_EQ(g.node_count(), 3u);
  ASSERT_EQ(g.edge_count(), 2u);
  EXPECT_EQ(g.type(0), kSynthetic);
  EXPECT_EQ(g.type(1), kObject);
  EXPECT_EQ(g.name(1), "Obj");
  EXPECT_EQ(g.node_id[2], 5u);
  EXPECT_EQ(g.node_self_size[1], 32u);
  EXPECT_EQ(g.edges_begin(1), 1u);
  EXPECT_EQ(g.edges_end(1), 2u);
  EXPECT_EQ(g.edge_kind(0), kShortcut);
  EXPECT_EQ(g.edge_to[0], 1u);
  EXPECT_EQ(g.edge_to[1], 2u);
  EXPECT_EQ(g.edge_name_text(1), "x");
  ASSERT_EQ(g.locations.size(), 1u);
  EXPECT_EQ(g.locations[0].node, 1u);
  EXPECT_EQ(g.locations[0].line, 10u);
}

TEST(SnapshotReader, UnescapesStrings) {
  HeapGraph g = load_snapshot_buffer(
      tiny_snapshot(R"("", "a\"b\\c\/\n\t", "\u00e9\u4e2d", "\ud83d\ude00 \ud800 x")"));
  EXPECT_EQ(g.strings.get(1), "a\"b\\c/\n\t");
  EXPECT_EQ(g.strings.get(2), "\xc3\xa9\xe4\xb8\xad");
  // A surrogate pair becomes one 4-byte character; a lone surrogate is kept as WTF-8.
  EXPECT_EQ(g.strings.get(3), "\xf0\x9f\x98\x80 \xed\xa0\x80 x");
}

TEST(SnapshotReader, StreamInAnyChunkSizeGivesTheSameGraph) {
  const std::string text = tiny_snapshot();
  for (size_t chunk : {1u, 2u, 3u, 7u, 64u}) {
    SnapshotStreamReader reader("chunks");
    for (size_t i = 0; i < text.size(); i += chunk)
      reader.push(std::string_view(text).substr(i, chunk));
    HeapGraph g = reader.finish();
    EXPECT_EQ(g.node_count(), 3u) << chunk;
    EXPECT_EQ(g.strings.get(3), "hello") << chunk;
    EXPECT_EQ(g.node_self_size[1], 32u) << chunk;
  }
}

uint64_t error_offset(const std::string& text, std::string* message = nullptr) {
  try {
    load_snapshot_buffer(text, "bad");
  } catch (const SnapshotError& e) {
    if (message) *message = e.message();
    return e.offset();
  }
  ADD_FAILURE() << "no error for: " << text.substr(0, 200);
  return 0;
}

TEST(SnapshotReader, RejectsBadInputWithOffsets) {
  std::string message;
  const std::string good = tiny_snapshot();
  // Truncation anywhere is an error, never a crash.
  for (size_t cut = 0; cut < good.size(); cut += 37) {
    EXPECT_THROW(load_snapshot_buffer(good.substr(0, cut)), SnapshotError) << cut;
  }
  // to_node that is not a multiple of the field count.
  std::string bad = tiny_snapshot(R"("", "Obj", "x", "hello")",
                                  "9,0,1,0,1,0,0, 3,1,3,32,1,0,0, 2,3,5,16,0,0,0", "5,1,7, 2,2,15");
  const uint64_t at = error_offset(bad, &message);
  EXPECT_EQ(bad.substr(at, 2), "15") << message;
  EXPECT_NE(message.find("not a multiple"), std::string::npos) << message;
  // Out-of-range target.
  error_offset(tiny_snapshot(R"("", "Obj", "x", "hello")",
                             "9,0,1,0,1,0,0, 3,1,3,32,1,0,0, 2,3,5,16,0,0,0", "5,1,7, 2,2,21"),
               &message);
  EXPECT_NE(message.find("past the 3 nodes"), std::string::npos) << message;
  // Edge count sum mismatch.
  error_offset(
      tiny_snapshot(R"("", "Obj", "x", "hello")", "9,0,1,0,1,0,0, 3,1,3,32,2,0,0, 2,3,5,16,0,0,0"),
      &message);
  EXPECT_NE(message.find("add up to"), std::string::npos) << message;
  // Name index past the strings.
  error_offset(tiny_snapshot(R"("", "Obj", "x")"), &message);
  EXPECT_NE(message.find("strings"), std::string::npos) << message;
  // Invalid escapes.
  error_offset(tiny_snapshot(R"("", "Obj", "x", "a\qb")"), &message);
  EXPECT_NE(message.find("invalid escape"), std::string::npos) << message;
  error_offset(tiny_snapshot(R"("", "Obj", "x", "a\u12G4")"), &message);
  EXPECT_NE(message.find("\\u escape"), std::string::npos) << message;
  // A claim the file cannot back is refused before allocating.
  error_offset(
      tiny_snapshot(R"("", "Obj", "x", "hello")", "9,0,1,0,1,0,0, 3,1,3,32,1,0,0, 2,3,5,16,0,0,0",
                    "5,1,7, 2,2,14", R"("node_count":1099511627776,"edge_count":2)"),
      &message);
  EXPECT_NE(message.find("node_count"), std::string::npos) << message;
  // Not a snapshot at all.
  error_offset("[1,2,3]", &message);
  error_offset("{\"a\":1}", &message);
  EXPECT_NE(message.find("snapshot"), std::string::npos) << message;
  error_offset("", &message);
}

constexpr std::string_view kCurrentNodeFields =
    R"(["type","name","id","self_size","edge_count","trace_node_id","detachedness"])";

std::string with_layout(std::string text, std::string_view node_fields,
                        std::string_view edge_fields = R"(["type","name_or_index","to_node"])") {
  text.replace(text.find(kCurrentNodeFields), kCurrentNodeFields.size(), node_fields);
  constexpr std::string_view kEdgeFields = R"(["type","name_or_index","to_node"])";
  text.replace(text.find(kEdgeFields), kEdgeFields.size(), edge_fields);
  return text;
}

std::string with_locations(std::string text, std::string_view locations) {
  constexpr std::string_view kLocations = R"("locations":[7,4,10,2])";
  text.replace(text.find(kLocations), kLocations.size(), locations);
  return text;
}

// DevTools reads fields by name, and its own unit tests are written in the older V8 layout with a
// retained size and a dominator per node: that layout loads, and so does any extra field.
TEST(SnapshotReader, ReadsFieldsByNameAndSkipsTheOthers) {
  const std::string older =
      with_layout(tiny_snapshot(R"("", "Obj", "x", "hello")",
                                "9,0,1,0,48,0,1, 3,1,3,32,48,0,1, 2,3,5,16,16,7,0"),
                  R"(["type","name","id","self_size","retained_size","dominator","edge_count"])");
  const std::string extra_edge_field = with_layout(
      tiny_snapshot(R"("", "Obj", "x", "hello")", "9,0,1,0,1,0,0, 3,1,3,32,1,0,0, 2,3,5,16,0,0,0",
                    "5,77,1,7, 2,77,2,14"),
      kCurrentNodeFields, R"(["type","weight","name_or_index","to_node"])");
  for (const std::string& text : {older, extra_edge_field}) {
    HeapGraph g = load_snapshot_buffer(text);
    ASSERT_EQ(g.node_count(), 3u);
    ASSERT_EQ(g.edge_count(), 2u);
    EXPECT_EQ(g.name(1), "Obj");
    EXPECT_EQ(g.node_id[2], 5u);
    EXPECT_EQ(g.node_self_size[1], 32u);
    EXPECT_EQ(g.edges_begin(1), 1u);
    EXPECT_EQ(g.edge_kind(0), kShortcut);
    EXPECT_EQ(g.edge_to[1], 2u);
    EXPECT_EQ(g.edge_name_text(1), "x");
    ASSERT_EQ(g.locations.size(), 1u);
    EXPECT_EQ(g.locations[0].node, 1u);
  }
}

TEST(SnapshotReader, NamesTheNeededFieldThatIsMissing) {
  std::string message;
  error_offset(
      with_layout(
          tiny_snapshot(),
          R"(["type","name","identity","self_size","edge_count","trace_node_id","detachedness"])"),
      &message);
  EXPECT_NE(message.find("no \"id\" field"), std::string::npos) << message;
  error_offset(with_layout(tiny_snapshot(), kCurrentNodeFields, R"(["type","name","to_node"])"),
               &message);
  EXPECT_NE(message.find("no \"name_or_index\" field"), std::string::npos) << message;
  error_offset(with_layout(tiny_snapshot(),
                           R"(["type","name","id","self_size","edge_count","id","detachedness"])"),
               &message);
  EXPECT_NE(message.find("\"id\" twice"), std::string::npos) << message;
}

// DevTools files a location under a node number no node has when its object_index is not a node
// boundary, so it names nothing: skipped, with one warning for all of them.
TEST(SnapshotReader, SkipsLocationsOffANodeBoundaryWithOneWarning) {
  std::vector<std::string> warnings;
  LoadOptions options;
  options.warning = [&](const std::string& w) { warnings.push_back(w); };
  HeapGraph g = load_snapshot_buffer(
      with_locations(tiny_snapshot(), R"("locations":[8,4,10,2, 7,4,11,3, 15,1,1,1])"), "off",
      options);
  ASSERT_EQ(g.locations.size(), 1u);
  EXPECT_EQ(g.locations[0].node, 1u);
  EXPECT_EQ(g.locations[0].line, 11u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("off: skipped 2 location(s)"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("object_index 8"), std::string::npos) << warnings[0];
}

// A location that comes before "nodes" is checked once the node count is known.
TEST(SnapshotReader, LocationBeforeNodesPastTheNodesIsAnError) {
  std::string text = with_locations(tiny_snapshot(), R"("locations":[])");
  text.insert(text.find("\"nodes\":["), "\"locations\":[70,4,10,2],\n");
  std::string message;
  error_offset(text, &message);
  EXPECT_NE(message.find("past the 3 nodes"), std::string::npos) << message;
}

}  // namespace
}  // namespace leakscope
