#pragma once
// A calibration profile: fitted efficiency factors per (GPU, engine), written by
// `fleetsizer calibrate` and read by predict/size/validate through --profile.
#include <string>
#include <vector>

#include "fleetsizer/perf/efficiency.h"

namespace fleetsizer {

struct ProfileEntry {
  std::string gpu;
  std::string engine;
  Efficiency efficiency;
  int rows = 0;                     // measurements the fit used
  double median_abs_pct_error = 0;  // on those rows, after the fit
};

struct Profile {
  std::vector<ProfileEntry> entries;
};

// The factors a prediction for (gpu, engine) uses, and where they came from: the profile's entry
// for exactly that pair, or, when the profile is empty or has no such entry, the engine's
// documented defaults. A profile being given does not make its factors apply: printers must say
// "profile" only when from_profile is true.
struct EfficiencyChoice {
  Efficiency efficiency;
  bool from_profile = false;
  std::string key;  // "gpu/engine": the entry looked up
};

EfficiencyChoice choose_efficiency(const Profile& profile, const std::string& gpu,
                                   const std::string& engine);

// choose_efficiency(...).efficiency.
Efficiency efficiency_for(const Profile& profile, const std::string& gpu,
                          const std::string& engine);

}  // namespace fleetsizer
