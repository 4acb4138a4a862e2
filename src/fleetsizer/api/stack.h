#pragma once
// `fleetsizer example` and `fleetsizer stack`: the seed's lever stack, its corrected pricing, and
// optionally every ordering of the levers.
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/fleet/ablation.h"
#include "fleetsizer/fleet/lever_contrast.h"
#include "fleetsizer/fleet/lever_stack.h"
#include "fleetsizer/fleet/mech_stack.h"
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

// `fleetsizer stack --model M --gpu G [--lever ...]`: the mechanistic stack on the plan layer,
// every ordering and the Shapley attribution, optionally exercise 1's contrast and measured
// ablations beside the stack's predictions.
struct MechStackRequest {
  MechStackInput input;
  bool orders = false;    // list every ordering in the report (they are always evaluated)
  bool contrast = false;  // exercise 1: search the catalog
  std::vector<AblationGroup> ablation;
};

struct MechStackOutput {
  MechStackResult result;
  Scenario scenario;
  bool orders = false;
  std::optional<ContrastResult> contrast;
  std::vector<AblationResult> ablation;
};

Result<MechStackOutput> run_mech_stack(const MechStackRequest& request, const Catalog& catalog);
report::Report mech_stack_report(const MechStackOutput& output);

}  // namespace fleetsizer::api
