#include "cli/command.h"
#include "fleetsizer/api/size.h"

namespace fleetsizer::cli {

void setup_size(CLI::App& app, Invocation& inv) {
  scenario_command(app, inv, [](const Scenario& s) -> Result<report::Report> {
    auto out = api::run_size(s);
    if (!out) return fail(out.error().message);
    return api::size_report(*out);
  });
}

}  // namespace fleetsizer::cli
