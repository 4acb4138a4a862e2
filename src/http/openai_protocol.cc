#include "http/openai_protocol.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

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

Result<CompletionRequest> parse_completion(const std::string& text, bool chat) {
  Json body;
  try {
    body = Json::parse(text);
  } catch (const Json::parse_error&) {
    return fail("request body is not JSON");
  }
  CompletionRequest r;
  r.chat = chat;
  r.stream = body.is_object() && body.value("stream", false);
  r.include_usage = body.contains("stream_options") && body["stream_options"].is_object() &&
                    body["stream_options"].value("include_usage", false);
  if (body.contains("max_tokens") && body["max_tokens"].is_number_integer())
    r.max_tokens = std::max<std::int64_t>(1, body["max_tokens"].get<std::int64_t>());
  if (body.contains("max_completion_tokens") && body["max_completion_tokens"].is_number_integer())
    r.max_tokens = std::max<std::int64_t>(1, body["max_completion_tokens"].get<std::int64_t>());
  std::string prompt;
  if (chat && body.contains("messages") && body["messages"].is_array()) {
    for (const auto& m : body["messages"])
      if (m.is_object() && m.contains("content") && m["content"].is_string())
        prompt += m["content"].get<std::string>() + " ";
  } else if (body.contains("prompt") && body["prompt"].is_string()) {
    prompt = body["prompt"].get<std::string>();
  }
  r.prompt_tokens = std::max<std::int64_t>(1, count_words(prompt));
  return r;
}

std::string error_json(const std::string& message) {
  return Json{{"error", {{"message", message}, {"type", "BadRequestError"}}}}.dump();
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
                       : status == 429 ? "Too Many Requests"
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
