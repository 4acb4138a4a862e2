#include "cli/command.h"
#include "fleetsizer/api/predict.h"

namespace fleetsizer::cli {

void setup_predict(CLI::App& app, Invocation& inv) {
  struct Flags {
    ScenarioFlags scenario;
    std::optional<double> concurrency;
  };
  auto f = std::make_shared<Flags>();
  f->scenario.add_to(app);
  app.add_option("--concurrency", f->concurrency,
                 "Closed-loop clients (each sends its next request when one ends)");
  inv.run = [f]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto raw = f->scenario.raw();
    if (!raw) return fail(raw.error().message);
    auto s = io::build_scenario(*raw, catalog);
    if (!s) return fail(s.error().message);
    auto rate = io::positive_setting(*raw, "rate");
    if (!rate) return fail(rate.error().message);
    auto out = api::run_predict({*s, f->concurrency, *rate});
    if (!out) return fail(out.error().message);
    return api::predict_report(*out);
  };
}

}  // namespace fleetsizer::cli
