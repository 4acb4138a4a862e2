#pragma once
// The OpenAI completions protocol as the emulator speaks it: reading a /v1/completions or
// /v1/chat/completions body, and the HTTP/SSE text of its answers. No sockets here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fleetsizer/error.h"

namespace fleetsizer::http::openai {

struct CompletionRequest {
  bool chat = false, stream = false, include_usage = false;
  std::int64_t max_tokens = 16;  // OpenAI's default; max_completion_tokens wins when given
  std::int64_t prompt_tokens = 1;
};

// The most tokens one request may ask for (max_tokens) or bring (prompt): bounds the work and
// memory of one request whatever its body says.
inline constexpr std::int64_t kMaxRequestTokens = 10'000'000;

// An error (the client's: HTTP 400) for a body that is not JSON, not an object, or has a field of
// the wrong type or out of range; never throws.
Result<CompletionRequest> parse_completion(const std::string& body, bool chat);

// vLLM's 400 message when prompt + max_tokens exceed the context (none when it fits or when
// max_model_len is 0: no limit).
std::optional<std::string> context_error(const CompletionRequest& r, std::int64_t max_model_len);

// Prompt length as the emulator counts it: whitespace-separated words (the load generator
// synthesizes prompts of one-token words, so both sides agree).
std::int64_t count_words(const std::string& text);

// Text a server sent, kept whole but safe to print and to put in JSON: valid UTF-8 as is, every
// byte that is not part of valid UTF-8 (a binary body, a sequence cut short) as "\xNN".
std::string escape_invalid_utf8(std::string_view bytes);

// An error body shaped like vLLM's: {"error": {"message", "type", "param": null, "code"}}.
std::string error_json(int status, const std::string& message);
std::string models_json(const std::string& model_name);

// A complete HTTP/1.1 response with a body; `keep` picks Connection: keep-alive or close.
std::string response(int status, const std::string& content_type, const std::string& body,
                     bool keep);
// The header of a streamed (chunked, text/event-stream) response.
std::string stream_header();
// One SSE event in one HTTP chunk; the end of the stream.
std::string sse_chunk(const std::string& data);
std::string stream_end();

// One token of a stream (text " tok"); `last` carries finish_reason "length".
std::string token_event(std::uint64_t id, bool chat, const std::string& model, bool last);
// The usage event (stream_options.include_usage) with the emulator's own timing block
// {"arrival_s", "first_token_s"} on the steady clock, which the load generator compares with.
std::string usage_event(std::uint64_t id, bool chat, const std::string& model,
                        std::int64_t prompt_tokens, std::int64_t completion_tokens,
                        double arrival_s, double first_token_s);
// The whole answer of a non-streamed request.
std::string completion_body(std::uint64_t id, bool chat, const std::string& model,
                            std::int64_t prompt_tokens, std::int64_t completion_tokens,
                            double arrival_s, double first_token_s);
// An event that is not JSON (the malformed fault).
std::string malformed_event();

}  // namespace fleetsizer::http::openai
