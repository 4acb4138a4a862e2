#include <fmt/format.h>

#include "cli/command.h"
#include "fleetsizer/api/stack.h"

namespace fleetsizer::cli {

void setup_stack(CLI::App& app, Invocation& inv) {
  struct Flags {
    std::string scenario;
    bool orders = false;
  };
  auto f = std::make_shared<Flags>();
  app.add_option("--scenario", f->scenario, "Scenario YAML with a 'stack' section")->required();
  app.add_flag("--orders", f->orders, "Evaluate every ordering of the levers");
  inv.run = [f]() -> Result<report::Report> {
    auto raw = io::read_scenario_file(f->scenario);
    if (!raw) return fail(raw.error().message);
    if (!raw->stack) return fail(fmt::format("{}: no 'stack' section", f->scenario));
    auto out = api::run_stack({*raw->stack, f->orders, true});
    if (!out) return fail(out.error().message);
    return api::stack_report(*out);
  };
}

}  // namespace fleetsizer::cli
