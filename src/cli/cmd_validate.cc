#include "cli/command.h"
#include "cli/measurement_flags.h"
#include "cli/progress_line.h"
#include "fleetsizer/search/error_bands.h"
#include "io/output.h"
#include "io/profile_file.h"
#include "io/search_file.h"

namespace fleetsizer::cli {

void setup_validate(CLI::App& app, Invocation& inv) {
  struct Flags {
    MeasurementFlags measurements;
    MethodFlags method;
    std::string profile;
    bool calibrate_all = false;
    bool leave_one_out = false;
    std::string error_bands_out;
  };
  auto f = std::make_shared<Flags>();
  f->measurements.add_to(app);
  f->method.add_to(app);
  app.add_option("--profile", f->profile,
                 "Calibrated profile to predict with (default: engine defaults)");
  app.add_flag("--calibrate-all", f->calibrate_all,
               "Fit on all rows, then predict them (in-sample error)");
  app.add_flag(
      "--leave-one-out", f->leave_one_out,
      "Predict each configuration with factors fitted on the others (out-of-sample error)");
  app.add_option("--error-bands-out", f->error_bands_out,
                 "Also write the throughput error bands (measured / predicted output tok/s per "
                 "engine and GPU) that `search` reads for its p50/p95 replicas");
  inv.run = [f]() -> Result<report::Report> {
    auto method = f->method.parse();
    if (!method) return fail(method.error().message);
    Catalog catalog = builtin_catalog();
    auto set = f->measurements.read(catalog);
    if (!set) return fail(set.error().message);
    api::ValidateRequest req;
    req.rows = std::move(set->rows);
    req.skipped = MeasurementFlags::skipped(*set);
    req.method = *method;
    if (!f->profile.empty()) {
      auto p = io::read_profile_file(f->profile);
      if (!p) return fail(p.error().message);
      req.profile = std::move(*p);
    }
    if (f->calibrate_all && f->leave_one_out)
      return fail("--calibrate-all and --leave-one-out exclude each other");
    if (f->calibrate_all) req.mode = api::ValidationMode::calibrate_all;
    if (f->leave_one_out) req.mode = api::ValidationMode::leave_one_out;
    ProgressLine progress;
    req.method.progress = progress.fn();
    auto out = api::run_validate(std::move(req));
    progress.finish();
    if (!out) return fail(out.error().message);
    if (!f->error_bands_out.empty()) {
      const ErrorBands bands = error_bands_from(throughput_residuals(out->predictions));
      if (auto w = io::write_file_atomically(f->error_bands_out, io::error_bands_csv(bands)); !w)
        return fail(w.error().message);
    }
    return api::validate_report(*out);
  };
}

}  // namespace fleetsizer::cli
