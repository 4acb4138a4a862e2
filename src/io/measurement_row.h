#pragma once
// Writes measurements back as rows of the measurement CSV (docs/formats.md), the inverse of
// read_measurements: a converted row read and written again gives the same text, so nothing a
// file records (provenance, layout, statistic) is lost on the way through a Measurement.
#include <string>

#include "fleetsizer/perf/measurement.h"

namespace fleetsizer::io {

// The columns measurement_csv_row writes, comma separated, no newline.
std::string measurement_csv_header();
// One row: numbers in their shortest exact form, unknown values empty, the source quoted when it
// holds a comma or a quote. The layout columns are written for MoE models and for data-parallel
// attention only (empty otherwise: plain TP), as scripts/convert_measurements.py writes them.
std::string measurement_csv_row(const Measurement& m);

}  // namespace fleetsizer::io
