#include "http/openai_protocol.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

namespace fleetsizer::http::openai {

using Json = nlohmann::json;

std::int64_t count_words(const std::string& text) {
  std::int64_t n = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    const bool space = std::isspace(c) != 0;
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

namespace {

// A field of the wrong JSON type is the client's error (400), never an exception out of the
// server: every field is read through these, which say what was expected.
std::string json_type(const Json& v) {
  return v.is_string()    ? "a string"
         : v.is_boolean() ? "a boolean"
         : v.is_number()  ? "a number"
         : v.is_array()   ? "an array"
         : v.is_object()  ? "an object"
                          : "null";
}

Result<bool> read_bool(const Json& body, const char* key, bool fallback) {
  if (!body.contains(key) || body[key].is_null()) return fallback;
  if (!body[key].is_boolean())
    return fail(fmt::format("'{}' must be a boolean, got {}", key, json_type(body[key])));
  return body[key].get<bool>();
}

Result<std::optional<std::int64_t>> read_tokens(const Json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return std::optional<std::int64_t>{};
  const Json& v = body[key];
  if (!v.is_number_integer())
    return fail(fmt::format("'{}' must be an integer, got {}", key, json_type(v)));
  // Unsigned values above INT64_MAX would wrap on get<int64_t>: range-check in the JSON's type.
  const bool in_range =
      v.is_number_unsigned()
          ? v.get<std::uint64_t>() >= 1 &&
                v.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxRequestTokens)
          : v.get<std::int64_t>() >= 1 && v.get<std::int64_t>() <= kMaxRequestTokens;
  if (!in_range)
    return fail(fmt::format("'{}' must be in [1, {}], got {}", key, kMaxRequestTokens, v.dump()));
  return std::optional<std::int64_t>{v.get<std::int64_t>()};
}

// A prompt is a string or a list of token ids (as vLLM takes it); a list of strings would be a
// batch of prompts, which the emulator does not serve.
Result<std::int64_t> prompt_length(const Json& prompt) {
  if (prompt.is_string()) return count_words(prompt.get<std::string>());
  if (prompt.is_array()) {
    for (const auto& t : prompt)
      if (!t.is_number_integer())
        return fail("'prompt' must be a string or a list of token ids (integers)");
    return static_cast<std::int64_t>(prompt.size());
  }
  return fail(
      fmt::format("'prompt' must be a string or a list of token ids, got {}", json_type(prompt)));
}

// Chat content is a string, null, or a list of parts of which the {"type": "text"} ones count.
Result<std::int64_t> messages_length(const Json& messages) {
  if (!messages.is_array())
    return fail(fmt::format("'messages' must be an array, got {}", json_type(messages)));
  std::int64_t n = 0;
  for (const auto& m : messages) {
    if (!m.is_object()) return fail("each of 'messages' must be an object");
    if (!m.contains("content") || m["content"].is_null()) continue;
    const Json& c = m["content"];
    if (c.is_string()) {
      n += count_words(c.get<std::string>());
    } else if (c.is_array()) {
      for (const auto& part : c) {
        if (!part.is_object()) return fail("each part of a message's 'content' must be an object");
        if (part.contains("text") && part["text"].is_string())
          n += count_words(part["text"].get<std::string>());
      }
    } else {
      return fail(fmt::format("a message's 'content' must be a string or a list of parts, got {}",
                              json_type(c)));
    }
  }
  return n;
}

}  // namespace

Result<CompletionRequest> parse_completion(const std::string& text, bool chat) {
  Json body;
  try {
    body = Json::parse(text);
  } catch (const Json::exception&) {
    return fail("request body is not valid JSON");
  }
  if (!body.is_object())
    return fail(fmt::format("request body must be a JSON object, got {}", json_type(body)));
  CompletionRequest r;
  r.chat = chat;
  auto stream = read_bool(body, "stream", false);
  if (!stream) return std::unexpected(stream.error());
  r.stream = *stream;
  if (body.contains("stream_options") && !body["stream_options"].is_null()) {
    if (!body["stream_options"].is_object())
      return fail(fmt::format("'stream_options' must be an object, got {}",
                              json_type(body["stream_options"])));
    auto usage = read_bool(body["stream_options"], "include_usage", false);
    if (!usage) return std::unexpected(usage.error());
    r.include_usage = *usage;
  }
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {  // the latter wins
    auto n = read_tokens(body, key);
    if (!n) return std::unexpected(n.error());
    if (*n) r.max_tokens = **n;
  }
  Result<std::int64_t> prompt = 0;
  if (chat) {
    if (!body.contains("messages")) return fail("'messages' is required");
    prompt = messages_length(body["messages"]);
  } else if (body.contains("prompt")) {
    prompt = prompt_length(body["prompt"]);
  }
  if (!prompt) return std::unexpected(prompt.error());
  r.prompt_tokens = std::max<std::int64_t>(1, *prompt);
  return r;
}

std::optional<std::string> context_error(const CompletionRequest& r, std::int64_t max_model_len) {
  if (max_model_len <= 0 || r.prompt_tokens + r.max_tokens <= max_model_len) return std::nullopt;
  // vLLM's wording, so clients that match on it behave the same.
  return fmt::format(
      "This model's maximum context length is {} tokens. However, you requested {} tokens ({} in "
      "the {}, {} in the completion). Please reduce the length of the {} or completion.",
      max_model_len, r.prompt_tokens + r.max_tokens, r.prompt_tokens,
      r.chat ? "messages" : "prompt", r.max_tokens, r.chat ? "messages" : "prompt");
}

std::string escape_invalid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  for (std::size_t i = 0; i < n;) {
    // The length a lead byte announces, and the range its first continuation byte must fall in
    // (no overlong forms, no surrogates, nothing above U+10FFFF).
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (b[i] < 0x80) {
      len = 1;
    } else if (b[i] >= 0xc2 && b[i] <= 0xdf) {
      len = 2;
    } else if (b[i] >= 0xe0 && b[i] <= 0xef) {
      len = 3;
      if (b[i] == 0xe0) lo = 0xa0;
      if (b[i] == 0xed) hi = 0x9f;
    } else if (b[i] >= 0xf0 && b[i] <= 0xf4) {
      len = 4;
      if (b[i] == 0xf0) lo = 0x90;
      if (b[i] == 0xf4) hi = 0x8f;
    }
    bool valid = len > 0 && i + len <= n;
    for (std::size_t k = 1; valid && k < len; ++k) {
      const unsigned char c = b[i + k];
      valid = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xbf);
    }
    if (valid) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      out += fmt::format("\\x{:02x}", b[i]);
      ++i;
    }
  }
  return out;
}

