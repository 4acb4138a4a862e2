#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <stdexcept>

#include "cli/command.h"

namespace fleetsizer::cli {

void ScenarioFlags::add_to(CLI::App& app) {
  app.add_option("--scenario", scenario_path_, "Scenario YAML file (flags override its fields)");
  if (reads_.contains(io::KeyGroup::slo))
    slo_option_ = app.add_option(
        "--slo", slo_, "SLO target, repeatable: ttft:p99=2000, tpot:p90=50, e2e:p50=8000 (ms)");
  // flag, scenario key, help; a command gets those of the key groups it reads.
  static const std::vector<std::array<const char*, 3>> flags = {
      {"--catalog", "catalog", "YAML file adding or overriding GPUs and models"},
      {"--model", "model", "Model name (llama-3.1-70b, ...) or path to a Hugging Face config.json"},
      {"--gpu", "gpu", "GPU name (h100-sxm, h200, a100-80gb, ...)"},
      {"--tp", "tp", "Tensor-parallel degree (default: smallest that fits)"},
      {"--attention-dp", "attention_dp",
       "Attention data-parallel copies of tp GPUs each (MoE serving layouts; needs --tp)"},
      {"--moe-ep", "moe_ep", "Expert-parallel groups the routed experts are split among"},
      {"--moe-tp", "moe_tp", "MoE tensor parallelism (default: tp x attention_dp / moe_ep)"},
      {"--weights-dtype", "weights_dtype", "Weights dtype: fp32 bf16 fp16 fp8 int8 int4 fp4"},
      {"--kv-dtype", "kv_dtype", "KV cache dtype"},
      {"--engine", "engine", "Serving engine: vllm sglang trtllm static generic"},
      {"--profile", "profile", "Calibrated efficiency profile (YAML from `fleetsizer calibrate`)"},
      {"--target-qps", "target_qps", "Requests per second the fleet must sustain"},
      {"--isl", "isl", "Mean input (prompt) tokens per request"},
      {"--osl", "osl", "Mean output tokens per request"},
      {"--context", "context", "Sequence length (tokens) the KV cache must hold per sequence"},
      {"--max-model-len", "max_model_len", "Tokens a contiguous KV cache reserves per sequence"},
      {"--gpu-memory-utilization", "gpu_memory_utilization",
       "Fraction of GPU memory the engine may use"},
      {"--max-num-seqs", "max_num_seqs", "Engine cap on running sequences"},
      {"--max-num-batched-tokens", "max_num_batched_tokens", "Engine token budget per step"},
      {"--paged-kv", "paged_kv", "true: paged KV cache (default); false: contiguous"},
      {"--q", "q", "Replica throughput within the SLO, req/s (skips the model)"},
      {"--curve", "curve", "Measured throughput/latency-vs-batch CSV"},
      {"--gpus-per-host", "gpus_per_host", "GPUs per host for packing"},
      {"--usd-per-gpu-hour", "usd_per_gpu_hour", "Price per GPU-hour"},
      {"--usd-per-host-hour", "usd_per_host_hour", "Price per host-hour (overrides per GPU)"},
      {"--billing", "billing", "host: pay for whole hosts (default); gpu: pay per GPU used"},
      {"--target-utilization", "target_utilization",
       "Run replicas at this fraction of q (headroom)"},
      {"--redundancy", "redundancy", "Spare replicas (N+k)"},
      {"--trace", "trace", "Request trace (Azure CSV or Mooncake JSONL)"},
      {"--arrival", "arrival", "Arrival process: poisson (default), gamma, deterministic, onoff"},
      {"--cv", "cv", "Gamma arrivals: coefficient of variation of the gaps"},
      {"--length-dist", "length_dist",
       "Lengths around --isl/--osl: fixed (default), uniform, lognormal, exponential"},
      {"--sigma", "sigma", "Lognormal lengths: sigma of the underlying normal"},
      {"--lengths-from", "lengths_from", "Resample lengths from this trace (empirical mix)"},
      {"--prefix-hit-rate", "prefix_hit_rate", "Fraction of each prompt found in the prefix cache"},
      {"--router", "router",
       "round_robin, random, least_outstanding (default), power_of_two, least_kv, "
       "prefix_affinity"},
      {"--rate", "rate", "Arrival rate, req/s"},
      {"--requests", "requests", "Number of requests"},
      {"--replicas", "replicas", "Number of replicas"},
      {"--gpus", "gpus",
       "GPU types to search, comma separated (default: --gpu if given, else all)"},
      {"--tps", "tps", "Tensor-parallel degrees to search (default: 1, 2, 4, 8 that fit)"},
      {"--weights-dtypes", "weights_dtypes",
       "Weight dtypes to search (default: every dtype each GPU runs)"},
      {"--kv-dtypes", "kv_dtypes",
       "KV cache dtypes to search (default: bf16, fp8 where supported)"},
      {"--max-num-seqs-caps", "max_num_seqs_caps",
       "Engine batch caps to search (default: 64,128,256,512)"},
      {"--engines", "engines", "Engines to search (default: --engine)"},
      {"--prices", "prices",
       "CSV of gpu,usd_per_gpu_hour[,reserved_usd_per_gpu_hour] replacing the illustrative prices"},
      {"--load-profile", "load_profile",
       "CSV of hour,rate_rps: size each hour and plan a year's "
       "reservation"},
      {"--budget-usd-per-hour", "budget_usd_per_hour", "Plans above this $/hour are over budget"},
      {"--prefill-gpu", "prefill_gpu", "Prefill pool GPU (default: --gpu)"},
      {"--prefill-tp", "prefill_tp", "Prefill pool TP (default: --tp, else every TP that fits)"},
      {"--prefill-weights-dtype", "prefill_weights_dtype", "Prefill pool weights dtype"},
      {"--prefill-max-num-seqs", "prefill_max_num_seqs", "Prefill pool engine cap on sequences"},
      {"--prefill-max-num-batched-tokens", "prefill_max_num_batched_tokens",
       "Prefill pool token budget per step"},
      {"--decode-gpu", "decode_gpu", "Decode pool GPU (default: --gpu)"},
      {"--decode-tp", "decode_tp", "Decode pool TP (default: --tp, else every TP that fits)"},
      {"--decode-weights-dtype", "decode_weights_dtype", "Decode pool weights dtype"},
      {"--decode-max-num-seqs", "decode_max_num_seqs", "Decode pool engine cap on sequences"},
      {"--decode-max-num-batched-tokens", "decode_max_num_batched_tokens",
       "Decode pool token budget per step"},
      {"--kv-link", "kv_link", "KV transfer link: nvlink, infiniband (default), roce, ethernet"},
      {"--kv-transfer-gb-s", "kv_transfer_gb_s", "KV link bandwidth per GPU, GB/s (overrides)"},
      {"--kv-transfer-latency-us", "kv_transfer_latency_us", "KV link latency per transfer, us"},
  };
  if (reads_.contains(io::KeyGroup::traffic))
    skip_bad_lines_option_ =
        app.add_flag("--skip-bad-lines", skip_bad_lines_,
                     "Count and skip malformed trace lines instead of failing");
  // Reserved first: CLI::App keeps pointers into the options' values.
  bindings_.reserve(flags.size());
  for (const auto& [flag, key, help] : flags) {
    const auto group = io::key_group(key);
    if (!group) throw std::logic_error(fmt::format("{}: '{}' is not a scenario key", flag, key));
    if (!reads_.contains(*group)) continue;
    bindings_.push_back({flag, key, "", nullptr});
    bindings_.back().option = app.add_option(flag, bindings_.back().value, help);
  }
}

void add_search_flags(CLI::App& app, api::SizeOptions& o) {
  app.add_option("--sim-requests", o.search.requests,
                 "Requests per simulated run of the q search and the fleet check (default 20000)");
  app.add_option("--seed", o.search.seed, "Seed of the simulated runs (deterministic for a seed)")
      ->check(CLI::Validator(
          [](std::string& v) {
            return v.starts_with('-') ? std::string("must be a non-negative integer")
                                      : std::string();
          },
          "SEED"));
  app.add_option("--q-tolerance", o.search.rel_tolerance,
                 "Relative width at which the q bisection stops (default 0.01)");
  app.add_flag("!--no-fleet-sim", o.simulate_fleet,
               "Skip simulating the whole fleet at the target rate");
}

Result<void> check_search_flags(const api::SizeOptions& o) {
  if (o.search.requests < kMinRequests)
    return fail(
        fmt::format("--sim-requests must be >= {} (a p99 over fewer rests on fewer than 10 "
                    "samples), got {}",
                    kMinRequests, o.search.requests));
  // Each probe of the q search simulates this many requests: bounded so a search ends.
  if (o.search.requests > kMaxSimRequests)
    return fail(fmt::format("--sim-requests must be in [{}, {}], got {}", kMinRequests,
                            kMaxSimRequests, o.search.requests));
  if (!(o.search.rel_tolerance >= 1e-6 && o.search.rel_tolerance < 0.5))
    return fail(
        fmt::format("--q-tolerance must be in [1e-06, 0.5), got {}", o.search.rel_tolerance));
  return {};
}

Result<io::RawScenario> ScenarioFlags::raw() const {
  io::RawScenario raw;
  if (!scenario_path_.empty()) {
    auto file = io::read_scenario_file(scenario_path_);
    if (!file) return fail(file.error().message);
    // Keys another command reads are valid in a shared file; this command leaves them out.
    raw = io::select(*file, reads_);
  }
  io::RawScenario flags;
  for (const auto& b : bindings_)
    if (b.option->count() > 0) flags.set(b.key, b.value, b.flag);
  if (skip_bad_lines_option_ && skip_bad_lines_option_->count() > 0)
    flags.set("skip_bad_lines", skip_bad_lines_ ? "true" : "false", "--skip-bad-lines");
  if (slo_option_ && slo_option_->count() > 0)
    for (const auto& s : slo_) flags.append("slo", s, "--slo");
  // Catalog paths given as a flag are relative to the working directory, not the scenario file.
  if (flags.has("catalog") || flags.has("curve") || flags.has("trace") || flags.has("model") ||
      flags.has("profile") || flags.has("lengths_from") || flags.has("prices") ||
      flags.has("load_profile")) {
    for (const char* key : {"catalog", "curve", "trace", "model", "profile", "lengths_from",
                            "prices", "load_profile"}) {
      if (!flags.has(key) || raw.base_dir.empty()) continue;
      auto& v = flags.values[key].values.back();
      if (!v.empty() && v.front() != '/' &&
          (v.ends_with(".json") || v.ends_with(".yaml") || v.ends_with(".csv") ||
           v.ends_with(".jsonl") || v.find('/') != std::string::npos)) {
        std::error_code ec;
        const auto abs = std::filesystem::absolute(v, ec);
        if (!ec) v = abs.string();
      }
    }
  }
  io::overlay(raw, flags);
  return raw;
}

Result<Scenario> ScenarioFlags::build(Catalog& catalog) const {
  auto parsed = parse(catalog);
  if (!parsed) return fail(parsed.error().message);
  return std::move(parsed->scenario);
}

Result<ParsedScenario> ScenarioFlags::parse(Catalog& catalog) const {
  auto r = raw();
  if (!r) return fail(r.error().message);
  auto s = io::build_scenario(*r, catalog);
  if (!s) return fail(s.error().message);
  return ParsedScenario{std::move(*r), std::move(*s)};
}

}  // namespace fleetsizer::cli
