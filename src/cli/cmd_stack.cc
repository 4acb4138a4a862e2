#include <fmt/format.h>

#include "cli/command.h"
#include "fleetsizer/api/stack.h"
#include "io/ablation_file.h"
#include "io/lever_spec.h"

namespace fleetsizer::cli {

// Two modes. A scenario file with a `stack:` section of hand-typed factors, and no --lever,
// --model or --gpu, runs the seed calculator as before. Anything else runs the mechanistic stack
// on the plan layer: the scenario (file and shared flags) gives the model, GPU, workload, SLO,
// target and prices, and --lever (repeatable, default the seed's five) gives the levers in order.
void setup_stack(CLI::App& app, Invocation& inv) {
  struct Flags {
    bool orders = false;
    std::vector<std::string> levers;
    bool no_interactions = false;
    bool simulate = false;
    bool contrast = false;
    std::string ablation;
    CLI::Option* lever_opt = nullptr;
    CLI::Option* model_seen = nullptr;
  };
  auto f = std::make_shared<Flags>();
  // The groups the mechanistic stack uses; not the given q or curve (the stack models q), not the
  // prefix hit rate (the prefix-cache lever sets it) and not the router (one replica).
  static constexpr io::KeyGroups kStackReads = {
      io::KeyGroup::replica, io::KeyGroup::profile, io::KeyGroup::lengths, io::KeyGroup::traffic,
      io::KeyGroup::slo,     io::KeyGroup::target,  io::KeyGroup::fleet};
  auto scenario = std::make_shared<ScenarioFlags>(kStackReads);
  scenario->add_to(app);
  app.add_flag("--orders", f->orders, "Evaluate (and list) every ordering of the levers");
  f->lever_opt =
      app.add_option("--lever", f->levers,
                     fmt::format("Mechanistic lever, repeatable, applied in the given order: {}",
                                 io::kLeverSyntax));
  app.add_flag("--no-interactions", f->no_interactions,
               "Multiply each lever's isolated factors (the seed calculator) instead of "
               "re-evaluating every set");
  app.add_flag("--simulate", f->simulate,
               "Verify q with the simulator for the states of the given order (continuous "
               "batching states only; slower)");
  app.add_flag("--contrast", f->contrast,
               "Exercise 1: search the catalog for where doubling q beats quartering GPUs per "
               "replica and the reverse");
  app.add_option("--ablation", f->ablation,
                 "Measured ablation CSV (measurement columns plus 'stage') to compare with the "
                 "stack's predictions");
  inv.run = [f, scenario, &app]() -> Result<report::Report> {
    auto raw = scenario->raw();
    if (!raw) return fail(raw.error().message);
    const bool flag_model =
        app.get_option("--model")->count() > 0 || app.get_option("--gpu")->count() > 0;
    if (raw->stack && !raw->stack->levers.empty() && f->lever_opt->count() == 0 && !flag_model &&
        !f->contrast && f->ablation.empty() && !f->simulate && !f->no_interactions) {
      auto out = api::run_stack({*raw->stack, f->orders, true});
      if (!out) return fail(out.error().message);
      return api::stack_report(*out);
    }
    Catalog catalog = builtin_catalog();
    auto parsed = scenario->parse(catalog);
    if (!parsed) return fail(parsed.error().message);
    api::MechStackRequest req;
    req.input.scenario = parsed->scenario;
    req.input.interactions = !f->no_interactions;
    req.input.simulate = f->simulate;
    req.orders = f->orders;
    req.contrast = f->contrast;
    // Levers: --lever flags, else the file's `stack.mechanistic` list, else the seed's five.
    std::vector<StackScenario::MechanisticText> texts;
    if (!f->levers.empty())
      for (const auto& t : f->levers) texts.push_back({t, "--lever"});
    else if (raw->stack && !raw->stack->mechanistic.empty())
      texts = raw->stack->mechanistic;
    else
      for (const auto& t : io::seed_lever_texts()) texts.push_back({t, "default lever"});
    for (const auto& [t, origin] : texts) {
      auto l = io::parse_lever(t, origin, catalog, req.input.scenario.replica.model);
      if (!l) return fail(l.error().message);
      for (const auto& prev : req.input.levers)
        if (prev.kind == l->kind)
          return fail(fmt::format("{}: lever {}: a second '{}' lever (one per kind)", origin, t,
                                  lever_kind_name(l->kind)));
      req.input.levers.push_back(std::move(*l));
    }
    if (!f->ablation.empty()) {
      auto groups = io::read_ablation(f->ablation, catalog, req.input.scenario);
      if (!groups) return fail(groups.error().message);
      req.ablation = std::move(*groups);
    }
    auto out = api::run_mech_stack(req, catalog);
    if (!out) return fail(out.error().message);
    return api::mech_stack_report(*out);
  };
}

}  // namespace fleetsizer::cli
