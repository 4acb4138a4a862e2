#pragma once
// Measured ablations (fleetsizer stack --ablation F): the measurement CSV of DESIGN.md section 5
// with a `stage` column naming the levers applied at that stage:
//   baseline                  the measured baseline (its levers: the seed's baseline)
//   baseline:paged-kv+compiled  a baseline that already has these levers
//   weights=int8+compiled     the baseline plus these levers (lever syntax of io/lever_spec.h)
// Rows group by (model, gpu); each group needs one baseline row. A column outside the measurement
// format is an error naming it; a bad cell is an error naming file, line and column.
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/fleet/ablation.h"
#include "fleetsizer/plan/scenario.h"

namespace fleetsizer::io {

// `base` supplies what the rows do not: SLO, engine, profile (the model, GPU and lengths come
// from each row).
Result<std::vector<AblationGroup>> read_ablation(const std::string& path, const Catalog& catalog,
                                                 const Scenario& base);

}  // namespace fleetsizer::io
