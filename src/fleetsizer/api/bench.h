#pragma once
// `fleetsizer bench`: a load test of an OpenAI-compatible endpoint, with vLLM `bench serve`'s
// figures, or a sweep for the sustained rate (bench/sweep.h). The load itself is injected
// (LoadFn): the CLI binds the HTTP client (src/http), a test can bind a fake, and this layer does
// no I/O.
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/bench/dataset.h"
#include "fleetsizer/bench/load.h"
#include "fleetsizer/bench/result.h"
#include "fleetsizer/bench/sweep.h"
#include "fleetsizer/report/report.h"

namespace fleetsizer::api {

// One load: send offsets (s) and what each request asks; `warmup` first requests are marked.
struct LoadRun {
  std::vector<double> schedule;
  std::vector<bench::RequestSpec> requests;
  int warmup = 0;
  std::string label;  // "bench", "sweep probe 3 at 20 req/s", for progress lines
};
using LoadFn = std::function<Result<std::vector<bench::RequestSample>>(const LoadRun& run)>;
// What each of `count` requests asks for (a dataset, a trace's lengths).
using RequestsFn = std::function<Result<std::vector<bench::RequestSpec>>(std::int64_t count)>;

// A timed replay: the trace's offsets (already time-scaled) and lengths.
struct TimedTrace {
  std::vector<double> offsets_s;
  std::vector<bench::RequestSpec> requests;
  double rate() const;  // (requests - 1) / span; infinity when all arrive at once
};

struct BenchRequest {
  std::int64_t num_prompts = 1000;
  double request_rate = INFINITY;  // inf: all at once
  double burstiness = 1;
  std::uint64_t seed = 0;
  int warmup = 0;
  int max_concurrency = 0;  // recorded; the load applies it
  std::optional<TimedTrace> trace;
  bench::GoodputTargets goodput;
  bench::PercentileSelection percentiles;
  // --sweep
  bool sweep = false;
  std::vector<SloTarget> slo;
  bench::SweepOptions sweep_options;
  double sweep_window_s = 3;
  std::int64_t sweep_window_requests = 50;
  // Labels of the report
  std::string model_id, backend, where;  // where: "host:port", for messages
  double timeout_s = 60;
};

// The sweep's steady window drops this share of completions at each end (warm-up and drain).
inline constexpr double kSweepTrim = 0.1;

// Requests of one sweep probe at `rate`: enough that its steady window holds at least
// `window_requests` requests and lasts `window_s` (at that rate); at infinity, at least
// `num_prompts`.
std::int64_t probe_requests(double rate, double window_s, std::int64_t window_requests,
                            std::int64_t num_prompts);

struct BenchOutput {
  BenchRequest request;
  double rate = 0;              // offered rate of the run (a trace's own, the probe's at q)
  bench::BenchSummary summary;  // the run, or the probe that set q
  std::vector<bench::RequestSample> samples;  // the run's (not kept for a sweep)
  std::optional<bench::SweepResult> sweep;
};

// Runs the load (or the sweep's probes, telling `log` one line per probe). An error when nothing
// got through or the server ignores max_tokens.
Result<BenchOutput> run_bench(const BenchRequest& request, const RequestsFn& requests,
                              const LoadFn& load,
                              const std::function<void(const std::string&)>& log = {});

report::Report bench_report(const BenchOutput& output);

// The sweep's q as one measurement CSV row (DESIGN.md section 5), with its header.
Result<std::string> sweep_measurement_csv(const BenchOutput& output, const std::string& gpu, int tp,
                                          const std::string& engine);

}  // namespace fleetsizer::api
