#pragma once
// Work that can take more than a second (a simulation, a q search, a plan search, replaying
// measurement rows) says how far it has got, so that the CLI can draw one updating line with an
// ETA on a terminal. The core only calls the function; it never prints.
#include <functional>
#include <string_view>

namespace fleetsizer {

struct Progress {
  std::string_view task;  // what is being done ("simulating", "replaying rows")
  double done = 0;
  double total = 0;       // 0: not known in advance (no ETA)
  std::string_view unit;  // what done and total count ("requests", "rows", "rates", "plans")
};

// May be called from several threads at once (plan search, calibration): it must be thread-safe.
using ProgressFn = std::function<void(const Progress&)>;

}  // namespace fleetsizer
