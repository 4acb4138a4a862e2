#include "http/vllm_result.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace fleetsizer::http {

using Json = nlohmann::json;

std::string vllm_result_json(const VllmRunInfo& info, const bench::BenchSummary& summary,
                             const bench::PercentileSelection& selection,
                             const std::vector<bench::RequestSample>& samples) {
  Json j = Json::object();
  j["date"] = info.date;
  j["endpoint_type"] = info.backend;  // vLLM keeps both names
  j["backend"] = info.backend;
  j["label"] = info.label.empty() ? Json(nullptr) : Json(info.label);
  j["model_id"] = info.model_id;
  j["tokenizer_id"] = info.tokenizer_id;
  j["num_prompts"] = info.num_prompts;
  for (const auto& [k, v] : info.metadata) j[k] = v;
  j["request_rate"] = std::isfinite(info.request_rate) ? Json(info.request_rate) : Json("inf");
  j["burstiness"] = info.burstiness;
  j["max_concurrency"] = info.max_concurrency > 0 ? Json(info.max_concurrency) : Json(nullptr);
  for (const auto& m : bench::vllm_metrics(summary, selection))
    std::visit([&](auto v) { j[m.key] = v; }, m.value);
  for (const auto& [kind, n] : summary.failures) j["failures"][kind] = n;
  if (summary.not_sent > 0) j["not_sent"] = summary.not_sent;
  // Per request, in send order, seconds (vLLM's units); a failed request has zeros and its error.
  Json input_lens = Json::array(), output_lens = Json::array(), ttfts = Json::array(),
       itls = Json::array(), latencies = Json::array(), start_times = Json::array(),
       queue_times = Json::array(), texts = Json::array(), errors = Json::array();
  for (const auto& s : samples) {
    if (s.warmup || !s.sent) continue;  // vLLM lists the requests it sent
    input_lens.push_back(s.prompt_tokens);
    output_lens.push_back(s.ok() ? s.output_tokens : 0);
    ttfts.push_back(s.ok() ? s.first_token_s - s.sent_s : 0.0);
    Json gaps = Json::array();
    for (std::size_t i = 1; i < s.chunk_s.size(); ++i)
      gaps.push_back(s.chunk_s[i] - s.chunk_s[i - 1]);
    itls.push_back(gaps);
    latencies.push_back(s.ok() ? s.end_s - s.sent_s : 0.0);
    start_times.push_back(s.sent_s);
    queue_times.push_back(s.sent_s - s.scheduled_s);
    texts.push_back("");  // the load generator does not keep generated text
    errors.push_back(s.ok() ? "" : bench::failure_name(s.failure) + ": " + s.error);
  }
  j["input_lens"] = std::move(input_lens);
  j["output_lens"] = std::move(output_lens);
  j["ttfts"] = std::move(ttfts);
  j["itls"] = std::move(itls);
  j["latencies"] = std::move(latencies);
  j["start_times"] = std::move(start_times);
  j["queue_times"] = std::move(queue_times);
  j["generated_texts"] = std::move(texts);
  j["errors"] = std::move(errors);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string vllm_result_file_name(const VllmRunInfo& info, const std::string& rate_text) {
  const auto slash = info.model_id.rfind('/');
  const std::string base =
      slash == std::string::npos ? info.model_id : info.model_id.substr(slash + 1);
  const std::string concurrency =
      info.max_concurrency > 0 ? fmt::format("-concurrency{}", info.max_concurrency) : "";
  return fmt::format("{}-{}qps{}-{}-{}.json", info.label.empty() ? info.backend : info.label,
                     rate_text, concurrency, base, info.date);
}

}  // namespace fleetsizer::http
