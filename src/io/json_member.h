#pragma once
// A member of a JSON document read with its type checked. nlohmann's value(key, fallback) throws
// when the member is there with another type: a vLLM result with "model_id": 0.05 threw its
// type_error through as an internal error (found by the measurements_csv fuzz target). Here a
// member of another type reads as absent, as number_at reads a non-number.
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

namespace fleetsizer::io {

// j[key] when j is an object holding key as a string or boolean (T); otherwise the fallback.
template <class T>
T member_or(const nlohmann::json& j, const char* key, T fallback) {
  static_assert(std::is_same_v<T, std::string> || std::is_same_v<T, bool>);
  if (!j.is_object()) return fallback;
  const auto it = j.find(key);
  if (it == j.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return fallback;
  } else {
    if (!it->is_boolean()) return fallback;
  }
  return it->template get<T>();
}

}  // namespace fleetsizer::io
