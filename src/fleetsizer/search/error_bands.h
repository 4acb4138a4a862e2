#pragma once
// How far the performance model's throughput may be off, from its own validation residuals: for
// each (engine, GPU) with enough validation rows, the spread of measured / predicted output
// tokens per second (leave-one-configuration-out, so out of sample). Plan search multiplies a
// plan's q by the band's median and 5th percentile to give N at p50 and p95: a user can then
// reserve for the pessimistic case knowingly.
//
// Where a GPU has too few rows the engine's band over all GPUs is used, and where the engine has
// too few the band over every row; a band borrowed from other GPUs is widened (its distance from
// the median doubled, kWidening), since a GPU the data never saw (B200, MI300X today) can be off
// in ways the others are not. A widened 5th percentile stays at or above half the band's own.
#include <cstdint>
#include <string>
#include <vector>

#include "fleetsizer/perf/validation.h"

namespace fleetsizer {

struct Residual {
  std::string engine;
  std::string gpu;
  double ratio = 1;  // measured / predicted output tok/s
};

struct ErrorBand {
  std::string engine;  // empty: every engine
  std::string gpu;     // empty: every GPU
  std::int64_t rows = 0;
  double ratio_p05 = 1;  // 5th percentile of measured / predicted: the pessimistic side
  double ratio_p50 = 1;
  double ratio_p95 = 1;
};

enum class BandBasis {
  gpu_engine,  // the plan's own (engine, GPU) rows
  engine,      // the engine's rows on other GPUs (widened)
  all,         // every row (widened)
  none,        // no residuals at all: no error bars
};
std::string_view band_basis_name(BandBasis b);

struct BandChoice {
  ErrorBand band;  // as applied (widened where the basis is not the plan's own GPU)
  BandBasis basis = BandBasis::none;
};

inline constexpr std::int64_t kMinBandRows = 20;
inline constexpr double kWidening = 2.0;

struct ErrorBands {
  std::string source;  // where the residuals came from (file, method)
  std::vector<ErrorBand> bands;
  BandChoice for_plan(const std::string& engine, const std::string& gpu) const;
};

// measured / predicted output tok/s of every validation row that has both.
std::vector<Residual> throughput_residuals(const std::vector<RowPrediction>& rows);

// Bands per (engine, GPU) and per engine with at least min_rows rows, and one over every row;
// sorted by engine then GPU (the all-rows band first).
ErrorBands error_bands_from(const std::vector<Residual>& residuals,
                            std::int64_t min_rows = kMinBandRows);

}  // namespace fleetsizer