std::string error_json(int status, const std::string& message) {
  const char* type = status == 400   ? "BadRequestError"
                     : status == 401 ? "AuthenticationError"
                     : status == 404 ? "NotFoundError"
                     : status == 413 ? "RequestTooLargeError"
                     : status == 429 ? "RateLimitError"
                     : status < 500  ? "BadRequestError"
                                     : "InternalServerError";
  // The message may quote the client's bytes (a path): invalid UTF-8 becomes U+FFFD.
  return Json{
      {"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", status}}}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string models_json(const std::string& model_name) {
  return Json{{"object", "list"},
              {"data", {{{"id", model_name}, {"object", "model"}, {"owned_by", "fleetsizer"}}}}}
      .dump();
}

std::string response(int status, const std::string& content_type, const std::string& body,
                     bool keep) {
  const char* reason = status == 200   ? "OK"
                       : status == 400 ? "Bad Request"
                       : status == 401 ? "Unauthorized"
                       : status == 404 ? "Not Found"
                       : status == 413 ? "Payload Too Large"
                       : status == 429 ? "Too Many Requests"
                       : status == 431 ? "Request Header Fields Too Large"
                                       : "Internal Server Error";
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n{}",
      status, reason, content_type, body.size(), keep ? "keep-alive" : "close", body);
}

std::string stream_header() {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
         "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n";
}

std::string sse_chunk(const std::string& data) {
  const std::string event = "data: " + data + "\n\n";
  return fmt::format("{:x}\r\n{}\r\n", event.size(), event);
}

std::string stream_end() {
  return sse_chunk("[DONE]") + "0\r\n\r\n";
}

std::string token_event(std::uint64_t id, bool chat, const std::string& model, bool last) {
  const Json finish = last ? Json("length") : Json(nullptr);
  const Json ev =
      chat ? Json{{"id", fmt::format("chatcmpl-{}", id)},
                  {"object", "chat.completion.chunk"},
                  {"model", model},
                  {"choices",
                   {{{"index", 0}, {"delta", {{"content", " tok"}}}, {"finish_reason", finish}}}}}
           : Json{{"id", fmt::format("cmpl-{}", id)},
                  {"object", "text_completion"},
                  {"model", model},
                  {"choices", {{{"index", 0}, {"text", " tok"}, {"finish_reason", finish}}}}};
  return ev.dump();
}

namespace {
Json usage(std::int64_t prompt, std::int64_t completion) {
  return Json{{"prompt_tokens", prompt},
              {"completion_tokens", completion},
              {"total_tokens", prompt + completion}};
}
Json timing(double arrival_s, double first_token_s) {
  return Json{{"arrival_s", arrival_s}, {"first_token_s", first_token_s}, {"clock", "steady"}};
}
}  // namespace

std::string usage_event(std::uint64_t id, bool chat, const std::string& model,
                        std::int64_t prompt_tokens, std::int64_t completion_tokens,
                        double arrival_s, double first_token_s) {
  return Json{{"id", fmt::format("cmpl-{}", id)},
              {"object", chat ? "chat.completion.chunk" : "text_completion"},
              {"model", model},
              {"choices", Json::array()},
              {"usage", usage(prompt_tokens, completion_tokens)},
              {"fleetsizer", timing(arrival_s, first_token_s)}}
      .dump();
}

std::string completion_body(std::uint64_t id, bool chat, const std::string& model,
                            std::int64_t prompt_tokens, std::int64_t completion_tokens,
                            double arrival_s, double first_token_s) {
  std::string text;
  for (std::int64_t i = 0; i < completion_tokens; ++i) text += " tok";
  const Json choice = chat ? Json{{"index", 0},
                                  {"message", {{"role", "assistant"}, {"content", text}}},
                                  {"finish_reason", "length"}}
                           : Json{{"index", 0}, {"text", text}, {"finish_reason", "length"}};
  return Json{{"id", fmt::format("{}-{}", chat ? "chatcmpl" : "cmpl", id)},
              {"object", chat ? "chat.completion" : "text_completion"},
              {"model", model},
              {"choices", {choice}},
              {"usage", usage(prompt_tokens, completion_tokens)},
              {"fleetsizer", timing(arrival_s, first_token_s)}}
      .dump();
}

std::string malformed_event() {
  return "{\"choices\": [{\"text\": ";
}

}  // namespace fleetsizer::http::openai
