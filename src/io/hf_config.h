#pragma once
// Reads a Hugging Face config.json into a ModelSpec, so any model can be planned for
// (`--model path/to/config.json`). Llama, Mistral, Qwen2/3, Mixtral and DeepSeek-V2/V3 field names.
#include <string>

#include "fleetsizer/catalog/model.h"
#include "fleetsizer/error.h"

namespace fleetsizer::io {

Result<ModelSpec> read_hf_config(const std::string& path);
Result<ModelSpec> parse_hf_config(const std::string& json_text,
                                  const std::string& path_for_messages);

}  // namespace fleetsizer::io
