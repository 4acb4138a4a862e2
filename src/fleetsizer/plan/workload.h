#pragma once
// The traffic one plan is sized for: the arrival process, the prompt and output length
// distributions, the prefix-cache hit rate, or a real trace that supplies all of them. The rate is
// not part of it: the sizing searches vary the per-replica rate, and the fleet runs at the target.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fleetsizer/error.h"
#include "fleetsizer/workload/request.h"
#include "fleetsizer/workload/synthetic.h"

namespace fleetsizer {

// A trace's requests with their arrival times scaled to `rate` req/s, at most `max_requests` of
// them (0: all). Made at the edge (src/io/trace_file.cc), called once per simulated run.
using TraceSourceFactory =
    std::function<Result<std::unique_ptr<RequestSource>>(double rate, std::int64_t max_requests)>;

struct Workload {
  ArrivalSpec arrival;         // kind, cv, on/off; its `rate` is set per run
  LengthSpec input;            // prompt tokens (mean: input.mean)
  LengthSpec output;           // output tokens
  double prefix_hit_rate = 0;  // fraction of each prompt found in the prefix cache
  // A trace replaces the synthetic arrivals and lengths when set.
  TraceSourceFactory trace;
  std::string trace_name;
  double trace_native_rate = 0;  // the trace's own mean arrival rate (req/s)
  double isl() const { return input.mean; }
  double osl() const { return output.mean; }
};

// Fixed lengths of `isl` in and `osl` out, Poisson arrivals.
Workload fixed_workload(double isl, double osl);

// A request stream of `count` requests at `rate` req/s: the trace scaled to the rate, or the
// synthetic process with this seed.
Result<std::unique_ptr<RequestSource>> make_source(const Workload& w, double rate,
                                                   std::int64_t count, std::uint64_t seed);

// "poisson", "gamma cv=2", "trace azure.csv" ...: the workload in words for reports.
std::string describe(const Workload& w);

}  // namespace fleetsizer
