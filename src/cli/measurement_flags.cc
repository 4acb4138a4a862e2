#include "cli/measurement_flags.h"

#include <fmt/format.h>

#include "io/catalog_file.h"

namespace fleetsizer::cli {

void MeasurementFlags::add_to(CLI::App& app) {
  app.add_option("--measurements", files,
                 "Measurement CSV (DESIGN.md section 5) or vLLM result JSON; repeatable")
      ->required();
  app.add_option("--catalog", catalog_file, "YAML file adding or overriding GPUs and models");
  app.add_option("--model", model,
                 "Model of vLLM JSON results (they do not record it in catalog form)");
  app.add_option("--gpu", gpu, "GPU of vLLM JSON results");
  app.add_option("--tp", tp, "Tensor parallelism of vLLM JSON results");
  app.add_option("--engine", engine, "Engine of vLLM JSON results (default vllm)");
  app.add_option("--weights-dtype", weights_dtype, "Weights dtype of vLLM JSON results");
  app.add_option("--kv-dtype", kv_dtype, "KV dtype of vLLM JSON results");
}

Result<io::MeasurementSet> MeasurementFlags::read(Catalog& catalog) const {
  if (!catalog_file.empty())
    if (auto r = io::load_catalog_file(catalog_file, catalog); !r) return fail(r.error().message);
  io::JsonContext ctx;
  if (!model.empty()) ctx.model = model;
  if (!gpu.empty()) ctx.gpu = gpu;
  if (!engine.empty()) ctx.engine = engine;
  if (tp > 0) ctx.tp = tp;
  for (auto [text, dest] :
       {std::pair{&weights_dtype, &ctx.weights_dtype}, {&kv_dtype, &ctx.kv_dtype}}) {
    if (text->empty()) continue;
    auto d = parse_dtype(*text);
    if (!d) return fail(fmt::format("unknown dtype '{}' ({})", *text, dtype_names()));
    *dest = d;
  }
  io::MeasurementSet set;
  for (const auto& f : files)
    if (auto r = io::read_measurements(f, catalog, ctx, set); !r) return fail(r.error().message);
  return set;
}

std::vector<api::Skipped> MeasurementFlags::skipped(const io::MeasurementSet& set) {
  std::vector<api::Skipped> out;
  for (const auto& s : set.skipped) out.push_back({s.where, s.reason});
  return out;
}

void MethodFlags::add_to(CLI::App& app) {
  app.add_option("--method", method,
                 "How rows are predicted: sim (replay each benchmark in the simulator, default) or "
                 "analytic (closed-form steady state)");
  app.add_option("--fit-requests", fit_requests,
                 "sim: at most this many requests per replay while fitting (0: as many as the "
                 "predictions; a closed loop keeps three rounds of its clients)");
}

Result<api::MethodOptions> MethodFlags::parse() const {
  api::MethodOptions o;
  if (!method.empty()) {
    auto m = parse_prediction_method(method);
    if (!m) return fail(fmt::format("unknown --method '{}' ({})", method, kPredictionMethodNames));
    o.method = *m;
  }
  if (fit_requests < 0)
    return fail(fmt::format("--fit-requests must be >= 0, got {}", fit_requests));
  o.fit_requests = fit_requests;
  return o;
}

}  // namespace fleetsizer::cli
