// Speed of `fleetsizer disagg` (issue 12 target: a sweep over 16 prompt lengths with --verify in
// <= 2 s on this machine). Times run_disagg on the built-in scenario (Llama-3.1-70B on H100-SXM,
// 100 req/s of 1024 in / 256 out, TTFT p99 <= 2 s, TPOT p99 <= 50 ms) with every TP open for both
// pools and the colocated one, over 16 prompt lengths from 256 to 16,384, with the two-pool and
// colocated fleet simulations at the base length (5,000 requests each, as the command's default).
// Prints the median and the slowest wall time of `repeats` runs.
//   build/release/bench/disagg_bench [repeats=5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "fleetsizer/api/disagg.h"

using namespace fleetsizer;

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::stoi(argv[1]) : 5;
  const Catalog catalog = builtin_catalog();
  api::DisaggRequest r;
  r.inputs.base = default_scenario(catalog);
  r.inputs.base.tp.reset();
  for (PoolOptions* o : {&r.inputs.prefill, &r.inputs.decode}) {
    o->gpus = {r.inputs.base.replica.gpu};
    o->weights_dtype = r.inputs.base.replica.weights_dtype;
    o->kv_dtype = r.inputs.base.replica.kv_dtype;
    o->limits = r.inputs.base.replica.limits;
  }
  r.inputs.link = *link_preset("infiniband");
  r.sweep_isl = std::pair{256.0, 16384.0};
  r.sweep_points = 16;
  r.verify = true;
  std::vector<double> times;
  int points = 0;
  double crossover = 0, usd = 0;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto out = api::run_disagg(r);
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (!out) {
      std::fprintf(stderr, "disagg_bench: %s\n", out.error().message.c_str());
      return 1;
    }
    points = static_cast<int>(out->sweep.size());
    crossover = out->crossover_isl;
    usd = out->plan.usd_per_hour;
  }
  std::ranges::sort(times);
  std::printf(
      "disagg --sweep-isl 256:16384 (%d lengths) --verify: median %.3f s, max %.3f s over "
      "%d runs (target <= 2 s); plan $%.2f/h, crossover isl %.0f\n",
      points, times[times.size() / 2], times.back(), repeats, usd, crossover);
  return 0;
}
