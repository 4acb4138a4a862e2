#pragma once
// Reads the disaggregated runs file (data/measurements/aiconfigurator-disagg.csv, written by
// scripts/convert_measurements.py; columns in docs/formats.md) into DisaggRun rows. Model and GPU
// names are kept as written: whether the catalog knows them is the validator's coverage question.
#include <string>
#include <vector>

#include "fleetsizer/disagg/validate.h"

namespace fleetsizer::io {

Result<std::vector<DisaggRun>> read_disagg_runs(const std::string& path);

}  // namespace fleetsizer::io
