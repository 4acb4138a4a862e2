#pragma once
// Streaming readers of the real traces in shared/data: Azure LLM inference CSV
// (TIMESTAMP, ContextTokens, GeneratedTokens) and Mooncake JSONL (timestamp in ms, input_length,
// output_length, hash_ids). One line is held at a time. A cheap first pass measures the trace's
// own rate so that it can be time-scaled to a target rate.
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fleetsizer/workload/request.h"

namespace fleetsizer::io {

struct TraceOptions {
  std::optional<double> target_rate;  // rescale inter-arrival times to this mean rate
  std::int64_t max_requests = 0;      // 0: the whole trace
  bool skip_bad_lines = false;        // count and skip malformed lines instead of failing
};

struct TraceStats {
  std::int64_t requests = 0;
  double duration_s = 0;  // last - first arrival
  double rate() const {
    return duration_s > 0 ? static_cast<double>(requests - 1) / duration_s : 0;
  }
};

// Parses "2023-11-16 18:15:46.6805900" as seconds since the Unix epoch (UTC).
std::optional<double> parse_azure_timestamp(const std::string& text);

// The (input, output) tokens of every request of a trace, in order.
Result<std::vector<std::pair<std::int64_t, std::int64_t>>> read_trace_lengths(
    const std::string& path);

Result<std::unique_ptr<RequestSource>> open_trace(const std::string& path,
                                                  const TraceOptions& options,
                                                  TraceStats* stats = nullptr);

}  // namespace fleetsizer::io
