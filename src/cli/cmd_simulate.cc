#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/command.h"
#include "fleetsizer/api/simulate.h"
#include "fleetsizer/workload/synthetic.h"
#include "io/trace_file.h"

namespace fleetsizer::cli {

void setup_simulate(CLI::App& app, Invocation& inv) {
  struct Flags {
    ScenarioFlags scenario;
    std::uint64_t seed = 1;
    std::string router = "least_outstanding";
    std::string arrival = "poisson";
    double cv = 1;
    std::string length_dist = "fixed";
    double sigma = 1;
    std::string lengths_from;
    double prefix_hit_rate = 0;
    bool find_replicas = false;
    bool step_by_step = false;
    bool skip_bad_lines = false;
    std::string per_request;
    std::int64_t max_waiting = 200000;
  };
  auto f = std::make_shared<Flags>();
  f->scenario.add_to(app);
  app.add_option("--seed", f->seed, "Random seed (runs are deterministic for a seed)");
  app.add_option("--router", f->router,
                 "round_robin, random, least_outstanding, power_of_two, least_kv, prefix_affinity");
  app.add_option("--arrival", f->arrival,
                 "Synthetic arrivals: poisson, gamma, deterministic, onoff");
  app.add_option("--cv", f->cv, "Gamma arrivals: coefficient of variation of the gaps");
  app.add_option("--length-dist", f->length_dist,
                 "Synthetic lengths around --isl/--osl: fixed, uniform, lognormal");
  app.add_option("--sigma", f->sigma, "Lognormal lengths: sigma of the underlying normal");
  app.add_option("--lengths-from", f->lengths_from,
                 "Resample lengths from this trace (empirical mix)");
  app.add_option("--prefix-hit-rate", f->prefix_hit_rate,
                 "Fraction of each prompt found in the prefix cache");
  app.add_flag("--find-replicas", f->find_replicas,
               "Find the smallest replica count meeting the SLO");
  app.add_flag("--step-by-step", f->step_by_step,
               "Advance one engine step per event (reference mode)");
  app.add_flag("--skip-bad-lines", f->skip_bad_lines,
               "Count and skip malformed trace lines instead of failing");
  app.add_option("--per-request", f->per_request,
                 "Write one CSV row per finished request to this file");
  app.add_option("--max-waiting", f->max_waiting,
                 "Stop as diverged when more requests than this are waiting");
  inv.run = [f]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto parsed = f->scenario.parse(catalog);
    if (!parsed) return fail(parsed.error().message);
    const io::RawScenario* raw = &parsed->raw;
    const Scenario* s = &parsed->scenario;
    auto rate = io::positive_setting(*raw, "rate");
    if (!rate) return fail(rate.error().message);
    auto requests = io::integer_setting(*raw, "requests");
    if (!requests) return fail(requests.error().message);
    if (*requests && **requests < 1) return fail("--requests must be >= 1");
    auto replicas = io::integer_setting(*raw, "replicas");
    if (!replicas) return fail(replicas.error().message);
    auto router = parse_router(f->router);
    if (!router) return fail(router.error().message);
    if (!(f->prefix_hit_rate >= 0 && f->prefix_hit_rate < 1))
      return fail("--prefix-hit-rate must be in [0, 1)");
    if (f->max_waiting < 1) return fail("--max-waiting must be >= 1");

    api::SimulateRequest req;
    req.scenario = *s;
    req.replicas = static_cast<int>(replicas->value_or(1));
    req.router = *router;
    req.seed = f->seed;
    req.prefix_hit_rate = f->prefix_hit_rate;
    req.closed_form = !f->step_by_step;
    req.find_replicas = f->find_replicas;
    req.max_waiting = f->max_waiting;
    if (auto trace = io::string_setting(*raw, "trace")) {
      io::TraceOptions topt;
      topt.target_rate = *rate;
      topt.max_requests = requests->value_or(0);
      topt.skip_bad_lines = f->skip_bad_lines;
      io::TraceStats stats;
      const std::string path = io::resolve_path(*raw, *trace);
      auto probe = io::open_trace(path, topt, &stats);
      if (!probe) return fail(probe.error().message);
      req.arrival_rate = rate->value_or(stats.rate());
      req.workload = fmt::format("trace {} ({} requests, native {:.2f} req/s{})", *trace,
                                 stats.requests, stats.rate(),
                                 *rate ? fmt::format(", scaled to {:.2f}", **rate) : std::string());
      req.make_source = [path, topt]() { return io::open_trace(path, topt); };
    } else {
      const double arrival_rate = rate->value_or(s->target_qps);
      auto arrivals = parse_arrival(f->arrival, arrival_rate, f->cv);
      if (!arrivals) return fail(arrivals.error().message);
      LengthSpec in, out;
      if (!f->lengths_from.empty()) {
        auto lengths = io::read_trace_lengths(f->lengths_from);
        if (!lengths) return fail(lengths.error().message);
        std::vector<std::int64_t> inputs, outputs;
        for (const auto& [i, o] : *lengths) {
          inputs.push_back(i);
          outputs.push_back(o);
        }
        in = empirical(std::move(inputs));
        out = empirical(std::move(outputs));
      } else {
        for (auto [spec, mean] : {std::pair{&in, s->isl}, {&out, s->osl}}) {
          spec->mean = mean;
          spec->min = 1;
          spec->max = std::max(1.0, 2 * mean - 1);
          spec->sigma = f->sigma;
          if (f->length_dist == "fixed")
            spec->kind = LengthKind::fixed;
          else if (f->length_dist == "uniform")
            spec->kind = LengthKind::uniform;
          else if (f->length_dist == "lognormal")
            spec->kind = LengthKind::lognormal;
          else if (f->length_dist == "exponential")
            spec->kind = LengthKind::exponential;
          else
            return fail(
                fmt::format("--length-dist: unknown '{}' (fixed, uniform, lognormal, exponential)",
                            f->length_dist));
        }
      }
      if (auto v = validate(in, "input lengths"); !v) return fail(v.error().message);
      if (auto v = validate(out, "output lengths"); !v) return fail(v.error().message);
      const std::int64_t count = requests->value_or(10000);
      const std::uint64_t seed = f->seed;
      req.arrival_rate = arrival_rate;
      req.workload =
          fmt::format("{} arrivals at {:.2f} req/s, {} requests", f->arrival, arrival_rate, count);
      req.make_source = [arrivals = *arrivals, in, out, count,
                         seed]() -> Result<std::unique_ptr<RequestSource>> {
        return std::unique_ptr<RequestSource>(new SyntheticSource(arrivals, in, out, count, seed));
      };
    }
    // Per-request CSV, written whole or not at all (renamed into place at the end).
    std::shared_ptr<std::ofstream> csv;
    std::string tmp;
    if (!f->per_request.empty()) {
      if (f->find_replicas) return fail("--per-request cannot be combined with --find-replicas");
      tmp = f->per_request + ".tmp." + std::to_string(::getpid());
      csv = std::make_shared<std::ofstream>(tmp);
      if (!*csv) return fail(fmt::format("{}: cannot write", f->per_request));
      *csv << "id,replica,arrival_s,admitted_s,first_token_s,finish_s,input_tokens,output_tokens,"
              "cached_tokens,"
              "preemptions,ttft_ms,tpot_ms,e2e_ms\n";
      req.on_finish = [csv](const FinishedRequest& r) {
        const double tpot = r.output_tokens > 1 ? (r.finish_s - r.first_token_s) * 1e3 /
                                                      static_cast<double>(r.output_tokens - 1)
                                                : 0;
        *csv << fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{},{:.3f},{:.3f},{:.3f}\n",
                            r.id, r.replica, r.arrival_s, r.admitted_s, r.first_token_s, r.finish_s,
                            r.input_tokens, r.output_tokens, r.cached_tokens, r.preemptions,
                            (r.first_token_s - r.arrival_s) * 1e3, tpot,
                            (r.finish_s - r.arrival_s) * 1e3);
      };
    }
    // A progress line on a terminal for runs longer than a second; quiet otherwise.
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    const auto started = std::chrono::steady_clock::now();
    bool printed = false;
    if (tty) {
      req.on_progress = [started, &printed](double t, std::int64_t done) {
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (wall < 1.0) return;
        std::fprintf(stderr, "\r[simulate] %.1f s wall, simulated %.1f s, %lld requests done   ",
                     wall, t, static_cast<long long>(done));
        printed = true;
      };
    }
    auto out = api::run_simulate(req);
    if (printed) std::fprintf(stderr, "\r%80s\r", "");
    if (!out) {
      if (csv) std::filesystem::remove(tmp);
      return fail(out.error().message);
    }
    if (csv) {
      csv->close();
      std::error_code ec;
      std::filesystem::rename(tmp, f->per_request, ec);
      if (ec) return fail(fmt::format("{}: cannot write", f->per_request));
    }
    return api::simulate_report(*out);
  };
}

}  // namespace fleetsizer::cli
