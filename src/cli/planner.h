#pragma once
// What `fleetsizer serve` answers: the planner page, and a JSON API whose answers are the CLI's
// `--format json` for the same settings. A request body is a JSON object of scenario keys (the
// keys of a scenario file, docs/formats.md) plus "options" (the command's own flags) and, where a
// command reads a file, the file's text as an upload. The same parsers, api calls and JSON
// printer as the CLI produce the answer, so the two cannot drift apart.
#include <cstdint>
#include <string>

#include "http/planner_server.h"

namespace fleetsizer::cli {

struct PlannerLimits {
  std::uint64_t max_upload_bytes = 8u << 20;  // an uploaded trace or measurement file
};

// GET / (the page), GET /api/catalog/gpus|models, POST /api/size|simulate|validate; anything else
// 404 (405 for a known path with the wrong method). Never reads a file named in a request.
http::PlannerReply planner_answer(const std::string& method, const std::string& target,
                                  const std::string& body, const PlannerLimits& limits);

// The page: a form, the answer's headline, fields and charts (Chart.js inlined), offline.
std::string planner_page();

}  // namespace fleetsizer::cli
