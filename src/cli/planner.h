#pragma once
// What `fleetsizer serve` answers: the planner page, and a JSON API whose answers are the CLI's
// `--format json` for the same settings. A request body is a JSON object of scenario keys (the
// keys of a scenario file, docs/formats.md) plus "options" (the command's own flags) and, where a
// command reads a file, the file's text as an upload. The same parsers, api calls and JSON
// printer as the CLI produce the answer, so the two cannot drift apart.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "http/planner_server.h"

namespace fleetsizer::cli {

struct PlannerLimits {
  std::uint64_t max_upload_bytes = 8u << 20;  // an uploaded trace or measurement file
  // > 0: a call's work runs in a child process stopped at this many seconds (503), and a call
  // that crashes answers 500 (cli/bounded_call.h); 0: in this process, unbounded.
  double max_call_seconds = 0;
};

// A request read and checked but not yet run. Reading is bounded work (JSON, the scenario keys,
// options, uploads written and parsed); running is the command's own work, the same as the CLI's.
// The split lets the fuzz target (fuzz/planner_api.cc) read millions of requests without running
// a simulation for each.
struct PlannerCall {
  PlannerCall(http::PlannerReply known) : answer(std::move(known)) {}
  PlannerCall(std::function<http::PlannerReply()> work) : run(std::move(work)) {}
  std::optional<http::PlannerReply> answer;  // known from reading alone: a refusal, /health
  std::function<http::PlannerReply()> run;   // otherwise: the command's work, then its answer
};

// GET / (the page), GET /api/catalog/gpus|models, POST /api/size|simulate|validate; anything else
// 404 (405 for a known path with the wrong method). Never reads a file named in a request.
PlannerCall read_planner_request(const std::string& method, const std::string& target,
                                 const std::string& body, const PlannerLimits& limits);

// The request read, then run (within limits.max_call_seconds): what `serve` answers.
http::PlannerReply planner_answer(const std::string& method, const std::string& target,
                                  const std::string& body, const PlannerLimits& limits);

// The page: a form, the answer's headline, fields and charts (Chart.js inlined), offline.
std::string planner_page();

}  // namespace fleetsizer::cli
