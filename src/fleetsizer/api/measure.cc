#include "fleetsizer/api/measure.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "fleetsizer/perf/expert_parallel.h"
#include "fleetsizer/sim/row_replay.h"

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
  report::Table t{
      "skipped",
      "Skipped rows",
      {{.key = "where", .title = "where", .precision = 0, .path = true}, {"reason", "reason", 0}},
      {}};
  for (const auto& s : skipped) t.rows.push_back({s.where, s.reason});
  rep.tables.push_back(std::move(t));
}

const char* source_name(EfficiencySource s) {
  switch (s) {
    case EfficiencySource::profile:
      return "profile";
    case EfficiencySource::held_out_fit:
      return "held-out fit";
    case EfficiencySource::engine_default:
      break;
  }
  return "engine default";
}

const char* side_name(BoundSide side) {
  return side == BoundSide::upper ? "upper" : "lower";
}

const char* status_name(CalibrationStatus s) {
  switch (s) {
    case CalibrationStatus::fitted:
      return "fitted";
    case CalibrationStatus::too_few_rows:
      return "too_few_rows";
    case CalibrationStatus::unsustainable:
      return "unsustainable_rows";
    case CalibrationStatus::not_converged:
      break;
  }
  return "not_converged";
}

std::string group_key(const GroupFit& g) {
  return g.gpu + "/" + g.engine;
}

// "kv_dtype", "weights_dtype,kv_dtype", or empty.
report::Cell assumed_cell(const Measurement& m) {
  std::vector<std::string> names;
  if (m.weights_dtype_assumed) names.emplace_back("weights_dtype");
  if (m.kv_dtype_assumed) names.emplace_back("kv_dtype");
  if (names.empty()) return {};
  return fmt::format("{}", fmt::join(names, ","));
}

// What a fitted factor at its bound means, in words.
std::string bound_note(const std::string& group, const BoundHit& h) {
  return fmt::format(
      "{}: {} fitted at {:.6g}, at its {} bound {} (the data want it {}: {}); use this entry "
      "with care",
      group, factor_name(h.factor), h.value, side_name(h.side), h.bound,
      h.side == BoundSide::upper ? "above" : "below",
      h.side == BoundSide::upper
          ? "a catalog peak set too low, or a cost the model charges that the engine avoids"
          : "another term of the model overcharges");
}

// Why a group was not fitted, in words.
std::string not_fitted_reason(const GroupFit& g) {
  switch (g.fit.status) {
    case CalibrationStatus::too_few_rows:
      return fmt::format("{} usable row{} (with a TTFT or TPOT), {} needed for {} free factors",
                         g.fit.rows, g.fit.rows == 1 ? "" : "s", g.fit.rows_needed,
                         g.fit.free_factors);
    case CalibrationStatus::unsustainable:
      return fmt::format(
          "the model predicts infinite latency for some of its {} rows (load beyond what it "
          "finds sustainable) whatever the factors",
          g.fit.rows);
    case CalibrationStatus::not_converged:
    case CalibrationStatus::fitted:
      break;
  }
  return fmt::format("no convergence in {} iterations on {} rows", g.fit.iterations, g.fit.rows);
}

std::string not_fitted_note(const GroupFit& g) {
  return fmt::format("{}: not fitted: {}; predictions for it use the engine defaults", group_key(g),
                     not_fitted_reason(g));
}

void add_fit_tables(report::Report& rep, const std::vector<GroupFit>& groups) {
  report::Table warn{"warnings",
                     "Fitted factors at a bound",
                     {{"gpu", "gpu", 0},
                      {"engine", "engine", 0},
                      {"factor", "factor", 0},
                      {"value", "value", 4},
                      {"bound", "bound", 0},
                      {"side", "side", 0}},
                     {}};
  report::Table skipped{"not_fitted",
                        "Groups not fitted",
                        {{"gpu", "gpu", 0},
                         {"engine", "engine", 0},
                         {"rows", "rows", 0},
                         {"needed", "needed", 0},
                         {"reason", "reason", 0}},
                        {}};
  for (const auto& g : groups) {
    for (const auto& h : g.fit.at_bound) {
      warn.rows.push_back({g.gpu, g.engine, std::string(factor_name(h.factor)), h.value, h.bound,
                           std::string(side_name(h.side))});
      rep.notes.push_back(bound_note(group_key(g), h));
    }
    if (!g.fit.fitted()) {
      skipped.rows.push_back({g.gpu, g.engine, report::integer(g.fit.rows),
                              report::integer(g.fit.rows_needed),
                              std::string(status_name(g.fit.status))});
      rep.notes.push_back(not_fitted_note(g));
    }
  }
  rep.tables.push_back(std::move(warn));
  rep.tables.push_back(std::move(skipped));
}

