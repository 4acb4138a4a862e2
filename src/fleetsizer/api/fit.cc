#include "fleetsizer/api/fit.h"

#include <fmt/format.h>

#include "fleetsizer/plan/scenario.h"
#include "fleetsizer/units/units.h"

namespace fleetsizer::api {

Result<FitResult> fit_layout(const ReplicaSpec& spec, std::int64_t context_tokens, FitBounds bounds,
                             std::optional<int> tp) {
  const ModelSpec& model = spec.model;
  if (auto ok = validate_spec(spec, context_tokens); !ok) return fail(ok.error().message);
  if (!tp) return find_fit(spec, context_tokens, bounds);
  if (!valid_tensor_parallel(model, *tp))
    return fail(fmt::format(
        "--tp {}: not a valid tensor-parallel degree for {} ({} attention heads, {} KV heads)", *tp,
        model.name, model.heads, model.kv_heads));
  FitResult r;
  ReplicaSpec at = spec;
  at.tp = *tp;
  at.pp = 1;
  r.footprint = footprint_at(at, context_tokens);
  r.layouts = {r.footprint};
  r.fits = r.footprint.fits;
  if (!r.fits)
    r.reason =
        fmt::format("does not fit on {} x {}: {}", *tp, spec.gpu.name, r.footprint.bottleneck);
  return r;
}

Result<FitOutput> run_fit(const FitRequest& request) {
  auto fit = fit_layout(request.spec, request.context_tokens, request.bounds, request.tp);
  if (!fit) return fail(fit.error().message);
  return FitOutput{request, std::move(*fit), count_params(request.spec.model)};
}

void add_footprint_fields(report::Report& rep, const std::string& p, const Footprint& f,
                          bool internals_as_detail) {
  auto internal = [&](std::string key, report::Cell value, int precision) {
    if (internals_as_detail)
      rep.add_detail(p + std::move(key), std::move(value), precision);
    else
      rep.add(p + std::move(key), std::move(value), precision);
  };
  rep.add(p + "tp", report::integer(f.tp));
  rep.add(p + "pp", report::integer(f.pp));
  rep.add(p + "gpus", report::integer(f.gpus));
  rep.add(p + "weights_gb", units::gb_from_bytes(f.weights_bytes), 1);
  internal("weights_gb_per_gpu", units::gb_from_bytes(f.weights_bytes_per_gpu), 2);
  rep.add(p + "kv_bytes_per_token", f.kv_bytes_per_token, 0);
  internal("kv_bytes_per_token_per_gpu", f.kv_bytes_per_token_per_gpu, 0);
  internal("gpu_capacity_gb", units::gb_from_bytes(f.gpu_capacity_bytes), 2);
  internal("usable_gb_per_gpu", units::gb_from_bytes(f.usable_bytes_per_gpu), 2);
  internal("activation_gb_per_gpu", units::gb_from_bytes(f.activation_bytes_per_gpu), 2);
  internal("runtime_gb_per_gpu", units::gb_from_bytes(f.runtime_bytes_per_gpu), 2);
  internal("kv_budget_gb_per_gpu", units::gb_from_bytes(f.kv_budget_bytes_per_gpu), 2);
  rep.add(p + "kv_capacity_tokens", report::integer(f.kv_capacity_tokens));
  internal("context_tokens", report::integer(f.context_tokens), 3);
  internal("tokens_reserved_per_sequence", report::integer(f.tokens_reserved_per_sequence), 3);
  rep.add(p + "max_sequences", report::integer(f.max_sequences));
  rep.add(p + "bottleneck", f.bottleneck);
}

namespace {
// " x attention DP 8, EP 8" for a MoE serving layout; empty for plain tensor parallelism.
std::string layout_text(const ReplicaSpec& spec) {
  std::string out;
  if (spec.attention_dp > 1) out += fmt::format(" x attention DP {}", spec.attention_dp);
  if (spec.moe_ep > 1) out += fmt::format(", EP {}", spec.moe_ep);
  if (spec.moe_tp > 0) out += fmt::format(", MoE TP {}", spec.moe_tp);
  return out;
}
}  // namespace

report::Report fit_report(const FitOutput& out) {
  const ReplicaSpec& req = out.request.spec;
  const Footprint& f = out.fit.footprint;
  report::Report rep;
  rep.title = fmt::format("Fit: {} on {} (weights {}, KV {}, {} KV)", req.model.name, req.gpu.name,
                          dtype_name(req.weights_dtype), dtype_name(req.kv_dtype),
                          req.memory.paged_kv ? "paged" : "contiguous");
  rep.headline =
      out.fit.fits
          ? fmt::format(
                "Fits on {} x {} (TP {}{} x PP {}): {:.1f} GB of weights, KV for {} tokens = "
                "{} sequences of {} tokens",
                f.gpus, req.gpu.name, f.tp, layout_text(req), f.pp,
                units::gb_from_bytes(f.weights_bytes), f.kv_capacity_tokens, f.max_sequences,
                f.context_tokens)
          : fmt::format("Does not fit: {}", out.fit.reason);
  rep.add("model", req.model.name);
  rep.add("gpu", req.gpu.name);
  rep.add("weights_dtype", std::string(dtype_name(req.weights_dtype)));
  rep.add("kv_dtype", std::string(dtype_name(req.kv_dtype)));
  rep.add("fits", out.fit.fits);
  rep.add("min_gpus", out.fit.fits ? report::integer(f.gpus) : report::Cell{});
  rep.add("params_b", out.params.total() / 1e9, 2);
  add_footprint_fields(rep, "", f);
  if (!out.fit.fits) rep.add("reason", out.fit.reason);
  report::Table t{"layouts", "Layouts tried", {}, {}};
  t.columns = {{"tp", "TP", 0},
               {"pp", "PP", 0},
               {"gpus", "GPUs", 0},
               {"weights_gb_per_gpu", "weights GB/GPU", 1},
               {"kv_budget_gb_per_gpu", "KV GB/GPU", 1},
               {"kv_capacity_tokens", "KV tokens", 0},
               {"max_sequences", "max seqs", 0},
               {"fits", "fits", 0}};
  for (const auto& l : out.fit.layouts)
    t.rows.push_back({report::integer(l.tp), report::integer(l.pp), report::integer(l.gpus),
                      units::gb_from_bytes(l.weights_bytes_per_gpu),
                      units::gb_from_bytes(l.kv_budget_bytes_per_gpu),
                      report::integer(l.kv_capacity_tokens), report::integer(l.max_sequences),
                      l.fits});
  rep.tables.push_back(std::move(t));
  const auto& m = req.model;
  const double wbytes = weight_element_bytes(req.weights_dtype, req.memory.int4_group_size);
  rep.why("weights_gb",
          fmt::format("{:.4g}e9 linear params x {} B + {:.4g}e9 embedding/norm params x {} B",
                      out.params.linear() / 1e9, wbytes,
                      (out.params.embeddings + out.params.norms) / 1e9,
                      std::max(2.0, bytes_per_element(req.weights_dtype))));
  rep.why("kv_bytes_per_token",
          m.is_mla()
              ? fmt::format("MLA: {} layers x ({} latent + {} rope) x {} B", m.layers,
                            m.kv_lora_rank, m.qk_rope_head_dim, bytes_per_element(req.kv_dtype))
              : fmt::format("{} layers x {} KV heads x {} head_dim x 2 (K,V) x {} B", m.layers,
                            m.kv_heads, m.head_dim, bytes_per_element(req.kv_dtype)));
  rep.why("kv_budget_gb_per_gpu",
          fmt::format(
              "{:.2f} GB x {} utilization - {:.2f} weights - {:.2f} activations - {:.2f} runtime",
              units::gb_from_bytes(f.gpu_capacity_bytes), req.memory.gpu_memory_utilization,
              units::gb_from_bytes(f.weights_bytes_per_gpu),
              units::gb_from_bytes(f.activation_bytes_per_gpu),
              units::gb_from_bytes(f.runtime_bytes_per_gpu)));
  rep.why("kv_capacity_tokens",
          fmt::format("kv_budget / {:.0f} B per token per GPU{}", f.kv_bytes_per_token_per_gpu,
                      req.memory.paged_kv ? ", rounded down to whole 16-token blocks" : ""));
  rep.why("max_sequences", fmt::format("floor({} / {} tokens reserved per sequence ({}))",
                                       f.kv_capacity_tokens, f.tokens_reserved_per_sequence,
                                       req.memory.paged_kv ? "paged: context rounded up to blocks"
                                                           : "contiguous: max_model_len"));
  return rep;
}

}  // namespace fleetsizer::api
