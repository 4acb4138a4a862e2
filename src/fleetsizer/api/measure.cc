#include "fleetsizer/api/measure.h"

#include <fmt/format.h>

#include <map>

namespace fleetsizer::api {
namespace {

void add_summary(report::Report& rep, const std::string& prefix, const ValidationSummary& s) {
  for (auto [name, e] :
       {std::pair<const char*, const ErrorSummary*>{"output_tok_s", &s.output_tok_s},
        {"ttft_ms", &s.ttft},
        {"tpot_ms", &s.tpot}}) {
    rep.add(prefix + name + ".median_abs_pct_error", e->median_abs_pct_error, 1);
    rep.add(prefix + name + ".p90_abs_pct_error", e->p90_abs_pct_error, 1);
    rep.add(prefix + name + ".n", report::integer(e->n));
  }
}

report::Cell opt(const std::optional<double>& v) {
  return v ? report::Cell{*v} : report::Cell{};
}

void add_skipped(report::Report& rep, const std::vector<Skipped>& skipped) {
  if (skipped.empty()) return;
  report::Table t{"skipped", "Skipped rows", {{"where", "where", 0}, {"reason", "reason", 0}}, {}};
  for (const auto& s : skipped) t.rows.push_back({s.where, s.reason});
  rep.tables.push_back(std::move(t));
}

}  // namespace

Result<ValidateOutput> run_validate(ValidateRequest req) {
  if (req.rows.empty())
    return fail("no usable measurement rows (every row was skipped or the files were empty)");
  ValidateOutput out;
  out.request = std::move(req);
  const auto& rows = out.request.rows;
  switch (out.request.mode) {
    case ValidationMode::given_profile:
      out.profile_used = out.request.profile;
      for (const auto& m : rows)
        out.predictions.push_back(
            predict_row(m, efficiency_for(out.profile_used, m.gpu.name, m.engine)));
      break;
    case ValidationMode::calibrate_all:
      out.profile_used = calibrate_profile(rows);
      for (const auto& m : rows)
        out.predictions.push_back(
            predict_row(m, efficiency_for(out.profile_used, m.gpu.name, m.engine)));
      break;
    case ValidationMode::leave_one_out:
      out.predictions = leave_one_configuration_out(rows, &out.fallbacks);
      break;
  }
  out.summary = summarize(out.predictions);
  std::map<std::string, std::vector<RowPrediction>> engines;
  for (const auto& p : out.predictions) engines[p.row->engine].push_back(p);
  for (const auto& [engine, preds] : engines) out.by_engine.emplace_back(engine, summarize(preds));
  return out;
}

report::Report validate_report(const ValidateOutput& out) {
  report::Report rep;
  const char* mode = out.request.mode == ValidationMode::given_profile
                         ? (out.request.profile.entries.empty() ? "uncalibrated (engine defaults)"
                                                                : "given profile")
                     : out.request.mode == ValidationMode::calibrate_all
                         ? "calibrated on all rows (in-sample)"
                         : "leave-one-configuration-out";
  rep.title = fmt::format("Validate: {} rows, {}", out.predictions.size(), mode);
  rep.add("mode", std::string(mode));
  add_summary(rep, "summary.", out.summary);
  for (const auto& [engine, s] : out.by_engine) add_summary(rep, "by_engine." + engine + ".", s);
  if (out.request.mode == ValidationMode::leave_one_out)
    rep.add("fallbacks_to_defaults", report::integer(out.fallbacks));
  report::Table t{"rows", "Rows", {}, {}};
  t.columns = {{"where", "where", 0},
               {"configuration", "configuration", 0},
               {"isl", "isl", 0},
               {"osl", "osl", 0},
               {"concurrency", "conc", 0},
               {"measured.ttft_ms", "TTFT", 1},
               {"predicted.ttft_ms", "TTFT^", 1},
               {"error_pct.ttft_ms", "err%", 1},
               {"measured.tpot_ms", "TPOT", 2},
               {"predicted.tpot_ms", "TPOT^", 2},
               {"error_pct.tpot_ms", "err%", 1},
               {"measured.output_tok_s", "tok/s", 0},
               {"predicted.output_tok_s", "tok/s^", 0},
               {"error_pct.output_tok_s", "err%", 1}};
  for (const auto& p : out.predictions) {
    const Measurement& m = *p.row;
    t.rows.push_back({m.where(), m.configuration(), m.isl, m.osl, opt(m.concurrency),
                      opt(m.ttft_ms), p.ttft_ms, opt(p.ttft_err_pct), opt(m.tpot_ms), p.tpot_ms,
                      opt(p.tpot_err_pct), opt(m.output_tok_s), p.output_tok_s,
                      opt(p.output_tok_s_err_pct)});
  }
  rep.tables.push_back(std::move(t));
  add_skipped(rep, out.request.skipped);
  rep.why("error_pct", "(predicted - measured) / measured x 100; summaries use its absolute value");
  rep.why("predicted.ttft_ms", "p50 of the closed-loop wave model (open loop: M/D/1 + M/M/1 tail)");
  return rep;
}

Result<CalibrateOutput> run_calibrate(std::vector<Measurement> rows, std::vector<Skipped> skipped) {
  if (rows.empty())
    return fail("no usable measurement rows (every row was skipped or the files were empty)");
  CalibrateOutput out;
  out.rows = std::move(rows);
  out.skipped = std::move(skipped);
  out.profile = calibrate_profile(out.rows);
  for (const auto& m : out.rows) {
    out.before.push_back(predict_row(m, engine_defaults(m.engine).efficiency));
    out.after.push_back(predict_row(m, efficiency_for(out.profile, m.gpu.name, m.engine)));
  }
  return out;
}

report::Report calibrate_report(const CalibrateOutput& out, const std::string& profile_yaml) {
  report::Report rep;
  rep.title = fmt::format("Calibrate: {} rows, {} (GPU, engine) groups", out.rows.size(),
                          out.profile.entries.size());
  add_summary(rep, "before.", summarize(out.before));
  add_summary(rep, "after.", summarize(out.after));
  report::Table t{"entries", "Fitted factors", {}, {}};
  t.columns = {{"gpu", "gpu", 0},
               {"engine", "engine", 0},
               {"rows", "rows", 0},
               {"compute", "compute", 3},
               {"memory", "memory", 3},
               {"step_overhead_ms", "step ms", 2},
               {"per_seq_overhead_us", "seq us", 1},
               {"median_abs_pct_error", "residual %", 1}};
  for (const auto& e : out.profile.entries)
    t.rows.push_back({e.gpu, e.engine, report::integer(e.rows), e.efficiency.compute,
                      e.efficiency.memory, e.efficiency.step_overhead_ms,
                      e.efficiency.per_seq_overhead_us, e.median_abs_pct_error});
  rep.tables.push_back(std::move(t));
  add_skipped(rep, out.skipped);
  rep.why("entries",
          "Levenberg-Marquardt on log(pred/meas) of TTFT and TPOT with Huber weights (delta 10%)");
  rep.text = profile_yaml;
  return rep;
}

}  // namespace fleetsizer::api
