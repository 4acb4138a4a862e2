#include <fmt/format.h>

#include "cli/command.h"
#include "cli/measurement_flags.h"
#include "cli/progress_line.h"
#include "io/profile_file.h"

namespace fleetsizer::cli {

void setup_calibrate(CLI::App& app, Invocation& inv) {
  struct Flags {
    MeasurementFlags measurements;
    MethodFlags method;
  };
  auto flags = std::make_shared<Flags>();
  flags->measurements.add_to(app);
  flags->method.add_to(app);
  inv.run = [flags]() -> Result<report::Report> {
    const MeasurementFlags* f = &flags->measurements;
    auto method = flags->method.parse();
    if (!method) return fail(method.error().message);
    Catalog catalog = builtin_catalog();
    auto set = f->read(catalog);
    if (!set) return fail(set.error().message);
    ProgressLine progress;
    method->progress = progress.fn();
    auto out = api::run_calibrate(std::move(set->rows), MeasurementFlags::skipped(*set), *method);
    progress.finish();
    if (!out) return fail(out.error().message);
    const auto before = summarize(out->before);
    const auto after = summarize(out->after);
    int fitted_rows = 0;
    for (const auto& e : out->profile.entries) fitted_rows += e.rows;
    const std::string header = fmt::format(
        "# fleetsizer calibration profile, fitted on {} of {} rows from {} (method {})\n"
        "# in-sample median |error| over all rows before -> after: TTFT {:.1f}% -> {:.1f}%, TPOT "
        "{:.1f}% -> {:.1f}%, output tok/s {:.1f}% -> {:.1f}%\n"
        "# (in-sample only: see `fleetsizer validate --leave-one-out` for the out-of-sample "
        "error)\n",
        fitted_rows, out->rows.size(), fmt::join(f->files, ", "),
        prediction_method_name(out->method.method), before.ttft.median_abs_pct_error,
        after.ttft.median_abs_pct_error, before.tpot.median_abs_pct_error,
        after.tpot.median_abs_pct_error, before.output_tok_s.median_abs_pct_error,
        after.output_tok_s.median_abs_pct_error);
    return api::calibrate_report(*out, io::profile_yaml(out->profile, header));
  };
}

}  // namespace fleetsizer::cli
