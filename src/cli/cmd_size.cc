#include "cli/command.h"
#include "cli/progress_line.h"
#include "fleetsizer/api/size.h"

namespace fleetsizer::cli {

void setup_size(CLI::App& app, Invocation& inv) {
  auto flags = std::make_shared<ScenarioFlags>(kPlanReads);
  auto options = std::make_shared<api::SizeOptions>();
  flags->add_to(app);
  add_search_flags(app, *options);
  inv.run = [flags, options]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto s = flags->build(catalog);
    if (!s) return fail(s.error().message);
    if (auto ok = check_search_flags(*options); !ok) return fail(ok.error().message);
    api::SizeOptions run_options = *options;
    ProgressLine progress;
    run_options.search.progress = progress.fn();
    auto out = api::run_size(*s, run_options);
    progress.finish();
    if (!out) return fail(out.error().message);
    return api::size_report(*out);
  };
}

}  // namespace fleetsizer::cli
