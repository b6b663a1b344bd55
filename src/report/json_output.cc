#include "report/json_output.h"

#include <fmt/core.h>

namespace leakscope::report {

void print_json(const nlohmann::json& value, std::FILE* out) {
  fmt::print(out, "{}\n", value.dump(1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace leakscope::report
