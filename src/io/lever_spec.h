#pragma once
// Mechanistic levers as written on the command line (`--lever weights=int8`) or in a scenario
// file's `stack.mechanistic` list: "name" or "name=value". Parsed once here into MechLever; the
// origin ("--lever", "plan.yaml:12") names where a bad one came from.
#include <string>
#include <vector>

#include "fleetsizer/catalog/catalog.h"
#include "fleetsizer/error.h"
#include "fleetsizer/fleet/mech_stack.h"

namespace fleetsizer::io {

// weights=DTYPE, kv=DTYPE, paged-kv, fused-attention, continuous-batching, compiled,
// speculative[=draft:MODEL,k:N,accept:A], prefix-cache[=HIT_RATE], distill=MODEL.
Result<MechLever> parse_lever(const std::string& text, const std::string& origin,
                              const Catalog& catalog, const ModelSpec& target);

// The seed's five levers, in the seed's order: INT8 weights, paged KV, fused attention,
// continuous batching, compilation.
std::vector<std::string> seed_lever_texts();

inline constexpr const char* kLeverSyntax =
    "weights=DTYPE, kv=DTYPE, paged-kv, fused-attention, continuous-batching, compiled, "
    "speculative[=draft:MODEL,k:N,accept:A], prefix-cache[=RATE], distill=MODEL";

}  // namespace fleetsizer::io