// The --explain line for the efficiency factors: which rows used a profile entry and which the
// engine defaults (a profile being given does not mean it had an entry for every row).
std::string efficiency_explain(const std::vector<RowPrediction>& preds, bool profile_given) {
  std::map<std::string, std::map<std::string, int>> by_source;  // source -> gpu/engine -> rows
  for (const auto& p : preds)
    ++by_source[source_name(p.source)][p.row->gpu.name + "/" + p.row->engine];
  std::vector<std::string> parts;
  for (const auto& [source, groups] : by_source) {
    std::vector<std::string> gs;
    for (const auto& [g, n] : groups) gs.push_back(fmt::format("{} ({} rows)", g, n));
    const bool missing = source == std::string("engine default") && profile_given;
    parts.push_back(fmt::format("{}{} for {}", source, missing ? " (the profile has no entry)" : "",
                                fmt::join(gs, ", ")));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

// The predictor of the final predictions and the one fits use (the same method; a sim fit may
// replay fewer requests).
struct Predictors {
  std::unique_ptr<RowPredictor> predict, fit;
};

// A predictor that counts its forecasts for the progress line (fits run on several threads).
class CountingPredictor final : public RowPredictor {
 public:
  CountingPredictor(std::unique_ptr<RowPredictor> inner, ProgressFn progress, std::string_view task,
                    std::string_view unit, double total)
      : inner_(std::move(inner)),
        progress_(std::move(progress)),
        task_(task),
        unit_(unit),
        total_(total) {}
  RowForecast forecast(const Measurement& row, const Efficiency& efficiency) const override {
    RowForecast f = inner_->forecast(row, efficiency);
    progress_({task_, static_cast<double>(++count_), total_, unit_});
    return f;
  }
  PredictionMethod method() const override { return inner_->method(); }
  bool uses_wave_sync() const override { return inner_->uses_wave_sync(); }

 private:
  std::unique_ptr<RowPredictor> inner_;
  ProgressFn progress_;
  std::string_view task_, unit_;
  double total_;
  mutable std::atomic<std::int64_t> count_{0};
};

// `predictions`: how many rows the predict predictor will forecast (the progress line's total).
Predictors make_predictors(const MethodOptions& o, std::size_t predictions) {
  Predictors p;
  if (o.method == PredictionMethod::analytic) {
    p = {std::make_unique<AnalyticPredictor>(), std::make_unique<AnalyticPredictor>()};
  } else {
    p = {std::make_unique<ReplayPredictor>(),
         std::make_unique<ReplayPredictor>(ReplayPolicy{o.fit_requests, 1})};
  }
  if (o.progress) {
    p.predict =
        std::make_unique<CountingPredictor>(std::move(p.predict), o.progress, "predicting rows",
                                            "rows", static_cast<double>(predictions));
    p.fit = std::make_unique<CountingPredictor>(std::move(p.fit), o.progress, "fitting",
                                                "row forecasts", 0.0);
  }
  return p;
}

std::string method_explain(const MethodOptions& o) {
  if (o.method == PredictionMethod::analytic)
    return "analytic: the closed-form steady state (docs/model.md section 5): closed loop as a "
           "blend of synchronized waves and spread clients (wave_sync), open loop as a Poisson "
           "fixed point with queueing waits, offline as a closed loop at the running cap";
  std::string fit = o.fit_requests > 0 ? fmt::format(
                                             "; fits replay at most {} requests (three rounds of a "
                                             "closed loop's clients at least)",
                                             o.fit_requests)
                                       : std::string();
  return "sim: each row's benchmark replayed in the simulator (closed loop with C clients "
         "starting together, Poisson at the row's rate, offline all at t = 0), with the row's "
         "request count or max(10 C, 500) closed loop, 1000 otherwise; fixed lengths at the "
         "row's means" +
         fit;
}

}  // namespace

Result<ValidateOutput> run_validate(ValidateRequest req) {
  if (req.rows.empty())
    return fail("no usable measurement rows (every row was skipped or the files were empty)");
  ValidateOutput out;
  out.request = std::move(req);
  const auto& rows = out.request.rows;
  const Predictors predictors = make_predictors(out.request.method, rows.size());
  auto predict_with = [&](const Profile& profile) {
    for (const auto& m : rows) {
      const EfficiencyChoice c = choose_efficiency(profile, m.gpu.name, m.engine);
      out.predictions.push_back(predict_row(m, c.efficiency, *predictors.predict));
      out.predictions.back().source =
          c.from_profile ? EfficiencySource::profile : EfficiencySource::engine_default;
    }
  };
  switch (out.request.mode) {
    case ValidationMode::given_profile:
      out.profile_used = out.request.profile;
      predict_with(out.profile_used);
      break;
    case ValidationMode::calibrate_all: {
      ProfileFit fit = calibrate_profile(rows, *predictors.fit);
      out.profile_used = std::move(fit.profile);
      out.fits = std::move(fit.groups);
      predict_with(out.profile_used);
      break;
    }
    case ValidationMode::leave_one_out:
      out.predictions =
          leave_one_configuration_out(rows, *predictors.fit, *predictors.predict, &out.fallbacks);
      break;
  }
  out.summary = summarize(out.predictions);
  std::map<std::string, std::vector<RowPrediction>> engines;
  for (const auto& p : out.predictions) engines[p.row->engine].push_back(p);
  for (const auto& [engine, preds] : engines) out.by_engine.emplace_back(engine, summarize(preds));
  return out;
}

// Predicted against measured output tok/s per row (log-log), the line of perfect prediction and
// the band of the p90 absolute error around it.
static report::Chart predicted_vs_measured_chart(const ValidateOutput& out) {
  report::Chart c;
  c.key = "output_tok_s_predicted_vs_measured";
  c.title = "Output tok/s: predicted against measured";
  c.x = {"measured output", "tok/s", true};
  c.y = {"predicted output", "tok/s", true};
  std::map<std::string, report::Series> by_engine;
  double lo = INFINITY, hi = 0;
  for (const auto& p : out.predictions) {
    const Measurement& m = *p.row;
    if (!m.output_tok_s || !(*m.output_tok_s > 0) || !(p.output_tok_s > 0)) continue;
    auto& series = by_engine[m.engine];
    series.label = m.engine;
    series.line = false;
    series.points.push_back({*m.output_tok_s, p.output_tok_s});
    lo = std::min(lo, *m.output_tok_s);
    hi = std::max(hi, *m.output_tok_s);
  }
  for (auto& [engine, series] : by_engine) c.series.push_back(std::move(series));
  if (hi > 0) {
    const double band = out.summary.output_tok_s.p90_abs_pct_error / 100.0;
    c.series.push_back({"predicted = measured", {{lo, lo}, {hi, hi}}, true, false});
    c.series.push_back({fmt::format("+{:.0f}% (p90 abs error)", band * 100),
                        {{lo, lo * (1 + band)}, {hi, hi * (1 + band)}},
                        true,
                        false});
    if (band < 1)
      c.series.push_back({fmt::format("-{:.0f}%", band * 100),
                          {{lo, lo * (1 - band)}, {hi, hi * (1 - band)}},
                          true,
                          false});
  }
  return c;
}

report::Report validate_report(const ValidateOutput& out) {
  report::Report rep;
  const char* mode = out.request.mode == ValidationMode::given_profile
                         ? (out.request.profile.entries.empty() ? "uncalibrated (engine defaults)"
                                                                : "given profile")
                     : out.request.mode == ValidationMode::calibrate_all
                         ? "calibrated on all rows (in-sample)"
                         : "leave-one-configuration-out";
  rep.title = fmt::format("Validate: {} rows, {}, method {}", out.predictions.size(), mode,
                          prediction_method_name(out.request.method.method));
  const ValidationSummary& sum = out.summary;
  rep.headline = fmt::format(
      "Median absolute error over {} rows ({}): output tok/s {:.1f}% (p90 {:.1f}%), TTFT {:.1f}%, "
      "TPOT {:.1f}%",
      out.predictions.size(), mode, sum.output_tok_s.median_abs_pct_error,
      sum.output_tok_s.p90_abs_pct_error, sum.ttft.median_abs_pct_error,
      sum.tpot.median_abs_pct_error);
  rep.add("mode", std::string(mode));
  rep.add("method", std::string(prediction_method_name(out.request.method.method)));
  if (out.request.method.method == PredictionMethod::sim &&
      out.request.mode != ValidationMode::given_profile)
    rep.add("fit_requests", report::integer(out.request.method.fit_requests));
  add_summary(rep, "summary.", out.summary);
  for (const auto& [engine, s] : out.by_engine) add_summary(rep, "by_engine." + engine + ".", s);
  if (out.request.mode == ValidationMode::leave_one_out)
    rep.add("fallbacks_to_defaults", report::integer(out.fallbacks));
  report::Table t{"rows", "Rows", {}, {}};
  t.columns = {{.key = "where", .title = "where", .precision = 0, .path = true},
               {"configuration", "configuration", 0},
               {"isl", "isl", 0},
               {"osl", "osl", 0},
               {"concurrency", "conc", 0},
               {"request_rate", "rate", 2},
               {"latency_stat", "stat", 0},
               {"measured.ttft_ms", "TTFT", 1},
               {"predicted.ttft_ms", "TTFT^", 1},
               {"error_pct.ttft_ms", "err%", 1},
               {"measured.tpot_ms", "TPOT", 2},
               {"predicted.tpot_ms", "TPOT^", 2},
               {"error_pct.tpot_ms", "err%", 1},
               {"measured.output_tok_s", "tok/s", 0},
               {"predicted.output_tok_s", "tok/s^", 0},
               {"error_pct.output_tok_s", "err%", 1},
               {"efficiency_source", "factors", 0},
               {"assumed", "assumed", 0}};
  int assumed_kv = 0, assumed_weights = 0;
  std::map<std::string, int> defaults_despite_profile;  // gpu/engine -> rows
  for (const auto& p : out.predictions) {
    const Measurement& m = *p.row;
    t.rows.push_back({m.where(), m.configuration(), m.isl, m.osl, opt(m.concurrency),
                      opt(m.request_rate), std::string(percentile_name(m.latency_stat)),
                      opt(m.ttft_ms), p.ttft_ms, opt(p.ttft_err_pct), opt(m.tpot_ms), p.tpot_ms,
                      opt(p.tpot_err_pct), opt(m.output_tok_s), p.output_tok_s,
                      opt(p.output_tok_s_err_pct), std::string(source_name(p.source)),
                      assumed_cell(m)});
    assumed_kv += m.kv_dtype_assumed ? 1 : 0;
    assumed_weights += m.weights_dtype_assumed ? 1 : 0;
    if (out.request.mode == ValidationMode::given_profile && !out.request.profile.entries.empty() &&
        p.source == EfficiencySource::engine_default)
      ++defaults_despite_profile[m.gpu.name + "/" + m.engine];
  }
  t.detail = true;  // about 190 columns wide: the table format shows it under --verbose
  rep.tables.push_back(std::move(t));
  add_skipped(rep, out.request.skipped);
  if (out.request.mode == ValidationMode::calibrate_all) add_fit_tables(rep, out.fits);
  rep.charts.push_back(predicted_vs_measured_chart(out));
  for (const auto& [group, n] : defaults_despite_profile)
    rep.notes.push_back(
        fmt::format("the profile has no entry for {}: its {} row{} used the engine defaults", group,
                    n, n == 1 ? "" : "s"));
  rep.add("assumed.kv_dtype_rows", report::integer(assumed_kv));
  rep.add("assumed.weights_dtype_rows", report::integer(assumed_weights));
  for (auto [n, name] : {std::pair{assumed_weights, "weights_dtype"}, {assumed_kv, "kv_dtype"}})
    if (n > 0)
      rep.notes.push_back(
          fmt::format("{} row{} left {} empty: assumed (the `assumed` column; docs/formats.md)", n,
                      n == 1 ? "" : "s", name));
  rep.why("efficiency",
          efficiency_explain(out.predictions, out.request.mode == ValidationMode::given_profile &&
                                                  !out.request.profile.entries.empty()));
  if (assumed_kv > 0 || assumed_weights > 0)
    rep.why("assumed",
            "an empty weights_dtype is assumed bf16; an empty kv_dtype is assumed fp8 for trtllm "
            "with fp8/fp4 weights, fp16 with fp16 weights, else bf16 (the engines' defaults)");
  rep.why("error_pct", "(predicted - measured) / measured x 100; summaries use its absolute value");
  if (std::ranges::any_of(out.predictions,
                          [](const RowPrediction& p) { return p.row->model.is_moe(); }))
    rep.why("moe", fmt::format("MoE rows are predicted at their layout (tp, attention_dp_size, "
                               "moe_tp_size, moe_ep_size; docs/model.md); {}",
                               kMoeUnmodeled));
  rep.why("method", method_explain(out.request.method));
  rep.why("latency_stat",
          "the statistic of the row's measured TTFT and TPOT, compared with the same predicted "
          "statistic: the latency_stat column, else the file name (-p99.csv), else the source "
          "text (mean_ttft_ms, median_ttft_ms, p99_ttft_ms), else the median (docs/formats.md)");
  return rep;
}

Result<CalibrateOutput> run_calibrate(std::vector<Measurement> rows, std::vector<Skipped> skipped,
                                      MethodOptions method) {
  if (rows.empty())
    return fail("no usable measurement rows (every row was skipped or the files were empty)");
  CalibrateOutput out;
  out.rows = std::move(rows);
  out.skipped = std::move(skipped);
  out.method = method;
  // Each row is predicted twice: with the engine defaults (before) and the fitted factors.
  const Predictors predictors = make_predictors(method, 2 * out.rows.size());
  ProfileFit fit = calibrate_profile(out.rows, *predictors.fit);
  out.profile = std::move(fit.profile);
  out.groups = std::move(fit.groups);
  if (out.profile.entries.empty()) {
    std::set<std::string> files;
    for (const auto& m : out.rows) files.insert(m.file);
    std::vector<std::string> why;
    for (const auto& g : out.groups)
      why.push_back(fmt::format("{}: {}", group_key(g), not_fitted_reason(g)));
    return fail(fmt::format("{}: no (GPU, engine) group could be fitted ({})",
                            fmt::join(files, ", "), fmt::join(why, "; ")));
  }
  for (const auto& m : out.rows) {
    out.before.push_back(predict_row(m, engine_defaults(m.engine).efficiency, *predictors.predict));
    const EfficiencyChoice c = choose_efficiency(out.profile, m.gpu.name, m.engine);
    out.after.push_back(predict_row(m, c.efficiency, *predictors.predict));
    out.after.back().source =
        c.from_profile ? EfficiencySource::profile : EfficiencySource::engine_default;
  }
  return out;
}

report::Report calibrate_report(const CalibrateOutput& out, const std::string& profile_yaml) {
  report::Report rep;
  rep.title = fmt::format("Calibrate: {} rows, {} of {} (GPU, engine) groups fitted",
                          out.rows.size(), out.profile.entries.size(), out.groups.size());
  rep.headline = fmt::format("Fitted {} of {} (GPU, engine) groups on {} rows",
                             out.profile.entries.size(), out.groups.size(), out.rows.size());
  rep.headline_in_text = false;  // the table format is the profile YAML itself (-o writes it)
  rep.add("method", std::string(prediction_method_name(out.method.method)));
  if (out.method.method == PredictionMethod::sim)
    rep.add("fit_requests", report::integer(out.method.fit_requests));
  add_summary(rep, "before.", summarize(out.before));
  add_summary(rep, "after.", summarize(out.after));
  rep.add("groups.fitted", report::integer(static_cast<std::int64_t>(out.profile.entries.size())));
  rep.add(
      "groups.not_fitted",
      report::integer(static_cast<std::int64_t>(out.groups.size() - out.profile.entries.size())));
  report::Table t{"entries", "Fitted factors", {}, {}};
  t.columns = {{"gpu", "gpu", 0},
               {"engine", "engine", 0},
               {"rows", "rows", 0},
               {"compute", "compute", 3},
               {"memory", "memory", 3},
               {"step_overhead_ms", "step ms", 2},
               {"per_seq_overhead_us", "seq us", 1},
               {"wave_sync", "wave", 3},
               {"low_precision_compute", "low-prec", 3},
               {"median_abs_pct_error", "residual %", 1},
               {"at_bound", "at bound", 0}};
  for (const auto& g : out.groups) {
    if (!g.fit.fitted()) continue;
    const Efficiency& e = g.fit.efficiency;
    t.rows.push_back({g.gpu, g.engine, report::integer(g.fit.rows), e.compute, e.memory,
                      e.step_overhead_ms, e.per_seq_overhead_us, e.wave_sync,
                      e.low_precision_compute, g.fit.median_abs_pct_error_after,
                      report::integer(static_cast<std::int64_t>(g.fit.at_bound.size()))});
  }
  rep.tables.push_back(std::move(t));
  add_fit_tables(rep, out.groups);
  add_skipped(rep, out.skipped);
  rep.why("entries",
          "Levenberg-Marquardt on log(pred/meas) of TTFT and TPOT with Huber weights (delta 10%)");
  rep.why("method", method_explain(out.method));
  rep.why(
      "warnings",
      fmt::format("a fitted efficiency within {} of 0 or 1, or an overhead below {:.0f}% of its "
                  "engine default: the transform kept it inside its physical range, but the "
                  "data pull it past the bound",
                  kEfficiencyBoundTolerance, kOverheadBoundFraction * 100));
  rep.why("not_fitted",
          "a (GPU, engine) group needs at least one usable row (with a TTFT or TPOT) per free "
          "factor; a group that is not fitted has no profile entry (engine defaults apply)");
  // The table format prints the profile itself (so `-o profile.yaml` writes it): the notes go in
  // as YAML comments.
  std::string text = profile_yaml;
  for (const auto& n : rep.notes) text += "# note: " + n + "\n";
  rep.text = std::move(text);
  return rep;
}

}  // namespace fleetsizer::api
