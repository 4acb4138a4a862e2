// Simulator speed: one replica, N requests with the Azure conversation trace's length mix
// (resampled), Poisson arrivals at 80% of the replica's capacity, in the closed-form mode and the
// step-by-step reference mode. Prints wall time (median of repeats), events, steps and peak RSS.
//   build/release/bench/sim_bench [requests=1000000]
//   [trace=../shared/data/.../AzureLLMInferenceTrace_conv.csv] [repeats=3]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/perf/steady_state.h"
#include "fleetsizer/sim/fleet_sim.h"
#include "fleetsizer/workload/synthetic.h"
#include "io/trace_file.h"

using namespace fleetsizer;

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::stoll(argv[1]) : 1000000;
  const std::string trace =
      argc > 2 ? argv[2]
               : "../shared/data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv";
  const int repeats = argc > 3 ? std::stoi(argv[3]) : 3;
  auto lengths = io::read_trace_lengths(trace);
  if (!lengths) {
    std::fprintf(stderr, "sim_bench: %s\n", lengths.error().message.c_str());
    return 1;
  }
  std::vector<std::int64_t> in, out;
  for (const auto& [i, o] : *lengths) {
    in.push_back(i);
    out.push_back(o);
  }
  double mean_in = 0, mean_out = 0;
  for (auto v : in) mean_in += static_cast<double>(v);
  for (auto v : out) mean_out += static_cast<double>(v);
  mean_in /= static_cast<double>(in.size());
  mean_out /= static_cast<double>(out.size());

  const Catalog c = builtin_catalog();
  ReplicaSpec spec;
  spec.model = *c.model("llama-3.1-8b");
  spec.gpu = *c.gpu("h100-sxm");
  spec.limits = engine_defaults("vllm").limits;
  const RooflineModel model(spec, engine_defaults("vllm").efficiency);
  const Footprint f = footprint_at(spec, 4096);
  const double capacity = max_stable_rate(model, {mean_in, mean_out}, 256);
  const double rate = 0.8 * capacity;
  std::printf(
      "workload: %lld requests, Azure conversation length mix (mean %.0f in / %.0f out), Poisson "
      "at %.2f req/s "
      "(80%% of the model's %.2f req/s capacity), llama-3.1-8b on one h100-sxm\n",
      static_cast<long long>(n), mean_in, mean_out, rate, capacity);
  for (bool closed : {true, false}) {
    std::vector<double> times;
    SimResult last;
    for (int rep = 0; rep < repeats; ++rep) {
      SyntheticSource source({ArrivalKind::poisson, rate, 1, 0, 0}, empirical(in), empirical(out),
                             n, 42);
      SimOptions o;
      o.replica = replica_options(spec, f);
      o.replica.closed_form = closed;
      o.max_waiting = 10000000;
      const auto t0 = std::chrono::steady_clock::now();
      auto res = simulate(model, source, o);
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (!res) return 1;
      last = *res;
    }
    std::sort(times.begin(), times.end());
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "%-13s median %.3f s (min %.3f, max %.3f) over %d runs | %lld events, %lld steps | TTFT "
        "p99 %.1f ms, "
        "TPOT p50 %.2f ms, %.3f req/s, preemptions %lld | peak RSS %.1f MB\n",
        closed ? "closed-form" : "step-by-step", times[times.size() / 2], times.front(),
        times.back(), repeats, static_cast<long long>(last.events),
        static_cast<long long>(last.steps), last.ttft_ms.percentile(0.99),
        last.tpot_ms.percentile(0.5), last.throughput_rps(),
        static_cast<long long>(last.preemptions), static_cast<double>(usage.ru_maxrss) / 1024.0);
  }
  return 0;
}
