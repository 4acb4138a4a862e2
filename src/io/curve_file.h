#pragma once
#include <string>

#include "fleetsizer/error.h"
#include "fleetsizer/perf/curve.h"

namespace fleetsizer::io {

// A measured curve CSV (DESIGN.md section 6): `batch` or `concurrency`, and any of `request_rate`,
// `output_tok_s`, `<metric>_ms_<pct>`. Rows may come in any order; they are sorted by batch.
// Also benchmark results (docs/formats.md, "Curves from benchmark results"): a directory of
// `vllm bench serve` / `fleetsizer bench` result JSON files, one point each, or one JSON file (a
// result, or the probes of `bench --sweep --format json`).
Result<Curve> read_curve_file(const std::string& path);

}  // namespace fleetsizer::io
