#include "io/hf_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/output.h"
#include "io/scenario_file.h"

namespace fleetsizer::io {
namespace {

using Json = nlohmann::json;

// The largest value a field may hold (ModelSpec's bounds): a context length, a vocabulary or a
// width.
std::int64_t field_limit(std::string_view name) {
  if (name == "max_position_embeddings" || name == "max_sequence_length") return kMaxSequenceTokens;
  if (name == "vocab_size") return kMaxVocab;
  return kMaxModelDimension;
}

Result<std::int64_t> integer_field(const Json& j, const std::string& path,
                                   std::initializer_list<const char*> names,
                                   std::optional<std::int64_t> fallback) {
  for (const char* name : names) {
    if (!j.contains(name) || j[name].is_null()) continue;
    const Json& v = j[name];
    const std::int64_t limit = field_limit(name);
    // is_number_integer() holds for unsigned values past int64 too: they are checked unsigned.
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(limit)) ||
        v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > limit)
      return fail(
          fmt::format("{}: field '{}' must be a whole number in [0, {}]", path, name, limit));
    return v.get<std::int64_t>();
  }
  if (fallback) return *fallback;
  return fail(fmt::format("{}: missing field '{}'", path, *names.begin()));
}

// true or false (absent or null: the fallback); any other type is an error, not an exception.
Result<bool> boolean_field(const Json& j, const std::string& path, const char* name,
                           bool fallback) {
  if (!j.contains(name) || j[name].is_null()) return fallback;
  if (!j[name].is_boolean())
    return fail(fmt::format("{}: field '{}' must be true or false", path, name));
  return j[name].get<bool>();
}

}  // namespace

Result<ModelSpec> parse_hf_config(const std::string& text, const std::string& path) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return fail(fmt::format("{}: invalid JSON at byte {}", path, e.byte));
  } catch (const nlohmann::json::exception& e) {
    // Valid syntax the library cannot hold, such as a number past a double (2e4142; found by
    // fuzzing): it threw through as an internal error.
    return fail(fmt::format("{}: invalid JSON: {}", path, e.what()));
  }
  if (!j.is_object()) return fail(fmt::format("{}: expected a JSON object", path));
  // Multimodal configs nest the language model.
  if (j.contains("text_config") && j["text_config"].is_object()) j = j["text_config"];
  ModelSpec m;
  m.name = std::filesystem::path(path).parent_path().filename().string();
  if (m.name.empty()) m.name = std::filesystem::path(path).stem().string();
  if (j.contains("_name_or_path") && j["_name_or_path"].is_string())
    m.name = j["_name_or_path"].get<std::string>();
  m.source = path;
#define FS_FIELD(dest, fallback, ...)                         \
  {                                                           \
    auto v = integer_field(j, path, {__VA_ARGS__}, fallback); \
    if (!v) return fail(v.error().message);                   \
    dest = *v;                                                \
  }
  FS_FIELD(m.hidden, std::nullopt, "hidden_size", "d_model", "n_embd");
  FS_FIELD(m.layers, std::nullopt, "num_hidden_layers", "n_layer", "num_layers");
  FS_FIELD(m.heads, std::nullopt, "num_attention_heads", "n_head");
  FS_FIELD(m.kv_heads, m.heads, "num_key_value_heads", "num_kv_heads");
  FS_FIELD(m.vocab, std::nullopt, "vocab_size");
  FS_FIELD(m.max_context, std::optional<std::int64_t>(4096), "max_position_embeddings",
           "max_sequence_length");
  FS_FIELD(m.experts, std::optional<std::int64_t>(0), "n_routed_experts", "num_local_experts",
           "num_experts");
  FS_FIELD(m.experts_per_token, std::optional<std::int64_t>(0), "num_experts_per_tok");
  FS_FIELD(m.shared_experts, std::optional<std::int64_t>(0), "n_shared_experts");
  FS_FIELD(m.moe_intermediate, std::optional<std::int64_t>(0), "moe_intermediate_size");
  FS_FIELD(m.dense_layers, std::optional<std::int64_t>(0), "first_k_dense_replace");
  FS_FIELD(m.kv_lora_rank, std::optional<std::int64_t>(0), "kv_lora_rank");
  FS_FIELD(m.q_lora_rank, std::optional<std::int64_t>(0), "q_lora_rank");
  FS_FIELD(m.qk_rope_head_dim, std::optional<std::int64_t>(0), "qk_rope_head_dim");
  FS_FIELD(m.qk_nope_head_dim, std::optional<std::int64_t>(0), "qk_nope_head_dim");
  FS_FIELD(m.v_head_dim, std::optional<std::int64_t>(0), "v_head_dim");
  std::optional<std::int64_t> dense_width;
  if (m.experts > 0 && m.moe_intermediate > 0) dense_width = m.moe_intermediate;
  FS_FIELD(m.intermediate, dense_width, "intermediate_size", "ffn_dim", "n_inner");
  if (m.heads == 0 || m.hidden == 0 || m.layers == 0)
    return fail(fmt::format(
        "{}: hidden_size, num_hidden_layers and num_attention_heads must be > 0", path));
  if (m.kv_heads == 0) return fail(fmt::format("{}: num_key_value_heads must be > 0", path));
  FS_FIELD(m.head_dim, std::optional<std::int64_t>(m.hidden / m.heads), "head_dim");
#undef FS_FIELD
  if (m.head_dim == 0) return fail(fmt::format("{}: head_dim must be > 0", path));
  if (m.experts > 0 && m.experts_per_token == 0)
    return fail(fmt::format("{}: MoE config with experts but no num_experts_per_tok", path));
  // Typed reads: a number where a boolean belongs threw through as an internal error (found by
  // fuzzing: "attention_bias": 1.0).
  auto tied = boolean_field(j, path, "tie_word_embeddings", false);
  if (!tied) return fail(tied.error().message);
  m.tied_embeddings = *tied;
  if (j.contains("model_type") && !j["model_type"].is_string() && !j["model_type"].is_null())
    return fail(fmt::format("{}: field 'model_type' must be a string", path));
  const std::string type = j.contains("model_type") && j["model_type"].is_string()
                               ? j["model_type"].get<std::string>()
                               : std::string();
  auto bias = boolean_field(j, path, "attention_bias", type == "qwen2" || type == "qwen2_moe");
  if (!bias) return fail(bias.error().message);
  m.qkv_bias = *bias;
  return m;
}

Result<ModelSpec> read_hf_config(const std::string& path) {
  auto text = read_text_file(path, "file");
  if (!text) return fail(text.error().message);
  return parse_hf_config(*text, path);
}

}  // namespace fleetsizer::io
