// Speed of the sizing path with its simulations: `size` on the built-in default scenario (three
// TP layouts, each a bisection of 20,000-request simulations, then the fleet check), and
// `simulate --find-replicas` on the Azure conversation trace at 100 req/s. Prints the median wall
// time of repeated runs; targets (issue 13): size <= 0.5 s, find-replicas on Azure <= 1 s.
//   build/release/bench/plan_bench [trace=../shared/data/.../AzureLLMInferenceTrace_conv.csv]
//   [repeats=5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "fleetsizer/api/simulate.h"
#include "fleetsizer/api/size.h"
#include "fleetsizer/catalog/catalog.h"
#include "io/scenario_file.h"

using namespace fleetsizer;

namespace {

template <class F>
double median_seconds(int repeats, F run) {
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!run()) return -1;
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string trace =
      argc > 1 ? argv[1]
               : "../shared/data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv";
  const int repeats = argc > 2 ? std::stoi(argv[2]) : 5;
  Catalog catalog = builtin_catalog();
  const Scenario base = default_scenario(catalog);
  api::SizeOutput size;
  const double size_s = median_seconds(repeats, [&] {
    auto out = api::run_size(base);
    if (out) size = *out;
    return out.has_value();
  });
  std::printf(
      "size, default scenario: median %.3f s over %d runs (q %.3f req/s, %zu rates and %zu "
      "fleet runs simulated for the chosen layout, %lld replicas)\n",
      size_s, repeats, size.replica.q_rps,
      size.model && size.model->best() ? size.model->best()->evaluation.trials.size() : 0,
      size.verification ? size.verification->trials.size() : 0,
      static_cast<long long>(size.plan.replicas));

  io::RawScenario raw;
  raw.set("trace", trace, "plan_bench");
  auto scenario = io::build_scenario(raw, catalog);
  if (!scenario) {
    std::fprintf(stderr, "plan_bench: %s\n", scenario.error().message.c_str());
    return 1;
  }
  api::SimulateRequest req;
  req.scenario = *scenario;
  req.arrival_rate = 100;
  req.requests = 0;
  req.find_replicas = true;
  req.workload = "azure conversation trace at 100 req/s";
  api::SimulateOutput found;
  const double find_s = median_seconds(repeats, [&] {
    auto out = api::run_simulate(req);
    if (out) found = *out;
    return out.has_value();
  });
  std::printf(
      "simulate --find-replicas, Azure conversation trace at 100 req/s: median %.3f s over "
      "%d runs (%d replicas found, floor %lld, %zu fleet sizes tried)\n",
      find_s, repeats, found.replicas, static_cast<long long>(found.floor_replicas.value_or(0)),
      found.trials.size());
  return 0;
}
