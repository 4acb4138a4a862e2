#include "io/lever_spec.h"

#include <fmt/format.h>

#include <cmath>

#include "fleetsizer/catalog/model.h"
#include "io/csv.h"

namespace fleetsizer::io {
namespace {

Result<double> number_in(const std::string& text, const std::string& origin,
                         const std::string& field, double lo, double hi, bool hi_open) {
  auto v = parse_number(text);
  if (!v || !std::isfinite(*v) || *v < lo || (hi_open ? *v >= hi : *v > hi))
    return fail(fmt::format("{}: {} must be a number in [{}, {}{}, got '{}'", origin, field, lo, hi,
                            hi_open ? ")" : "]", text));
  return *v;
}

// A draft shares the target's tokenizer: the smallest catalog model with the same vocabulary.
std::optional<ModelSpec> default_draft(const Catalog& catalog, const ModelSpec& target) {
  std::optional<ModelSpec> best;
  const double target_params = count_params(target).total();
  for (const auto& m : catalog.models) {
    if (m.vocab != target.vocab || m.name == target.name) continue;
    const double p = count_params(m).total();
    if (p >= target_params) continue;
    if (!best || p < count_params(*best).total()) best = m;
  }
  return best;
}

}  // namespace

std::vector<std::string> seed_lever_texts() {
  return {"weights=int8", "paged-kv", "fused-attention", "continuous-batching", "compiled"};
}

Result<MechLever> parse_lever(const std::string& text, const std::string& origin,
                              const Catalog& catalog, const ModelSpec& target) {
  const auto eq = text.find('=');
  const std::string name = text.substr(0, eq);
  const std::string value = eq == std::string::npos ? "" : text.substr(eq + 1);
  MechLever l;
  auto need_value = [&](const char* what) -> Result<void> {
    if (value.empty())
      return fail(fmt::format("{}: lever '{}' needs a value ({}={})", origin, name, name, what));
    return {};
  };
  auto no_value = [&]() -> Result<void> {
    if (!value.empty())
      return fail(fmt::format("{}: lever '{}' takes no value, got '{}'", origin, name, value));
    return {};
  };
  if (name == "weights" || name == "kv") {
    if (auto r = need_value("DTYPE"); !r) return fail(r.error().message);
    const auto d = parse_dtype(value);
    if (!d)
      return fail(
          fmt::format("{}: lever '{}': unknown dtype '{}' (fp32 bf16 fp16 fp8 int8 int4 "
                      "fp4)",
                      origin, name, value));
    l.kind = name == "weights" ? LeverKind::weights_dtype : LeverKind::kv_dtype;
    l.dtype = *d;
    l.name = fmt::format("{} {}", name == "weights" ? "weights" : "KV", dtype_name(*d));
  } else if (name == "paged-kv" || name == "fused-attention" || name == "continuous-batching" ||
             name == "compiled") {
    if (auto r = no_value(); !r) return fail(r.error().message);
    if (name == "paged-kv") {
      l.kind = LeverKind::paged_kv;
      l.name = "paged KV cache";
    } else if (name == "fused-attention") {
      l.kind = LeverKind::fused_attention;
      l.name = "fused attention";
    } else if (name == "continuous-batching") {
      l.kind = LeverKind::continuous_batching;
      l.name = "continuous batching";
    } else {
      l.kind = LeverKind::compiled;
      l.name = "compiled (CUDA graphs)";
    }
  } else if (name == "prefix-cache") {
    l.kind = LeverKind::prefix_cache;
    if (!value.empty()) {
      auto h = number_in(value, origin, "prefix-cache hit rate", 0, 1, true);
      if (!h) return fail(h.error().message);
      l.prefix_hit_rate = *h;
    }
    l.name = fmt::format("prefix cache {:.0f}%", l.prefix_hit_rate * 100);
  } else if (name == "distill") {
    if (auto r = need_value("MODEL"); !r) return fail(r.error().message);
    auto m = catalog.model(value);
    if (!m) return fail(fmt::format("{}: lever 'distill': {}", origin, m.error().message));
    if (count_params(*m).total() >= count_params(target).total())
      return fail(fmt::format("{}: lever 'distill': {} is not smaller than {}", origin, m->name,
                              target.name));
    l.kind = LeverKind::distill;
    l.model = *m;
    l.name = fmt::format("distill to {}", m->name);
  } else if (name == "speculative") {
    l.kind = LeverKind::speculative;
    std::size_t start = 0;
    while (start < value.size()) {
      const auto comma = value.find(',', start);
      const std::string part =
          value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? value.size() : comma + 1;
      const auto colon = part.find(':');
      const std::string key = part.substr(0, colon);
      const std::string v = colon == std::string::npos ? "" : part.substr(colon + 1);
      if (key == "draft") {
        auto m = catalog.model(v);
        if (!m) return fail(fmt::format("{}: lever 'speculative': {}", origin, m.error().message));
        l.model = *m;
      } else if (key == "k") {
        auto k = number_in(v, origin, "speculative k", 1, 16, false);
        if (!k) return fail(k.error().message);
        if (*k != std::floor(*k))
          return fail(fmt::format("{}: speculative k must be an integer, got '{}'", origin, v));
        l.draft_tokens = static_cast<int>(*k);
      } else if (key == "accept") {
        auto a = number_in(v, origin, "speculative accept", 0, 1, false);
        if (!a) return fail(a.error().message);
        l.acceptance = *a;
      } else {
        return fail(fmt::format("{}: lever 'speculative': unknown key '{}' (draft, k, accept)",
                                origin, key));
      }
    }
    if (!l.model) l.model = default_draft(catalog, target);
    if (!l.model)
      return fail(
          fmt::format("{}: lever 'speculative': no smaller catalog model shares {}'s "
                      "vocabulary; name one with draft:MODEL",
                      origin, target.name));
    l.name = fmt::format("speculative {} k{} a{}", l.model->name, l.draft_tokens, l.acceptance);
  } else {
    return fail(fmt::format("{}: unknown lever '{}' (known: {})", origin, name, kLeverSyntax));
  }
  return l;
}

}  // namespace fleetsizer::io
