#pragma once
// `fleetsizer example` and `fleetsizer stack`: the seed's lever stack, its corrected pricing, and
// optionally every ordering of the levers.
#include <optional>
#include <string>

#include "fleetsizer/fleet/lever_stack.h"
#include "fleetsizer/report/report.h"

namespace fleetsizer::api {

struct StackRequest {
  StackScenario scenario;
  bool orders = false;
  bool corrected =
      true;  // print the corrected view in the table (example: off, to stay byte-identical)
};

struct StackOutput {
  StackScenario scenario;
  StackResult result;
  std::optional<OrdersResult> orders;
  bool corrected = true;
};

Result<StackOutput> run_stack(const StackRequest& request);
report::Report stack_report(const StackOutput& output);
// The seed's Output 22.9.1 layout, byte for byte.
std::string seed_table_text(const StackScenario& scenario, const StackResult& result);

}  // namespace fleetsizer::api
