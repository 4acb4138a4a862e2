#include "cli/command.h"
#include "fleetsizer/api/fit.h"

namespace fleetsizer::cli {

void setup_fit(CLI::App& app, Invocation& inv) {
  auto flags = std::make_shared<ScenarioFlags>();
  flags->add_to(app);
  inv.run = [flags]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto s = flags->build(catalog);
    if (!s) return fail(s.error().message);
    auto out = api::run_fit({s->model, s->gpu, s->memory, s->tp});
    if (!out) return fail(out.error().message);
    return api::fit_report(*out);
  };
}

}  // namespace fleetsizer::cli
