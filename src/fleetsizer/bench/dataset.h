#pragma once
// What each request of a run asks for, as vLLM `bench serve` datasets define it: `random` (lengths
// drawn uniformly around a mean, prompts synthesized) and `sharegpt` (the first human turn of each
// conversation as the prompt, the first reply's length as the output length).
//
// Without the model's tokenizer, text lengths are estimated at four characters per token (the
// usual figure for English with BPE vocabularies); the server's own usage counts replace the
// estimate of each prompt when it reports them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer::bench {

struct RequestSpec {
  std::string prompt;  // empty: synthesized as `prompt_tokens` one-token words
  std::int64_t prompt_tokens = 0;
  std::int64_t output_tokens = 0;  // max_tokens asked for
};

// vLLM's random dataset: input lengths uniform on the integers [floor(in (1 - r)), ceil(in (1 +
// r))], output lengths likewise (at least 1); r in [0, 1).
Result<std::vector<RequestSpec>> random_requests(std::int64_t count, std::int64_t input_len,
                                                 std::int64_t output_len, double range_ratio,
                                                 std::uint64_t seed);

struct Conversation {
  std::string prompt;      // first human turn
  std::string completion;  // the reply to it
};

std::int64_t estimate_tokens(const std::string& text);

// vLLM's ShareGPT sampling: conversations shuffled (seeded), those whose prompt or reply is under 4
// tokens, whose prompt is over 1024 or whose prompt + reply is over 2048 tokens skipped (the reply
// checks only when `output_len` does not fix the output length), and the result cycled when the
// file has fewer usable conversations than `count`. An error when none is usable.
Result<std::vector<RequestSpec>> sharegpt_requests(const std::vector<Conversation>& conversations,
                                                   std::int64_t count,
                                                   std::optional<std::int64_t> output_len,
                                                   std::uint64_t seed);

}  // namespace fleetsizer::bench
