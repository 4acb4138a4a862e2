#pragma once
// Synthetic workloads: arrival processes (Poisson, Gamma with a coefficient of variation,
// deterministic, on/off bursts) and length distributions (fixed, uniform, lognormal, empirical).
// Deterministic for a seed (std::mt19937_64 and the standard distributions).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fleetsizer/workload/request.h"

namespace fleetsizer {

enum class ArrivalKind { poisson, gamma, deterministic, onoff };

struct ArrivalSpec {
  ArrivalKind kind = ArrivalKind::poisson;
  double rate = 1;   // mean requests per second (on/off: averaged over on and off)
  double cv = 1;     // gamma: coefficient of variation of the gaps (1 = Poisson)
  double on_s = 10;  // on/off: Poisson bursts during `on_s`, silence during `off_s`
  double off_s = 10;
};

// exponential: ceil of an exponential variable with the given mean (a geometric count >= 1).
enum class LengthKind { fixed, uniform, lognormal, exponential, empirical };

struct LengthSpec {
  LengthKind kind = LengthKind::fixed;
  double mean = 1024;
  double min = 1, max = 1;            // uniform bounds
  double sigma = 1;                   // lognormal shape (of the underlying normal)
  std::vector<std::int64_t> samples;  // empirical
};

Result<ArrivalSpec> parse_arrival(const std::string& text, double rate, double cv);
Result<void> validate(const LengthSpec& spec, const std::string& what);

class SyntheticSource final : public RequestSource {
 public:
  SyntheticSource(ArrivalSpec arrivals, LengthSpec input, LengthSpec output, std::int64_t count,
                  std::uint64_t seed);
  Result<bool> next(Request& out) override;

 private:
  double next_gap();
  std::int64_t sample(const LengthSpec& spec);

  ArrivalSpec arrivals_;
  LengthSpec input_, output_;
  std::int64_t remaining_;
  std::uint64_t next_id_ = 0;
  double now_ = 0;
  double on_clock_ = 0;
  std::mt19937_64 rng_;
};

// A length spec that resamples the lengths observed in a trace (empirical mix).
LengthSpec empirical(std::vector<std::int64_t> samples);

}  // namespace fleetsizer
