#include "cli/command.h"
#include "fleetsizer/api/size.h"

namespace fleetsizer::cli {

void setup_size(CLI::App& app, Invocation& inv) {
  auto flags = std::make_shared<ScenarioFlags>();
  flags->add_to(app);
  inv.run = [flags]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto s = flags->build(catalog);
    if (!s) return fail(s.error().message);
    auto out = api::run_size(*s);
    if (!out) return fail(out.error().message);
    return api::size_report(*out);
  };
}

}  // namespace fleetsizer::cli
