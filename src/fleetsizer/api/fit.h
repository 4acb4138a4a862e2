#pragma once
// `fleetsizer fit`: the memory footprint and the smallest layout that fits.
#include <optional>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/report/report.h"

namespace fleetsizer::api {

struct FitRequest {
  ReplicaSpec spec;  // its tp/pp are ignored: `tp` or the search decides
  std::int64_t context_tokens = 4096;
  FitBounds bounds;
  std::optional<int> tp;  // evaluate this TP degree instead of searching
};

struct FitOutput {
  FitRequest request;
  FitResult fit;
  ParamCounts params;
};

Result<FitOutput> run_fit(const FitRequest& request);
report::Report fit_report(const FitOutput& output);
// The footprint at a requested TP (validated) or the smallest that fits.
Result<FitResult> fit_layout(const ReplicaSpec& spec, std::int64_t context_tokens, FitBounds bounds,
                             std::optional<int> tp);
// The fields every command that sizes a replica shares: weights, KV, capacity, layout.
// `internals_as_detail`: the per-GPU memory budget terms are detail (shown under --verbose), as in
// `size`, where the fit is a step on the way to the fleet rather than the answer.
void add_footprint_fields(report::Report& rep, const std::string& prefix, const Footprint& f,
                          bool internals_as_detail = false);

}  // namespace fleetsizer::api
