#include "fleetsizer/plan/workload.h"

#include <fmt/format.h>

namespace fleetsizer {

Workload fixed_workload(double isl, double osl) {
  Workload w;
  w.input.kind = w.output.kind = LengthKind::fixed;
  w.input.mean = isl;
  w.output.mean = osl;
  return w;
}

Result<std::unique_ptr<RequestSource>> make_source(const Workload& w, double rate,
                                                   std::int64_t count, std::uint64_t seed) {
  if (w.trace) return w.trace(rate, count);
  ArrivalSpec a = w.arrival;
  a.rate = rate;
  return std::unique_ptr<RequestSource>(new SyntheticSource(a, w.input, w.output, count, seed));
}

std::string describe(const Workload& w) {
  if (w.trace) return fmt::format("trace {}", w.trace_name);
  switch (w.arrival.kind) {
    case ArrivalKind::poisson:
      return "poisson arrivals";
    case ArrivalKind::gamma:
      return fmt::format("gamma arrivals (cv {})", w.arrival.cv);
    case ArrivalKind::deterministic:
      return "deterministic arrivals";
    case ArrivalKind::onoff:
      return fmt::format("on/off bursts ({} s on, {} s off)", w.arrival.on_s, w.arrival.off_s);
  }
  return "";
}

}  // namespace fleetsizer
