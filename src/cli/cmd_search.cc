#include <fmt/format.h>

#include <regex>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "fleetsizer/api/search.h"
#include "io/search_file.h"

namespace fleetsizer::cli {

// The error bands of the shipped validation data (data/error-bands.csv, embedded at build time).
extern const char* const kEmbeddedErrorBands;

namespace {

// Search reads the plan keys (not a given q or curve) and the search keys.
inline constexpr io::KeyGroups kSearchReads = {
    io::KeyGroup::replica,      io::KeyGroup::profile, io::KeyGroup::lengths, io::KeyGroup::traffic,
    io::KeyGroup::prefix_cache, io::KeyGroup::router,  io::KeyGroup::slo,     io::KeyGroup::target,
    io::KeyGroup::fleet,        io::KeyGroup::search};

struct SearchFlags {
  api::SizeOptions size;  // the simulated q search's flags, shared with size
  std::vector<std::string> prices;
  std::string emit;
  std::string error_bands;
  int top = 20;
  int verify_top = 20;
  int threads = 0;
  bool no_spares = false;
  double availability = 0.999;
  double failures_per_year = AvailabilitySpec{}.gpu_failures_per_year;
  double repair_hours = AvailabilitySpec{}.repair_hours;
  double reserved_discount = kIllustrativeReservedDiscount;
  std::string k8s_name = K8sOptions{}.name;
  std::string image = K8sOptions{}.image;
  bool no_disagg = false;
};

Result<api::SearchRequest> build_request(const ScenarioFlags& scenario_flags,
                                         const SearchFlags& f) {
  Catalog catalog = builtin_catalog();
  auto parsed = scenario_flags.parse(catalog);
  if (!parsed) return fail(parsed.error().message);
  const io::RawScenario& raw = parsed->raw;
  api::SearchRequest req;
  req.scenario = std::move(parsed->scenario);
  auto space = io::search_space_from(raw, catalog);
  if (!space) return fail(space.error().message);
  req.space = std::move(*space);
  // A dimension the scenario fixes (gpu, tp, weights_dtype, ...) is searched at that value only.
  if (req.space.gpus.empty()) {
    if (raw.has("gpu"))
      req.space.gpus = {req.scenario.replica.gpu};
    else
      req.space.gpus = catalog.gpus;
  }
  if (req.space.weights_dtypes.empty() && raw.has("weights_dtype"))
    req.space.weights_dtypes = {req.scenario.replica.weights_dtype};
  if (req.space.kv_dtypes.empty() && raw.has("kv_dtype"))
    req.space.kv_dtypes = {req.scenario.replica.kv_dtype};
  if (req.space.tps.empty() && req.scenario.tp) req.space.tps = {*req.scenario.tp};
  if (req.space.max_num_seqs.empty())
    req.space.max_num_seqs = raw.has("max_num_seqs")
                                 ? std::vector{req.scenario.replica.limits.max_num_seqs}
                                 : std::vector<std::int64_t>{64, 128, 256, 512};
  if (req.space.engines.empty()) req.space.engines = {req.scenario.replica.engine};

  SearchOptions& o = req.options;
  o.q = f.size.search;
  o.simulate_fleet = f.size.simulate_fleet;
  o.verify_top = f.verify_top;
  o.threads = f.threads;
  o.availability = !f.no_spares;
  o.failures = {f.failures_per_year, f.repair_hours, f.availability};
  o.reserved_discount = f.reserved_discount;
  if (!(f.reserved_discount >= 0 && f.reserved_discount < 1))
    return fail(fmt::format("--reserved-discount must be in [0, 1), got {}", f.reserved_discount));
  if (f.top < 0) return fail(fmt::format("--top must be >= 0, got {}", f.top));
  if (f.threads < 0) return fail(fmt::format("--threads must be >= 0, got {}", f.threads));
  req.shown = f.top;
  req.disaggregated = !f.no_disagg;
  if (raw.has("usd_per_host_hour"))
    return fail(fmt::format("{}: search prices each GPU type: use --price GPU=USD or --prices FILE",
                            raw.values.at("usd_per_host_hour").origin));
  o.prices = catalog_prices(catalog.gpus);
  if (raw.has("usd_per_gpu_hour")) {
    if (!raw.has("gpu"))
      return fail(
          fmt::format("{}: usd_per_gpu_hour prices one GPU: set gpu too, or use --price "
                      "GPU=USD",
                      raw.values.at("usd_per_gpu_hour").origin));
    o.prices.set({req.scenario.replica.gpu.name, req.scenario.usd_per_gpu_hour, 0,
                  raw.values.at("usd_per_gpu_hour").origin, false});
  }
  if (auto path = io::string_setting(raw, "prices"))
    if (auto r = io::read_prices_file(io::resolve_path(raw, *path), catalog, o.prices); !r)
      return fail(r.error().message);
  for (const std::string& p : f.prices)
    if (auto r = io::apply_price(p, catalog, o.prices); !r) return fail(r.error().message);
  auto budget = io::positive_setting(raw, "budget_usd_per_hour");
  if (!budget) return fail(budget.error().message);
  o.budget_usd_per_hour = *budget;
  if (auto path = io::string_setting(raw, "load_profile")) {
    auto profile = io::read_load_profile(io::resolve_path(raw, *path));
    if (!profile) return fail(profile.error().message);
    req.load_profile = std::move(*profile);
  }
  auto bands = f.error_bands.empty()
                   ? io::parse_error_bands(kEmbeddedErrorBands, "data/error-bands.csv (built in)")
                   : io::read_error_bands(f.error_bands);
  if (!bands) return fail(bands.error().message);
  o.bands = std::move(*bands);
  // A Kubernetes object name is an RFC 1123 label: lowercase letters, digits and '-', starting and
  // ending with a letter or digit, at most 63 characters.
  static const std::regex rfc1123("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  if (!std::regex_match(f.k8s_name, rfc1123))
    return fail(
        fmt::format("--k8s-name '{}' is not a Kubernetes name (lowercase letters, digits "
                    "and '-', at most 63, starting and ending with a letter or digit)",
                    f.k8s_name));
  if (f.image.empty() || f.image.find_first_of(" \t\n\r\"'") != std::string::npos)
    return fail(fmt::format("--image '{}' is not a container image reference", f.image));
  req.k8s.name = f.k8s_name;
  req.k8s.image = f.image;
  return req;
}

}  // namespace

void setup_search(CLI::App& app, Invocation& inv) {
  auto scenario_flags = std::make_shared<ScenarioFlags>(kSearchReads);
  auto f = std::make_shared<SearchFlags>();
  scenario_flags->add_to(app);
  add_search_flags(app, f->size);
  app.add_option("--price", f->prices, "Price of a GPU type, repeatable: h100-sxm=2.10 ($/GPU-h)");
  app.add_option("--emit", f->emit, "Print the chosen plan as a `vllm serve` command or k8s YAML")
      ->check(CLI::IsMember({"vllm", "k8s"}));
  app.add_option("--top", f->top, "Plan rows to show (0: all)")->capture_default_str();
  app.add_option("--verify-top", f->verify_top, "Plans simulated: the cheapest by closed-form cost")
      ->capture_default_str();
  app.add_option("--threads", f->threads, "Worker threads (0: every hardware thread)")
      ->capture_default_str();
  app.add_option("--availability", f->availability,
                 "Probability that at least the serving replicas are up (spares N+k)")
      ->capture_default_str();
  app.add_option("--gpu-failures-per-year", f->failures_per_year,
                 "Interruptions per GPU-year (default: Llama 3 paper's 0.173)")
      ->capture_default_str();
  app.add_option("--repair-hours", f->repair_hours, "Hours until a failed replica serves again")
      ->capture_default_str();
  app.add_flag("--no-spares", f->no_spares, "Add no spares for failures");
  app.add_option("--reserved-discount", f->reserved_discount,
                 "Reserved price = on-demand x (1 - this) where no reserved price is given")
      ->capture_default_str();
  app.add_option("--error-bands", f->error_bands,
                 "Error bands CSV (validate --error-bands-out; default: the built-in one)");
  app.add_option("--k8s-name", f->k8s_name, "Name of the emitted Deployment and Service")
      ->capture_default_str();
  app.add_option("--image", f->image, "Container image of the emitted Deployment")
      ->capture_default_str();
  app.add_flag("--no-disagg", f->no_disagg,
               "Do not plan disaggregated prefill/decode pools beside the aggregated plans");
  inv.run = [scenario_flags, f]() -> Result<report::Report> {
    if (auto ok = check_search_flags(f->size); !ok) return fail(ok.error().message);
    auto req = build_request(*scenario_flags, *f);
    if (!req) return fail(req.error().message);
    ProgressLine progress;
    req->options.progress = progress.fn();
    auto out = api::run_search(*req);
    progress.finish();
    if (!out) return fail(out.error().message);
    report::Report rep = api::search_report(*out);
    if (!f->emit.empty()) {
      auto text = f->emit == "vllm" ? api::emit_vllm(*out) : api::emit_k8s(*out);
      if (!text) return fail(text.error().message);
      rep.raw = std::move(*text);
    }
    return rep;
  };
}

}  // namespace fleetsizer::cli
