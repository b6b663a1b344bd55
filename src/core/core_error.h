// What goes wrong reading a core, a live process or a node binary: one line for the user.
#pragma once

#include <stdexcept>

namespace leakscope::core {

struct CoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace leakscope::core
