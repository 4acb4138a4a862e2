#include "io/ablation_file.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "io/csv.h"
#include "io/lever_spec.h"
#include "io/scenario_file.h"

namespace fleetsizer::io {
namespace {

const std::set<std::string>& known_columns() {
  static const std::set<std::string> k = {
      "stage",         "model",       "gpu",     "num_gpus", "tp",          "engine",
      "weights_dtype", "kv_dtype",    "isl",     "osl",      "concurrency", "request_rate",
      "output_tok_s",  "total_tok_s", "ttft_ms", "tpot_ms",  "source",      "latency_stat"};
  return k;
}

std::vector<std::string> split_plus(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto p = s.find('+', start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<AblationGroup>> read_ablation(const std::string& path, const Catalog& catalog,
                                                 const Scenario& base) {
  auto table = read_csv(path);
  if (!table) return fail(table.error().message);
  for (const auto& h : table->header)
    if (!known_columns().contains(h))
      return fail(
          fmt::format("{}:1: unknown column '{}' (a measurement CSV column or 'stage')", path, h));
  for (const char* need : {"stage", "model", "gpu", "num_gpus", "output_tok_s", "isl", "osl"})
    if (!table->column(need)) return fail(fmt::format("{}:1: missing column '{}'", path, need));
  const auto col = [&](const char* name) { return table->column(name); };
  std::map<std::string, AblationGroup> groups;
  std::vector<std::string> order;
  // Lever texts already in each group, to give each lever one bit.
  std::map<std::string, std::map<std::string, std::size_t>> bits;
  struct Pending {
    std::string key;
    AblationRow row;
    std::vector<std::string> levers;
    bool baseline = false;
  };
  std::vector<Pending> pending;
  for (const auto& r : table->rows) {
    auto cell = [&](const char* name) -> std::string {
      auto c = col(name);
      return c ? table->cell(r, *c) : std::string();
    };
    auto number = [&](const char* name, bool required) -> Result<std::optional<double>> {
      const std::string t = cell(name);
      if (t.empty()) {
        if (required) return fail(where(path, r.line, fmt::format("{}: missing", name)));
        return std::optional<double>{};
      }
      auto v = parse_number(t);
      if (!v || std::isnan(*v) || *v <= 0)
        return fail(
            where(path, r.line, fmt::format("{}: must be a positive number, got '{}'", name, t)));
      return std::optional<double>{*v};
    };
    Pending p;
    p.row.origin = fmt::format("{}:{}", path, r.line);
    p.row.stage = cell("stage");
    p.row.source = cell("source");
    auto model = catalog.model(cell("model"));
    if (!model) return fail(where(path, r.line, "model: " + model.error().message));
    auto gpu = catalog.gpu(cell("gpu"));
    if (!gpu) return fail(where(path, r.line, "gpu: " + gpu.error().message));
    auto ng = number("num_gpus", true);
    if (!ng) return fail(ng.error().message);
    const auto num_gpus = whole_number_in(**ng, 1, kMaxGpusPerReplica);
    if (!num_gpus)
      return fail(where(path, r.line,
                        fmt::format("num_gpus: must be a whole number in [1, {}], got {}",
                                    kMaxGpusPerReplica, **ng)));
    p.row.num_gpus = static_cast<int>(*num_gpus);
    for (auto [name, dest] : {std::pair{"output_tok_s", &p.row.output_tok_s},
                              std::pair{"isl", &p.row.isl}, std::pair{"osl", &p.row.osl}}) {
      auto v = number(name, true);
      if (!v) return fail(v.error().message);
      if (!std::isfinite(**v))
        return fail(where(path, r.line, fmt::format("{}: must be finite", name)));
      *dest = **v;
    }
    auto conc = number("concurrency", false);
    if (!conc) return fail(conc.error().message);
    p.row.concurrency = *conc;
    const std::string rate = cell("request_rate");
    if (!rate.empty() && rate != "inf")
      return fail(where(path, r.line,
                        "request_rate: an ablation row is closed loop (concurrency) or offline "
                        "(request_rate inf or empty)"));
    std::string stage = p.row.stage;
    if (stage.empty()) return fail(where(path, r.line, "stage: missing"));
    std::string lever_part = stage;
    if (stage == "baseline" || stage.starts_with("baseline:")) {
      p.baseline = true;
      lever_part = stage == "baseline" ? "" : stage.substr(9);
    }
    if (!lever_part.empty()) p.levers = split_plus(lever_part);
    p.key = model->name + "/" + gpu->name;
    auto [it, inserted] = groups.try_emplace(p.key);
    AblationGroup& g = it->second;
    if (inserted) {
      order.push_back(p.key);
      g.key = p.key;
      g.stack.scenario = base;
      g.stack.scenario.replica.model = *model;
      g.stack.scenario.replica.gpu = *gpu;
      const std::string engine = cell("engine");
      if (!engine.empty()) g.stack.scenario.replica.engine = engine;
    }
    pending.push_back(std::move(p));
  }
  // Baselines first, so that their levers take the lowest bits of their group.
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& p : pending) {
      if (p.baseline != (pass == 0)) continue;
      AblationGroup& g = groups[p.key];
      auto& b = bits[p.key];
      if (p.baseline && !g.rows.empty() && pass == 0)
        return fail(fmt::format("{}: a second baseline for {}", p.row.origin, p.key));
      std::uint32_t set = 0;
      for (const auto& text : p.levers) {
        auto lever =
            parse_lever(text, p.row.origin + ": stage", catalog, g.stack.scenario.replica.model);
        if (!lever) return fail(lever.error().message);
        auto found = b.find(lever->name);
        std::size_t bit = 0;
        if (found == b.end()) {
          if (g.stack.levers.size() >= 12)
            return fail(fmt::format("{}: more than 12 distinct levers in {}", p.row.origin, p.key));
          bit = g.stack.levers.size();
          b.emplace(lever->name, bit);
          g.stack.levers.push_back(*lever);
        } else {
          bit = found->second;
        }
        set |= 1u << bit;
      }
      if (p.baseline) {
        g.base_set = set;
        p.row.set = 0;
      } else {
        if (set & g.base_set)
          return fail(fmt::format("{}: stage '{}' repeats a lever of the baseline", p.row.origin,
                                  p.row.stage));
        p.row.set = set;
      }
      g.rows.push_back(p.row);
    }
  }
  std::vector<AblationGroup> out;
  for (const auto& k : order) out.push_back(std::move(groups[k]));
  return out;
}

}  // namespace fleetsizer::io
