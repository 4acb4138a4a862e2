#pragma once
// Flags shared by `calibrate` and `validate`: measurement files and the context a vLLM result
// JSON lacks.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "fleetsizer/api/measure.h"
#include "io/measurement_file.h"

namespace fleetsizer::cli {

struct MeasurementFlags {
  std::vector<std::string> files;
  std::string catalog_file;
  std::string model, gpu, engine, weights_dtype, kv_dtype;
  int tp = 0;

  void add_to(CLI::App& app);
  Result<io::MeasurementSet> read(Catalog& catalog) const;
  static std::vector<api::Skipped> skipped(const io::MeasurementSet& set);
};

// --method and --fit-requests of `calibrate` and `validate`: how rows are predicted.
struct MethodFlags {
  std::string method;
  std::int64_t fit_requests = api::MethodOptions::kDefaultFitRequests;

  void add_to(CLI::App& app);
  Result<api::MethodOptions> parse() const;
};

}  // namespace fleetsizer::cli
