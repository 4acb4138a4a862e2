#include "cli/command.h"
#include "fleetsizer/api/predict.h"

namespace fleetsizer::cli {

void setup_predict(CLI::App& app, Invocation& inv) {
  struct Flags {
    ScenarioFlags scenario{
        {io::KeyGroup::replica, io::KeyGroup::profile, io::KeyGroup::lengths, io::KeyGroup::rate}};
    std::optional<double> concurrency;
  };
  auto f = std::make_shared<Flags>();
  f->scenario.add_to(app);
  app.add_option("--concurrency", f->concurrency,
                 "Closed-loop clients (each sends its next request when one ends)");
  inv.run = [f]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto parsed = f->scenario.parse(catalog);
    if (!parsed) return fail(parsed.error().message);
    auto rate = io::positive_setting(parsed->raw, "rate");
    if (!rate) return fail(rate.error().message);
    auto out = api::run_predict({parsed->scenario, f->concurrency, *rate});
    if (!out) return fail(out.error().message);
    return api::predict_report(*out);
  };
}

}  // namespace fleetsizer::cli
