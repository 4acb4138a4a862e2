#pragma once
// `fleetsizer slo`: the largest batch of a measured or parametric curve meeting the SLO, the honest
// q, the fleet it implies, and (--sweep-slo) how the node count grows as the SLO tightens.
#include <vector>

#include "fleetsizer/api/size.h"

namespace fleetsizer::api {

struct SloRequest {
  Scenario scenario;  // with a curve, or sized from the model by simulation
  bool sweep = false;
  SizeOptions options;
};

struct SloSweepPoint {
  double scale = 1;  // every target multiplied by this
  std::vector<SloTarget> slo;
  SizeOutput size;
};

struct SloOutput {
  SizeOutput base;
  std::vector<SloSweepPoint> sweep;
};

Result<SloOutput> run_slo(const SloRequest& request);
report::Report slo_report(const SloOutput& output);

}  // namespace fleetsizer::api
