#pragma once
// Flags shared by `calibrate` and `validate`: measurement files and the context a vLLM result
// JSON lacks.
#include <CLI/CLI.hpp>
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

}  // namespace fleetsizer::cli
