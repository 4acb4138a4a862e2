#pragma once
// Reads measurement files for `calibrate` and `validate`: the CSV of DESIGN.md section 5 and
// vLLM `bench serve --save-result` JSON. A bad row is skipped and reported with its line number,
// never silently used; a file without the required columns is an error.
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/perf/measurement.h"

namespace fleetsizer::io {

struct SkippedRow {
  std::string where;  // file:line
  std::string reason;
};

struct MeasurementSet {
  std::vector<Measurement> rows;
  std::vector<SkippedRow> skipped;
};

// What a vLLM result JSON does not record: the replica it measured.
struct JsonContext {
  std::optional<std::string> model, gpu, engine;
  std::optional<int> tp;
  std::optional<Dtype> weights_dtype;  // unset: bf16, recorded as assumed
  std::optional<Dtype> kv_dtype;       // unset: assumed_kv_dtype(weights, engine), recorded
};

Result<void> read_measurements(const std::string& path, const Catalog& catalog,
                               const JsonContext& context, MeasurementSet& into);

}  // namespace fleetsizer::io
