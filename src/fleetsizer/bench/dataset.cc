#include "fleetsizer/bench/dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace fleetsizer::bench {

Result<std::vector<RequestSpec>> random_requests(std::int64_t count, std::int64_t input_len,
                                                 std::int64_t output_len, double range_ratio,
                                                 std::uint64_t seed) {
  if (!(range_ratio >= 0 && range_ratio < 1))
    return fail(fmt::format("--random-range-ratio must be in [0, 1), got {}", range_ratio));
  if (input_len < 1 || output_len < 1)
    return fail("--random-input-len and --random-output-len must be >= 1");
  const auto lo_in = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::floor(static_cast<double>(input_len) * (1 - range_ratio))));
  const auto hi_in =
      static_cast<std::int64_t>(std::ceil(static_cast<double>(input_len) * (1 + range_ratio)));
  const auto lo_out = std::max<std::int64_t>(
      1,
      static_cast<std::int64_t>(std::floor(static_cast<double>(output_len) * (1 - range_ratio))));
  const auto hi_out = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil(static_cast<double>(output_len) * (1 + range_ratio))));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> in(lo_in, hi_in), out(lo_out, hi_out);
  std::vector<RequestSpec> v(static_cast<std::size_t>(std::max<std::int64_t>(0, count)));
  for (auto& r : v) {
    r.prompt_tokens = in(rng);
    r.output_tokens = out(rng);
  }
  return v;
}

std::int64_t estimate_tokens(const std::string& text) {
  return static_cast<std::int64_t>((text.size() + 3) / 4);
}

Result<std::vector<RequestSpec>> sharegpt_requests(const std::vector<Conversation>& conversations,
                                                   std::int64_t count,
                                                   std::optional<std::int64_t> output_len,
                                                   std::uint64_t seed) {
  if (output_len && *output_len < 1) return fail("--sharegpt-output-len must be >= 1");
  std::vector<std::size_t> order(conversations.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  std::ranges::shuffle(order, rng);
  std::vector<RequestSpec> usable;
  for (std::size_t i : order) {
    if (static_cast<std::int64_t>(usable.size()) >= count) break;
    const Conversation& c = conversations[i];
    const std::int64_t in = estimate_tokens(c.prompt);
    const std::int64_t out = output_len.value_or(estimate_tokens(c.completion));
    // vLLM's is_valid_sequence bounds.
    if (in < 4 || (!output_len && out < 4) || in > 1024 || in + out > 2048) continue;
    usable.push_back({c.prompt, in, out});
  }
  if (usable.empty())
    return fail(
        fmt::format("none of the {} conversations is usable (prompt and reply of 4 to 1024 tokens, "
                    "2048 in all)",
                    conversations.size()));
  std::vector<RequestSpec> v;
  for (std::int64_t i = 0; i < count; ++i)
    v.push_back(usable[static_cast<std::size_t>(i) % usable.size()]);
  return v;
}

}  // namespace fleetsizer::bench
