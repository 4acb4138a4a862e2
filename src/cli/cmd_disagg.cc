#include <fmt/format.h>

#include "cli/command.h"
#include "fleetsizer/api/disagg.h"
#include "io/disagg_measurements.h"
#include "io/disagg_settings.h"

namespace fleetsizer::cli {

void setup_disagg(CLI::App& app, Invocation& inv) {
  static constexpr io::KeyGroups reads = {io::KeyGroup::replica,      io::KeyGroup::profile,
                                          io::KeyGroup::lengths,      io::KeyGroup::traffic,
                                          io::KeyGroup::prefix_cache, io::KeyGroup::router,
                                          io::KeyGroup::slo,          io::KeyGroup::target,
                                          io::KeyGroup::fleet,        io::KeyGroup::disagg};
  auto flags = std::make_shared<ScenarioFlags>(reads);
  auto request = std::make_shared<api::DisaggRequest>();
  auto sweep = std::make_shared<std::string>();
  auto gpus = std::make_shared<std::vector<std::string>>();
  auto validate = std::make_shared<std::string>();
  flags->add_to(app);
  app.add_option("--sweep-isl", *sweep,
                 "A:B: plan at prompt lengths from A to B (geometric steps) and show the split, "
                 "the winner and the crossover");
  app.add_option("--sweep-points", request->sweep_points, "Prompt lengths in the sweep")
      ->check(CLI::Range(2, 256));
  app.add_option("--gpus", *gpus,
                 "Candidate GPUs for both pools, comma separated: each pool takes the cheapest")
      ->delimiter(',');
  app.add_flag("--verify", request->verify,
               "Replay the pools in the two-pool simulator and grow them until the SLO holds");
  app.add_option("--requests", request->verify_requests, "Requests per verification run")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", request->seed, "Seed of the verification runs");
  app.add_option("--validate", *validate,
                 "Measured disaggregated runs (CSV, docs/formats.md): predict each covered run and "
                 "report the error and the coverage");
  inv.run = [flags, request, sweep, gpus, validate]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto parsed = flags->parse(catalog);
    if (!parsed) return fail(parsed.error().message);
    if (!validate->empty()) {
      auto runs = io::read_disagg_runs(*validate);
      if (!runs) return fail(runs.error().message);
      return api::disagg_validation_report(
          validate_disagg(*runs, catalog, parsed->scenario.profile), *validate);
    }
    auto in = io::build_disagg(parsed->raw, parsed->scenario, catalog, *gpus);
    if (!in) return fail(in.error().message);
    api::DisaggRequest r = *request;
    r.inputs = std::move(*in);
    if (!sweep->empty()) {
      const auto colon = sweep->find(':');
      double a = 0, b = 0;
      std::size_t used_a = 0, used_b = 0;
      try {
        if (colon == std::string::npos) throw std::invalid_argument("no colon");
        a = std::stod(sweep->substr(0, colon), &used_a);
        b = std::stod(sweep->substr(colon + 1), &used_b);
      } catch (const std::exception&) {
        return fail(fmt::format("--sweep-isl: expected A:B prompt lengths, got '{}'", *sweep));
      }
      if (used_a != colon || used_b != sweep->size() - colon - 1 || !(a >= 1) || !(b > a))
        return fail(fmt::format("--sweep-isl: expected A:B with 1 <= A < B prompt tokens, got '{}'",
                                *sweep));
      r.sweep_isl = std::pair{a, b};
    }
    auto out = api::run_disagg(r);
    if (!out) return fail(out.error().message);
    return api::disagg_report(*out);
  };
}

}  // namespace fleetsizer::cli
