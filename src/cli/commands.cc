#include "cli/command.h"

namespace fleetsizer::cli {

void setup_example(CLI::App&, Invocation&);
void setup_stack(CLI::App&, Invocation&);
void setup_fit(CLI::App&, Invocation&);
void setup_size(CLI::App&, Invocation&);
void setup_predict(CLI::App&, Invocation&);
void setup_slo(CLI::App&, Invocation&);
void setup_simulate(CLI::App&, Invocation&);
void setup_bench(CLI::App&, Invocation&);
void setup_emulate(CLI::App&, Invocation&);
void setup_calibrate(CLI::App&, Invocation&);
void setup_validate(CLI::App&, Invocation&);
void setup_search(CLI::App&, Invocation&);
void setup_catalog(CLI::App&, Invocation&);
void setup_disagg(CLI::App&, Invocation&);
void setup_serve(CLI::App&, Invocation&);

const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> table = {
      {"example", "The seed calculator's worked example (Output 22.9.1), byte for byte",
       setup_example},
      {"stack",
       "A lever stack: mechanistic on the plan layer (--model/--lever), or hand-typed factors from "
       "a file",
       setup_stack},
      {"fit", "Memory footprint: smallest TP that fits, KV capacity, max sequences", setup_fit},
      {"predict", "Per-replica TTFT, TPOT and throughput at a concurrency or arrival rate",
       setup_predict},
      {"slo", "Largest batch of a measured or parametric curve meeting the SLO, honest q, fleet",
       setup_slo},
      {"size", "The full fleet plan for one configuration", setup_size},
      {"search",
       "Cheapest plan meeting the SLO over GPUs, dtypes, TP, batch caps: ranked plans, Pareto "
       "frontier, error bars, spares, reservation; --emit vllm|k8s",
       setup_search},
      {"disagg",
       "Disaggregated prefill/decode pools (a GPU type per pool, KV link) beside the best "
       "colocated pool; --sweep-isl, --verify",
       setup_disagg},
      {"catalog", "The built-in GPUs or models, with sources", setup_catalog},
      {"simulate",
       "Discrete-event simulation of a replica fleet under a trace or synthetic traffic",
       setup_simulate},
      {"bench",
       "Load test of an OpenAI-compatible endpoint (vLLM bench serve names); --sweep finds q",
       setup_bench},
      {"emulate", "OpenAI-compatible streaming server that behaves like the modeled replica",
       setup_emulate},
      {"serve",
       "Local web planner on 127.0.0.1: the scenario form, answers and charts in the browser, and "
       "a JSON API equal to --format json",
       setup_serve},
      {"calibrate",
       "Fit the model's efficiency factors to measurements; -o writes the profile YAML",
       setup_calibrate},
      {"validate", "Predicted versus measured, with median and p90 absolute percentage errors",
       setup_validate},
  };
  return table;
}

}  // namespace fleetsizer::cli
