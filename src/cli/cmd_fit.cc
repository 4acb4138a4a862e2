#include "cli/command.h"
#include "fleetsizer/api/fit.h"

namespace fleetsizer::cli {

void setup_fit(CLI::App& app, Invocation& inv) {
  scenario_command(app, inv, {io::KeyGroup::replica},
                   [](const Scenario& s) -> Result<report::Report> {
                     auto out = api::run_fit({s.replica, s.context_tokens, s.fit_bounds, s.tp});
                     if (!out) return fail(out.error().message);
                     return api::fit_report(*out);
                   });
}

}  // namespace fleetsizer::cli
