#pragma once
// Reads measurement files for `calibrate` and `validate`: the CSV of DESIGN.md section 5 and
// vLLM `bench serve --save-result` JSON. A bad row is skipped and reported with its line number,
// never silently used; a file without the required columns is an error.
#include <cstdint>
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

// Which statistic a row's latencies are when the file has no `latency_stat` column
// (docs/formats.md): a file stem ending in -mean, -median, -p50, -p90, -p95 or -p99 (the `-p99`
// twins of shared/data/open-loop-vllm), else a source text naming the vLLM result fields it was
// read from (`mean_ttft_ms`, `median_ttft_ms`, `p99_ttft_ms`, ...).
std::optional<Percentile> latency_stat_from_file_name(const std::string& path);
std::optional<Percentile> latency_stat_from_source(const std::string& source);
// The request count a source text records as `completed=N`.
std::optional<std::int64_t> requests_from_source(const std::string& source);

Result<void> read_measurements(const std::string& path, const Catalog& catalog,
                               const JsonContext& context, MeasurementSet& into);

}  // namespace fleetsizer::io
