#pragma once
// Plan-search inputs parsed at the edge: the search space from the scenario's search keys (or
// their flags), a prices file, an hourly load profile, and validation residuals (error bands).
#include <string>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/error.h"
#include "fleetsizer/fleet/prices.h"
#include "fleetsizer/fleet/reservation.h"
#include "fleetsizer/search/error_bands.h"
#include "fleetsizer/search/space.h"
#include "io/scenario_file.h"

namespace fleetsizer::io {

// gpus, tps, weights_dtypes, kv_dtypes, max_num_seqs_caps, engines: lists (YAML lists, or comma
// separated in one value). Unknown GPU names get the nearest catalog names.
Result<SearchSpace> search_space_from(const RawScenario& raw, const Catalog& catalog);

// CSV with a header: gpu,usd_per_gpu_hour[,reserved_usd_per_gpu_hour]; applied over `book`.
Result<void> read_prices_file(const std::string& path, const Catalog& catalog, PriceBook& book);
// "GPU=USD" (a --price flag): applied over `book`.
Result<void> apply_price(const std::string& text, const Catalog& catalog, PriceBook& book);

// CSV with a header: hour,rate_rps; hours 0, 1, 2, ... with no gaps, at least two, rates >= 0.
Result<LoadProfile> read_load_profile(const std::string& path);

// CSV with a header: engine,gpu,rows,ratio_p05,ratio_p50,ratio_p95 (empty engine/gpu: every).
Result<ErrorBands> read_error_bands(const std::string& path);
Result<ErrorBands> parse_error_bands(const std::string& text, const std::string& source);
std::string error_bands_csv(const ErrorBands& bands);

}  // namespace fleetsizer::io
