// The node binary a dump came from: found from the dump's own file table (or --node), checked
// against the dump by build id, and read for V8's layout.
#pragma once

#include <string>

#include "core/process_dump.h"
#include "core/v8_layout.h"

namespace leakscope::core {

struct NodeBinary {
  std::string path;
  std::string build_id;
  bool build_id_checked = false;  // false: the dump lacks the binary's ELF notes
  V8Layout layout;
};

// `override_path` (--node) wins over the dump's file table. Throws CoreError: no binary named,
// binary missing, build ids that differ, metadata it does not understand.
NodeBinary load_node_binary(const ProcessDump& dump, const std::string& override_path);

}  // namespace leakscope::core
