#pragma once
// The disaggregated pools' settings of a scenario (keys of the `disagg` group, docs/formats.md):
// each pool's GPU, TP, weights dtype and engine limits, and the KV link. Unset, a pool takes the
// scenario's replica settings; the link defaults to infiniband.
#include <string>
#include <vector>

#include "fleetsizer/disagg/disagg.h"
#include "io/scenario_file.h"

namespace fleetsizer::io {

// `gpus` (from --gpus, may be empty): candidate GPU names for both pools, overriding
// prefill_gpu/decode_gpu, so each pool takes the cheapest.
Result<DisaggInputs> build_disagg(const RawScenario& raw, const Scenario& base,
                                  const Catalog& catalog, const std::vector<std::string>& gpus);

}  // namespace fleetsizer::io
