#include "cli/command.h"
#include "fleetsizer/api/fit.h"

namespace fleetsizer::cli {

void setup_fit(CLI::App& app, Invocation& inv) {
  scenario_command(app, inv, [](const Scenario& s) -> Result<report::Report> {
    auto out = api::run_fit({s.model, s.gpu, s.memory, s.tp});
    if (!out) return fail(out.error().message);
    return api::fit_report(*out);
  });
}

}  // namespace fleetsizer::cli
