#pragma once
// Every quantity in fleetsizer is a double whose unit is in its name (`_bytes`, `_gb`, `_s`, `_ms`,
// `_tok_s`, `_usd_per_hour`). This header is the one place that states the conversions, so that
// "GB" means 1e9 bytes everywhere (as spec sheets and model cards use it) and GiB is explicit.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace fleetsizer::units {

inline constexpr double kBytesPerGB = 1e9;
inline constexpr double kBytesPerGiB = 1073741824.0;
inline constexpr double kFlopsPerTflop = 1e12;
inline constexpr double kBytesPerTBs = 1e12;  // TB/s -> bytes/s
inline constexpr double kMsPerS = 1e3;
inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kHoursPerYear = 8760.0;  // 365 days

constexpr double gb_from_bytes(double bytes) {
  return bytes / kBytesPerGB;
}
constexpr double bytes_from_gb(double gb) {
  return gb * kBytesPerGB;
}
constexpr double bytes_from_gib(double gib) {
  return gib * kBytesPerGiB;
}
constexpr double ms_from_s(double s) {
  return s * kMsPerS;
}
constexpr double s_from_ms(double ms) {
  return ms / kMsPerS;
}

// True for a finite number > 0: the check every rate, price, length and count must pass.
inline bool is_positive_finite(double x) {
  return std::isfinite(x) && x > 0.0;
}
inline bool is_nonnegative_finite(double x) {
  return std::isfinite(x) && x >= 0.0;
}

// ceil(numerator / denominator) for a node or replica count, without floating round-off surprises:
// a ratio within 1e-9 (relative) of an integer is that integer, so 4000 / (4000/3) gives 3, not 4.
std::int64_t ceil_ratio(double numerator, double denominator);

}  // namespace fleetsizer::units
