#pragma once
#include <string>

#include "fleetsizer/error.h"
#include "fleetsizer/perf/curve.h"

namespace fleetsizer::io {

// A measured curve CSV (DESIGN.md section 6): `batch` or `concurrency`, and any of `request_rate`,
// `output_tok_s`, `<metric>_ms_<pct>`. Rows may come in any order; they are sorted by batch.
Result<Curve> read_curve_file(const std::string& path);

}  // namespace fleetsizer::io
