#pragma once
// The result file of `vllm bench serve --save-result --save-detailed`, written from a bench run:
// every key vLLM writes (so vLLM's plotting and fleetsizer's `validate` read it as vLLM's own),
// plus fleetsizer's failure counts by kind.
#include <cstdint>
#include <string>
#include <vector>

#include "fleetsizer/bench/load.h"
#include "fleetsizer/bench/result.h"

namespace fleetsizer::http {

struct VllmRunInfo {
  std::string date;                // %Y%m%d-%H%M%S, as vLLM
  std::string backend = "openai";  // "openai-chat" for /v1/chat/completions
  std::string label;               // empty: null
  std::string model_id, tokenizer_id;
  std::int64_t num_prompts = 0;
  double request_rate = 0;  // infinity: "inf"
  double burstiness = 1;
  int max_concurrency = 0;                                    // 0: null (no cap)
  std::vector<std::pair<std::string, std::string>> metadata;  // --metadata KEY=VALUE
};

std::string vllm_result_json(const VllmRunInfo& info, const bench::BenchSummary& summary,
                             const bench::PercentileSelection& selection,
                             const std::vector<bench::RequestSample>& samples);

// vLLM's default file name: {label or backend}-{rate}qps[-concurrency{C}]-{model base
// name}-{date}.json
std::string vllm_result_file_name(const VllmRunInfo& info, const std::string& rate_text);

}  // namespace fleetsizer::http
