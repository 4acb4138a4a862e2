#include "fleetsizer/units/dtype.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace fleetsizer {
namespace {

struct DtypeInfo {
  Dtype dtype;
  std::string_view name;
  double bytes;
};

constexpr std::array<DtypeInfo, 7> kDtypes{{
    {Dtype::fp32, "fp32", 4.0},
    {Dtype::bf16, "bf16", 2.0},
    {Dtype::fp16, "fp16", 2.0},
    {Dtype::fp8, "fp8", 1.0},
    {Dtype::int8, "int8", 1.0},
    {Dtype::int4, "int4", 0.5},
    {Dtype::fp4, "fp4", 0.5},
}};

constexpr std::array<std::pair<std::string_view, Dtype>, 12> kAliases{{
    {"float32", Dtype::fp32},
    {"bfloat16", Dtype::bf16},
    {"float16", Dtype::fp16},
    {"half", Dtype::fp16},
    {"float8", Dtype::fp8},
    {"fp8_e4m3", Dtype::fp8},
    {"w8a8", Dtype::int8},
    {"w4a16", Dtype::int4},
    {"awq", Dtype::int4},
    {"gptq", Dtype::int4},
    {"nvfp4", Dtype::fp4},
    {"mxfp4", Dtype::fp4},
}};

}  // namespace

double bytes_per_element(Dtype dtype) {
  for (const auto& info : kDtypes)
    if (info.dtype == dtype) return info.bytes;
  return 2.0;
}

std::string_view dtype_name(Dtype dtype) {
  for (const auto& info : kDtypes)
    if (info.dtype == dtype) return info.name;
  return "?";
}

std::optional<Dtype> parse_dtype(std::string_view text) {
  std::string lower(text);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& info : kDtypes)
    if (info.name == lower) return info.dtype;
  for (const auto& [alias, dtype] : kAliases)
    if (alias == lower) return dtype;
  return std::nullopt;
}

std::string dtype_names() {
  std::string out;
  for (const auto& info : kDtypes) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

}  // namespace fleetsizer
