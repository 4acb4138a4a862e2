#include "fleetsizer/workload/synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fleetsizer {

Result<ArrivalSpec> parse_arrival(const std::string& text, double rate, double cv) {
  ArrivalSpec a;
  a.rate = rate;
  a.cv = cv;
  if (text == "poisson")
    a.kind = ArrivalKind::poisson;
  else if (text == "gamma")
    a.kind = ArrivalKind::gamma;
  else if (text == "deterministic" || text == "constant")
    a.kind = ArrivalKind::deterministic;
  else if (text == "onoff" || text == "bursts")
    a.kind = ArrivalKind::onoff;
  else
    return fail(
        fmt::format("arrival: unknown process '{}' (poisson, gamma, deterministic, onoff)", text));
  if (!(rate > 0) || !std::isfinite(rate))
    return fail(fmt::format("rate must be a positive number, got {}", rate));
  if (!(cv > 0) || !std::isfinite(cv))
    return fail(fmt::format("cv must be a positive number, got {}", cv));
  return a;
}

Result<void> validate(const LengthSpec& s, const std::string& what) {
  switch (s.kind) {
    case LengthKind::fixed:
    case LengthKind::exponential:
    case LengthKind::lognormal:
      if (!(s.mean >= 1) || !std::isfinite(s.mean))
        return fail(fmt::format("{}: mean must be >= 1 token", what));
      if (s.kind == LengthKind::lognormal && !(s.sigma > 0))
        return fail(fmt::format("{}: sigma must be > 0", what));
      return {};
    case LengthKind::uniform:
      if (!(s.min >= 1 && s.max >= s.min))
        return fail(fmt::format("{}: need 1 <= min <= max", what));
      return {};
    case LengthKind::empirical:
      if (s.samples.empty())
        return fail(fmt::format("{}: empirical distribution without samples", what));
      return {};
  }
  return {};
}

LengthSpec empirical(std::vector<std::int64_t> samples) {
  LengthSpec s;
  s.kind = LengthKind::empirical;
  s.samples = std::move(samples);
  return s;
}

SyntheticSource::SyntheticSource(ArrivalSpec arrivals, LengthSpec input, LengthSpec output,
                                 std::int64_t count, std::uint64_t seed)
    : arrivals_(arrivals),
      input_(std::move(input)),
      output_(std::move(output)),
      remaining_(count),
      rng_(seed) {}

double SyntheticSource::next_gap() {
  const double rate = arrivals_.rate;
  switch (arrivals_.kind) {
    case ArrivalKind::deterministic:
      return 1.0 / rate;
    case ArrivalKind::gamma: {
      const double shape = 1.0 / (arrivals_.cv * arrivals_.cv);
      std::gamma_distribution<double> g(shape, 1.0 / (rate * shape));
      return g(rng_);
    }
    case ArrivalKind::onoff: {
      // A Poisson process at the burst rate running only during the "on" windows: advance an
      // on-time clock, then map it onto the wall clock by inserting the "off" windows.
      const double period = arrivals_.on_s + arrivals_.off_s;
      std::exponential_distribution<double> e(rate * period / arrivals_.on_s);
      on_clock_ += e(rng_);
      const double wall =
          std::floor(on_clock_ / arrivals_.on_s) * period + std::fmod(on_clock_, arrivals_.on_s);
      return wall - now_;
    }
    case ArrivalKind::poisson:
    default: {
      std::exponential_distribution<double> e(rate);
      return e(rng_);
    }
  }
}

std::int64_t SyntheticSource::sample(const LengthSpec& s) {
  switch (s.kind) {
    case LengthKind::fixed:
      return static_cast<std::int64_t>(std::llround(s.mean));
    case LengthKind::uniform: {
      std::uniform_int_distribution<std::int64_t> u(static_cast<std::int64_t>(s.min),
                                                    static_cast<std::int64_t>(s.max));
      return u(rng_);
    }
    case LengthKind::lognormal: {
      std::lognormal_distribution<double> ln(std::log(s.mean) - s.sigma * s.sigma / 2, s.sigma);
      return std::max<std::int64_t>(1, std::llround(ln(rng_)));
    }
    case LengthKind::exponential: {
      std::exponential_distribution<double> e(1.0 / s.mean);
      return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(e(rng_))));
    }
    case LengthKind::empirical: {
      std::uniform_int_distribution<std::size_t> u(0, s.samples.size() - 1);
      return s.samples[u(rng_)];
    }
  }
  return 1;
}

Result<bool> SyntheticSource::next(Request& out) {
  if (remaining_ <= 0) return false;
  --remaining_;
  now_ += next_id_ == 0 ? 0.0 : next_gap();
  out.id = next_id_++;
  out.arrival_s = now_;
  out.input_tokens = sample(input_);
  out.output_tokens = sample(output_);
  out.hash_ids.clear();
  return true;
}

}  // namespace fleetsizer
