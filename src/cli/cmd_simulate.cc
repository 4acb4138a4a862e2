#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "fleetsizer/api/simulate.h"
#include "io/output.h"

namespace fleetsizer::cli {

Result<api::SimulateRequest> simulate_request(const ParsedScenario& parsed,
                                              const SimulateSettings& settings) {
  const io::RawScenario* raw = &parsed.raw;
  const Scenario* s = &parsed.scenario;
  auto rate = io::positive_setting(*raw, "rate");
  if (!rate) return fail(rate.error().message);
  auto requests = io::integer_setting(*raw, "requests");
  if (!requests) return fail(requests.error().message);
  if (*requests && (**requests < 1 || **requests > kMaxSimRequests))
    return fail(fmt::format("--requests must be in [1, {}], got {}", kMaxSimRequests, **requests));
  auto replicas = io::integer_setting(*raw, "replicas");
  if (!replicas) return fail(replicas.error().message);
  // Checked before the narrowing cast: --replicas 4294967300 must not simulate 4 replicas.
  if (*replicas && (**replicas < 1 || **replicas > kMaxSimReplicas))
    return fail(fmt::format("--replicas must be in [1, {}], got {}", kMaxSimReplicas, **replicas));
  if (settings.max_waiting < 1) return fail("--max-waiting must be >= 1");

  api::SimulateRequest req;
  req.scenario = *s;
  req.replicas = static_cast<int>(replicas->value_or(1));
  req.seed = settings.seed;
  req.closed_form = !settings.step_by_step;
  req.find_replicas = settings.find_replicas;
  req.max_waiting = settings.max_waiting;
  const Workload& w = s->workload;
  if (w.trace) {
    // A trace runs at its own rate unless --rate scales it, and whole unless --requests cuts it.
    req.arrival_rate = rate->value_or(w.trace_native_rate);
    req.requests = requests->value_or(0);
    req.workload =
        fmt::format("trace {} (native {:.2f} req/s{})", w.trace_name, w.trace_native_rate,
                    *rate ? fmt::format(", scaled to {:.2f}", **rate) : std::string());
  } else {
    req.arrival_rate = rate->value_or(s->target_qps);
    req.requests = requests->value_or(10000);
    req.workload =
        fmt::format("{} at {:.2f} req/s, {} requests", describe(w), req.arrival_rate, req.requests);
  }
  return req;
}

void setup_simulate(CLI::App& app, Invocation& inv) {
  struct Flags {
    ScenarioFlags scenario{kSimulateReads};
    SimulateSettings settings;
    std::string per_request;
  };
  auto f = std::make_shared<Flags>();
  f->scenario.add_to(app);
  app.add_option("--seed", f->settings.seed, "Random seed (runs are deterministic for a seed)");
  app.add_flag("--find-replicas", f->settings.find_replicas,
               "Find the smallest replica count meeting the SLO");
  app.add_flag("--step-by-step", f->settings.step_by_step,
               "Advance one engine step per event (reference mode)");
  app.add_option("--per-request", f->per_request,
                 "Write one CSV row per finished request to this file");
  app.add_option("--max-waiting", f->settings.max_waiting,
                 "Stop as diverged when more requests than this are waiting");
  inv.run = [f]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto parsed = f->scenario.parse(catalog);
    if (!parsed) return fail(parsed.error().message);
    auto built = simulate_request(*parsed, f->settings);
    if (!built) return fail(built.error().message);
    api::SimulateRequest req = std::move(*built);
    // Per-request CSV, written whole or not at all (renamed into place at the end).
    std::shared_ptr<io::OutputFile> file;
    if (!f->per_request.empty()) {
      if (f->settings.find_replicas)
        return fail("--per-request cannot be combined with --find-replicas");
      auto opened = io::OutputFile::open(f->per_request);
      if (!opened) return fail(opened.error().message);
      file = std::make_shared<io::OutputFile>(std::move(*opened));
      auto* csv = &file->stream();
      *csv << "id,replica,arrival_s,admitted_s,first_token_s,finish_s,input_tokens,output_tokens,"
              "cached_tokens,"
              "preemptions,ttft_ms,tpot_ms,e2e_ms\n";
      req.on_finish = [file](const FinishedRequest& r) {
        auto* row = &file->stream();
        const double tpot = r.output_tokens > 1 ? (r.finish_s - r.first_token_s) * 1e3 /
                                                      static_cast<double>(r.output_tokens - 1)
                                                : 0;
        *row << fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{},{:.3f},{:.3f},{:.3f}\n",
                            r.id, r.replica, r.arrival_s, r.admitted_s, r.first_token_s, r.finish_s,
                            r.input_tokens, r.output_tokens, r.cached_tokens, r.preemptions,
                            (r.first_token_s - r.arrival_s) * 1e3, tpot,
                            (r.finish_s - r.arrival_s) * 1e3);
      };
    }
    // A progress line on a terminal for runs longer than a second; quiet otherwise.
    ProgressLine progress;
    if (const ProgressFn draw = progress.fn()) {
      const auto total = static_cast<double>(req.requests);
      req.on_progress = [draw, total](double, std::int64_t done) {
        draw({"simulating", static_cast<double>(done), total, "requests"});
      };
    }
    auto out = api::run_simulate(req);
    progress.finish();
    if (!out) return fail(out.error().message);  // the temporary CSV goes with `file`
    // A full disk mid-run fails here, not silently: no partial CSV is left.
    if (file)
      if (auto done = file->commit(); !done) return fail(done.error().message);
    return api::simulate_report(*out);
  };
}

}  // namespace fleetsizer::cli
