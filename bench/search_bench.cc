// Speed of plan search (issue 11 targets: >= 100,000 candidate configurations per second per core
// analytically; a default search with simulator verification of the top 20 in <= 2 s on 2 cores).
// Prints, on one thread: the enumeration + memory fit + roofline screen rate (every candidate
// goes through it), the closed-form q rate at the search's 1e-3 tolerance (only the candidates the
// screen cannot rule out), and the median wall time of the default search of the built-in
// scenario (every catalog GPU, every dtype each runs, TP 1-8, max_num_seqs 64/128/256/512) with
// all hardware threads.
//   build/release/bench/search_bench [repeats=3]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/search/search.h"

using namespace fleetsizer;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::stoi(argv[1]) : 3;
  const Catalog catalog = builtin_catalog();
  const Scenario s = default_scenario(catalog);
  SearchSpace space;
  space.gpus = catalog.gpus;
  space.max_num_seqs = {64, 128, 256, 512};

  // 1. The screen, one thread: enumerate (with the memory fit of each layout), then the bound.
  const Lengths lengths{s.workload.isl(), s.workload.osl()};
  std::int64_t screened = 0, examined = 0;
  double sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  int rounds = 0;
  while (seconds_since(t0) < 1.0) {
    const Enumeration e =
        enumerate_space(s.replica, space, s.context_tokens, s.gpus_per_host, s.fit_bounds);
    examined += e.examined;
    for (const ReplicaSpec& spec : e.specs) {
      const RooflineModel model(spec, efficiency_for(s.profile, spec.gpu.name, spec.engine));
      const auto cap =
          footprint_at(spec, static_cast<std::int64_t>(lengths.isl + lengths.osl)).max_running;
      if (cap < 1) continue;
      sink += screen_spec(model, s.workload, s.slo, cap).q_bound;
      ++screened;
    }
    ++rounds;
  }
  const double screen_s = seconds_since(t0);
  std::printf(
      "screen (enumerate + fit + roofline bound), 1 thread: %.0f candidates/s "
      "(%lld examined, %lld screened in %.2f s)\n",
      static_cast<double>(examined) / screen_s, static_cast<long long>(examined),
      static_cast<long long>(screened), screen_s);

  // 2. The closed-form q at the search's tolerance, one thread.
  const Enumeration e =
      enumerate_space(s.replica, space, s.context_tokens, s.gpus_per_host, s.fit_bounds);
  QSearchOptions q;
  q.analytic_rel_tolerance = kSearchAnalyticTolerance;
  const auto t1 = std::chrono::steady_clock::now();
  int evaluated = 0;
  for (std::size_t i = 0; i < e.specs.size() && seconds_since(t1) < 2.0; i += 7) {
    const ReplicaSpec& spec = e.specs[i];
    const RooflineModel model(spec, efficiency_for(s.profile, spec.gpu.name, spec.engine));
    const auto cap =
        footprint_at(spec, static_cast<std::int64_t>(lengths.isl + lengths.osl)).max_running;
    if (cap < 1) continue;
    const Screen sc = screen_spec(model, s.workload, s.slo, cap);
    if (sc.floor) continue;
    auto ev = evaluate_analytic(spec, model, s.workload, s.slo, s.context_tokens, q, sc.q_bound);
    if (ev) sink += ev->q_analytic_rps;
    ++evaluated;
  }
  std::printf(
      "closed-form q (evaluate_analytic at 1e-3 under the screen's bound), 1 thread: "
      "%.0f specs/s\n",
      evaluated / seconds_since(t1));

  // 3. The default search, all threads.
  SearchOptions o;
  o.prices = catalog_prices(catalog.gpus);
  std::vector<double> wall;
  SearchCounts counts;
  for (int r = 0; r < repeats; ++r) {
    const auto t2 = std::chrono::steady_clock::now();
    auto result = search_plans(s, space, o);
    wall.push_back(seconds_since(t2));
    if (!result) {
      std::printf("search failed: %s\n", result.error().message.c_str());
      return 1;
    }
    counts = result->counts;
  }
  std::sort(wall.begin(), wall.end());
  std::printf(
      "default search (%u threads): median %.2f s over %d runs; %lld examined, %lld pruned "
      "by memory, %lld ruled out by a latency floor, %lld closed-form, %lld bounded out, "
      "%lld simulated\n",
      std::thread::hardware_concurrency(), wall[wall.size() / 2], repeats,
      static_cast<long long>(counts.examined), static_cast<long long>(counts.pruned_by_memory),
      static_cast<long long>(counts.ruled_out_by_floor), static_cast<long long>(counts.analytic),
      static_cast<long long>(counts.bounded_out), static_cast<long long>(counts.simulated));
  return std::isfinite(sink) ? 0 : 1;
}
