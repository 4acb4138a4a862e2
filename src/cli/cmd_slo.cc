#include "cli/command.h"
#include "cli/progress_line.h"
#include "fleetsizer/api/slo.h"
#include "fleetsizer/perf/parametric.h"

namespace fleetsizer::cli {

void setup_slo(CLI::App& app, Invocation& inv) {
  struct Flags {
    ScenarioFlags scenario{kPlanReads};
    std::string parametric;
    bool sweep = false;
    api::SizeOptions options;
  };
  auto f = std::make_shared<Flags>();
  f->scenario.add_to(app);
  app.add_option("--parametric", f->parametric,
                 "Parametric curve instead of --curve: "
                 "q0=..,alpha=..,l0=..,l1=..,metric=e2e:p99[,max_batch=256]");
  app.add_flag("--sweep-slo", f->sweep,
               "Also print node count as every SLO target is scaled from 1.5x to 0.1x");
  add_search_flags(app, f->options);
  inv.run = [f]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto s = f->scenario.build(catalog);
    if (!s) return fail(s.error().message);
    if (!f->parametric.empty()) {
      if (s->curve) return fail("give --curve or --parametric, not both");
      auto p = parse_parametric(f->parametric);
      if (!p) return fail(p.error().message);
      s->curve = sample(*p);
    }
    if (auto ok = check_search_flags(f->options); !ok) return fail(ok.error().message);
    api::SizeOptions run_options = f->options;
    ProgressLine progress;
    run_options.search.progress = progress.fn();
    auto out = api::run_slo({*s, f->sweep, run_options});
    progress.finish();
    if (!out) return fail(out.error().message);
    return api::slo_report(*out);
  };
}

}  // namespace fleetsizer::cli
