#pragma once
// `fleetsizer predict`: TTFT, TPOT and throughput of one replica at a concurrency or rate.
#include <optional>
#include <string>

#include "fleetsizer/perf/predict.h"
#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/report/report.h"

namespace fleetsizer::api {

struct PredictRequest {
  Scenario scenario;
  std::optional<double> concurrency;
  std::optional<double> rate;
};

struct PredictOutput {
  PredictRequest request;
  Footprint footprint;
  OperatingPoint point;
  SteadyState state;
  StepTime decode_step;  // breakdown of one decode-only step at the running batch
  SteadyState ideal;     // the same point on the ideal machine: the physics bound

  // Where the efficiency factors came from: a profile entry, or the engine defaults (no profile,
  // or no entry for efficiency_key, "gpu/engine").
  bool efficiency_from_profile = false;
  std::string efficiency_key;
};

Result<PredictOutput> run_predict(const PredictRequest& request);
report::Report predict_report(const PredictOutput& output);

}  // namespace fleetsizer::api
