#include "fleetsizer/api/emulate.h"

#include <fmt/format.h>

#include <algorithm>

#include "fleetsizer/api/fit.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/plan/replica_plan.h"

namespace fleetsizer::api {

Result<EmulatedReplica> emulated_replica(const Scenario& s) {
  auto fit = fit_layout(s.replica, s.context_tokens, s.fit_bounds, s.tp);
  if (!fit) return fail(fit.error().message);
  if (!fit->fits) return fail(fit->reason);
  const ReplicaSpec spec = spec_at(s, fit->footprint.tp, fit->footprint.pp);
  EmulatedReplica e;
  e.model =
      std::make_shared<RooflineModel>(spec, efficiency_for(s.profile, spec.gpu.name, spec.engine));
  e.replica = replica_options(spec, fit->footprint);
  e.replica.prefix_hit_rate = s.workload.prefix_hit_rate;
  e.replica.closed_form = false;  // tokens are streamed step by step
  // The scheduler reserves one block beyond the prompt (blocks_for(prompt + 1)), so the last
  // token of a full cache is not usable.
  e.max_model_len = e.replica.kv_blocks * e.replica.block_tokens - 1;
  if (spec.model.max_context > 0)
    e.max_model_len = std::min(e.max_model_len, spec.model.max_context);
  e.description = fmt::format("{} on {} x {} ({})", spec.model.name, fit->footprint.gpus,
                              spec.gpu.name, spec.engine);
  return e;
}

Result<void> check_faults(const EmulatorFaults& f) {
  for (auto [name, v] : {std::pair<const char*, double>{"--error-rate", f.error_rate},
                         {"--disconnect-rate", f.disconnect_rate},
                         {"--stall-rate", f.stall_rate},
                         {"--malformed-rate", f.malformed_rate},
                         {"--rate-limit-rate", f.rate_limit_rate}})
    if (!(v >= 0 && v <= 1)) return fail(fmt::format("{} must be in [0, 1], got {}", name, v));
  return {};
}

}  // namespace fleetsizer::api
