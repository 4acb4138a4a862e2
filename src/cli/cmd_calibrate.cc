#include <fmt/format.h>

#include "cli/command.h"
#include "cli/measurement_flags.h"
#include "io/profile_file.h"

namespace fleetsizer::cli {

void setup_calibrate(CLI::App& app, Invocation& inv) {
  auto f = std::make_shared<MeasurementFlags>();
  f->add_to(app);
  inv.run = [f]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto set = f->read(catalog);
    if (!set) return fail(set.error().message);
    auto out = api::run_calibrate(std::move(set->rows), MeasurementFlags::skipped(*set));
    if (!out) return fail(out.error().message);
    const auto before = summarize(out->before);
    const auto after = summarize(out->after);
    int fitted_rows = 0;
    for (const auto& e : out->profile.entries) fitted_rows += e.rows;
    const std::string header = fmt::format(
        "# fleetsizer calibration profile, fitted on {} of {} rows from {}\n"
        "# in-sample median |error| over all rows before -> after: TTFT {:.1f}% -> {:.1f}%, TPOT "
        "{:.1f}% -> {:.1f}%, output tok/s {:.1f}% -> {:.1f}%\n"
        "# (in-sample only: see `fleetsizer validate --leave-one-out` for the out-of-sample "
        "error)\n",
        fitted_rows, out->rows.size(), fmt::join(f->files, ", "), before.ttft.median_abs_pct_error,
        after.ttft.median_abs_pct_error, before.tpot.median_abs_pct_error,
        after.tpot.median_abs_pct_error, before.output_tok_s.median_abs_pct_error,
        after.output_tok_s.median_abs_pct_error);
    return api::calibrate_report(*out, io::profile_yaml(out->profile, header));
  };
}

}  // namespace fleetsizer::cli
