#pragma once
// Numeric formats of weights and KV cache, and what one element costs in memory.
#include <optional>
#include <string>
#include <string_view>

namespace fleetsizer {

enum class Dtype { fp32, bf16, fp16, fp8, int8, int4, fp4 };

// Bytes of one stored element, excluding quantization scales (see memory/footprint.h for those).
double bytes_per_element(Dtype dtype);
std::string_view dtype_name(Dtype dtype);
// Accepts the catalog names plus common spellings ("bfloat16", "float16", "w4a16", "nvfp4").
std::optional<Dtype> parse_dtype(std::string_view text);
// "fp32, bf16, fp16, fp8, int8, int4, fp4": for error messages.
std::string dtype_names();

}  // namespace fleetsizer
