// Google Benchmark of the hot paths search will call millions of times: one closed-loop
// prediction (the `predict` core) and one decode step of the roofline model.
#include <benchmark/benchmark.h>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/perf/predict.h"

namespace {

fleetsizer::OperatingPoint point(double concurrency) {
  const auto catalog = fleetsizer::builtin_catalog();
  fleetsizer::OperatingPoint p;
  p.spec.model = *catalog.model("llama-3.1-70b");
  p.spec.gpu = *catalog.gpu("h100-sxm");
  p.spec.tp = 4;
  p.spec.weights_dtype = fleetsizer::Dtype::fp8;
  p.efficiency = fleetsizer::engine_defaults("vllm").efficiency;
  p.spec.limits = fleetsizer::engine_defaults("vllm").limits;
  p.workload = {1024, 256};
  p.concurrency = concurrency;
  p.max_running = 256;
  return p;
}

void BM_PredictClosedLoop(benchmark::State& state) {
  const auto p = point(static_cast<double>(state.range(0)));
  const fleetsizer::RooflineModel model(p.spec, p.efficiency);
  for (auto _ : state) {
    benchmark::DoNotOptimize(fleetsizer::closed_loop(model, p.workload, *p.concurrency,
                                                     p.max_running, p.efficiency.wave_sync));
  }
}
BENCHMARK(BM_PredictClosedLoop)->Arg(1)->Arg(16)->Arg(64)->Arg(256);

// Including building the model from the configuration, as a search evaluating a new point does.
void BM_PredictFromConfiguration(benchmark::State& state) {
  const auto p = point(64);
  for (auto _ : state) benchmark::DoNotOptimize(fleetsizer::predict(p));
}
BENCHMARK(BM_PredictFromConfiguration);

void BM_DecodeStep(benchmark::State& state) {
  const auto p = point(64);
  const fleetsizer::RooflineModel model(p.spec, p.efficiency);
  fleetsizer::StepWork w;
  w.decode_seqs = 64;
  w.decode_context = 64 * 1152;
  for (auto _ : state) benchmark::DoNotOptimize(model.step(w));
}
BENCHMARK(BM_DecodeStep);

}  // namespace

BENCHMARK_MAIN();
