#pragma once
// Reads a ShareGPT dataset file (vLLM `bench serve --dataset-name sharegpt`): a JSON array of
// {"conversations": [{"from": "human", "value": ...}, {"from": "gpt", "value": ...}, ...]}. Each
// entry with at least two turns gives its first turn as the prompt and the second as the reply
// (vLLM takes them by position, whoever is named in "from").
#include <string>
#include <vector>

#include "fleetsizer/bench/dataset.h"

namespace fleetsizer::io {

Result<std::vector<bench::Conversation>> read_sharegpt(const std::string& path);

}  // namespace fleetsizer::io
