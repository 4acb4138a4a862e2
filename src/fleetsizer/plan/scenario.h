#pragma once
// One configuration to plan for, typed and validated: what a scenario file and the shared flags
// (DESIGN.md section 6) parse into at the edge. The core never sees the YAML.
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/fleet/lever_stack.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/curve.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/plan/replica_spec.h"
#include "fleetsizer/plan/workload.h"
#include "fleetsizer/sim/router.h"
#include "fleetsizer/targets/slo.h"

namespace fleetsizer {

struct Scenario {
  std::string name = "default";
  // The replica; its tp and pp are chosen by the fit (and the q search) unless `tp` is given.
  ReplicaSpec replica;
  std::optional<int> tp;  // unset: the smallest layout that fits
  FitBounds fit_bounds;
  std::int64_t context_tokens = 4096;  // sequence length (prompt + output) the fit must hold
  Profile profile;                     // calibrated efficiencies (empty: engine defaults)
  Workload workload;
  RouterPolicy router = RouterPolicy::least_outstanding;
  double target_qps = 0;  // Q, requests per second
  std::vector<SloTarget> slo;
  // Fleet
  int gpus_per_host = 8;
  double usd_per_gpu_hour = 0;
  double usd_per_host_hour = 0;
  // Where the price came from: empty means the catalog's illustrative price for the GPU.
  std::string price_source;
  Billing billing = Billing::per_host;
  double target_utilization = 1.0;
  int redundancy = 0;
  // Where the replica's q comes from when given instead of modeled.
  std::optional<double> replica_qps;
  // A replica size the user measured (slo on a curve): no footprint fit is done.
  std::optional<int> gpus_per_replica;
  std::optional<Curve> curve;
  std::optional<StackScenario> stack;
};

// Checks the replica options a user can set (utilization in (0, 1], positive lengths and limits,
// non-negative overheads), naming the field.
Result<void> validate_spec(const ReplicaSpec& spec, std::int64_t context_tokens);

// The built-in default: Llama-3.1-70B in bf16 on H100-SXM serving 100 req/s of 1024-in/256-out
// chat traffic under TTFT p99 <= 2 s and TPOT p99 <= 50 ms, at 80% target utilization plus one
// spare replica, priced at the catalog's illustrative H100 rate.
Scenario default_scenario(const Catalog& catalog);

}  // namespace fleetsizer
