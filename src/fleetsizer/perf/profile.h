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

// The profile's factors for (gpu, engine), or the engine's documented defaults.
Efficiency efficiency_for(const Profile& profile, const std::string& gpu,
                          const std::string& engine);

}  // namespace fleetsizer
