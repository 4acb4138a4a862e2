#pragma once
// The subcommand table (ninja-style): adding a command is one cmd_<name>.cc defining its setup
// function and one line in commands.cc. A setup declares the command's flags and stores the
// function that runs it; main() parses, runs, renders the Report and writes it out.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "fleetsizer/api/simulate.h"
#include "fleetsizer/api/size.h"
#include "fleetsizer/report/report.h"
#include "io/scenario_file.h"

namespace fleetsizer::cli {

struct Invocation {
  std::function<Result<report::Report>()> run;
};

struct CommandSpec {
  const char* name;
  const char* help;
  void (*setup)(CLI::App& app, Invocation& invocation);
};

const std::vector<CommandSpec>& commands();

// Parsed shared flags: the raw settings (for command-specific keys such as `rate`) and the
// validated scenario built from them.
struct ParsedScenario {
  io::RawScenario raw;
  Scenario scenario;
};

// The shared scenario flags of DESIGN.md section 6 (--scenario, --model, --gpu, --tp, ...), bound
// to a command: only the flags of the key groups the command reads (io::KeyGroup), so that a flag
// it would ignore is rejected as unknown. After parsing, raw() holds the file's settings of those
// groups (a shared file's other keys are left out) overlaid by the flags.
class ScenarioFlags {
 public:
  explicit ScenarioFlags(io::KeyGroups reads) : reads_(reads) {}
  void add_to(CLI::App& app);
  Result<io::RawScenario> raw() const;
  Result<Scenario> build(Catalog& catalog) const;
  Result<ParsedScenario> parse(Catalog& catalog) const;
  bool has_scenario_file() const { return !scenario_path_.empty(); }

 private:
  struct Binding {
    std::string flag;
    std::string key;
    std::string value;
    CLI::Option* option = nullptr;
  };
  io::KeyGroups reads_;
  std::string scenario_path_;
  std::vector<std::string> slo_;
  CLI::Option* slo_option_ = nullptr;
  bool skip_bad_lines_ = false;
  CLI::Option* skip_bad_lines_option_ = nullptr;
  std::vector<Binding> bindings_;
};

// What size and slo read: everything but the simulate-only run settings (rate, requests, replicas).
inline constexpr io::KeyGroups kPlanReads = {
    io::KeyGroup::replica,      io::KeyGroup::profile, io::KeyGroup::lengths, io::KeyGroup::traffic,
    io::KeyGroup::prefix_cache, io::KeyGroup::router,  io::KeyGroup::slo,     io::KeyGroup::target,
    io::KeyGroup::fleet,        io::KeyGroup::given_q};

// What simulate reads: the replica, its traffic and the SLO (for goodput and --find-replicas);
// target_qps is the rate when `rate` is not given. Neither prices nor a given q: a run measures,
// it does not plan.
inline constexpr io::KeyGroups kSimulateReads = {
    io::KeyGroup::replica,      io::KeyGroup::profile, io::KeyGroup::lengths, io::KeyGroup::traffic,
    io::KeyGroup::prefix_cache, io::KeyGroup::router,  io::KeyGroup::slo,     io::KeyGroup::target,
    io::KeyGroup::rate,         io::KeyGroup::run};

// simulate's run settings beside the scenario (its flags; `serve` takes them as JSON options).
struct SimulateSettings {
  std::uint64_t seed = 1;
  bool find_replicas = false;
  bool step_by_step = false;
  std::int64_t max_waiting = 200000;
};
// The simulate request of a parsed scenario (rate, requests and replicas from its settings), with
// the range checks the flags get.
Result<api::SimulateRequest> simulate_request(const ParsedScenario& parsed,
                                              const SimulateSettings& settings);

// The flags of the simulated q search (size, slo): requests per run, seed, fleet check.
void add_search_flags(CLI::App& app, api::SizeOptions& options);
Result<void> check_search_flags(const api::SizeOptions& options);

// A command that needs only the shared scenario flags of `reads`: `run(scenario)` gives its report.
template <class Run>
void scenario_command(CLI::App& app, Invocation& inv, io::KeyGroups reads, Run run) {
  auto flags = std::make_shared<ScenarioFlags>(reads);
  flags->add_to(app);
  inv.run = [flags, run]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    auto s = flags->build(catalog);
    if (!s) return fail(s.error().message);
    return run(*s);
  };
}

}  // namespace fleetsizer::cli
