#include "cli/command.h"
#include "fleetsizer/api/stack.h"

namespace fleetsizer::cli {

void setup_example(CLI::App& app, Invocation& inv) {
  auto corrected = std::make_shared<bool>(false);
  app.add_flag("--corrected", *corrected,
               "Also print the corrected view (replicas priced by the GPUs they use)");
  inv.run = [corrected]() -> Result<report::Report> {
    auto out = api::run_stack({seed_example_scenario(), false, *corrected});
    if (!out) return fail(out.error().message);
    report::Report rep = api::stack_report(*out);
    rep.headline_in_text = false;  // the seed's table, byte for byte (its JSON keeps the headline)
    return rep;
  };
}

}  // namespace fleetsizer::cli
