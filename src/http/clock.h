#pragma once
#include <chrono>

namespace fleetsizer::http {

// Seconds on the steady clock (CLOCK_MONOTONIC): the same clock in every process of the machine,
// so the emulator's send times and the load generator's receive times can be compared directly.
inline double monotonic_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace fleetsizer::http
