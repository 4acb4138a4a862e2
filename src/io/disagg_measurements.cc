#include "io/disagg_measurements.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "io/csv.h"
#include "io/scenario_file.h"

namespace fleetsizer::io {
namespace {

// Bounds of the counts a run gives: far beyond any measured deployment, and within an int.
constexpr std::int64_t kMaxClients = 10'000'000;
constexpr std::int64_t kMaxWorkers = 100'000;

const char* kRequired[] = {
    "id",        "model",   "gpu",         "engine",          "weights_dtype", "kv_dtype",
    "isl",       "osl",     "concurrency", "prefill_workers", "prefill_tp",    "decode_workers",
    "decode_tp", "ttft_ms", "tpot_ms"};

}  // namespace

Result<std::vector<DisaggRun>> read_disagg_runs(const std::string& path) {
  auto table = read_csv(path);
  if (!table) return fail(table.error().message);
  for (const char* need : kRequired)
    if (!table->column(need)) return fail(fmt::format("{}: missing column '{}'", path, need));
  std::vector<DisaggRun> runs;
  for (const CsvRow& row : table->rows) {
    auto text = [&](const char* name) -> std::string {
      auto c = table->column(name);
      return c ? table->cell(row, *c) : std::string();
    };
    auto number = [&](const char* name, bool required) -> Result<double> {
      const std::string t = text(name);
      if (t.empty()) {
        if (required) return fail(fmt::format("{}:{}: {} is empty", path, row.line, name));
        return 0.0;
      }
      double v = 0;
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc{} || end != t.data() + t.size() || !std::isfinite(v) || v < 0)
        return fail(fmt::format("{}:{}: {} must be a non-negative number, got '{}'", path, row.line,
                                name, t));
      return v;
    };
    DisaggRun r;
    r.line = static_cast<int>(row.line);
    r.id = text("id");
    r.model = text("model");
    r.gpu = text("gpu");
    r.engine = text("engine");
    r.engine_version = text("engine_version");
    for (auto [name, dest] : {std::pair<const char*, Dtype*>{"weights_dtype", &r.weights_dtype},
                              {"kv_dtype", &r.kv_dtype}}) {
      auto d = parse_dtype(text(name));
      if (!d) continue;  // an unknown dtype leaves the row uncovered (weights_name empty)
      *dest = *d;
      if (std::string_view(name) == "weights_dtype") r.weights_name = text(name);
    }
    struct Field {
      const char* name;
      double* dest;
      bool required;
    };
    double isl = 0, osl = 0, conc = 0, ttft = 0, tpot = 0;
    for (Field f :
         {Field{"isl", &isl, true}, Field{"osl", &osl, true}, Field{"concurrency", &conc, false},
          Field{"ttft_ms", &ttft, true}, Field{"tpot_ms", &tpot, true}}) {
      auto v = number(f.name, f.required);
      if (!v) return fail(v.error().message);
      *f.dest = *v;
    }
    r.isl = isl;
    r.osl = osl;
    // Counts are whole and bounded (casting 1e41 was undefined; found by fuzzing).
    auto whole = [&](const char* name, double v, std::int64_t max) -> Result<std::int64_t> {
      if (auto n = whole_number_in(v, 0, max)) return *n;
      return fail(fmt::format("{}:{}: {} must be a whole number in [0, {}], got '{}'", path,
                              row.line, name, max, text(name)));
    };
    auto concurrency = whole("concurrency", conc, kMaxClients);
    if (!concurrency) return fail(concurrency.error().message);
    r.concurrency = *concurrency;
    r.ttft_ms = ttft;
    r.tpot_ms = tpot;
    for (auto [pool, layout] : {std::pair<std::string, DisaggPoolLayout*>{"prefill", &r.prefill},
                                {"decode", &r.decode}}) {
      struct IntField {
        const char* suffix;
        int* dest;
        int fallback;
        std::int64_t max;
      };
      for (IntField f : {IntField{"workers", &layout->workers, 0, kMaxWorkers},
                         {"tp", &layout->tp, 1, kMaxGpusPerReplica},
                         {"pp", &layout->pp, 1, kMaxGpusPerReplica},
                         {"attention_dp", &layout->attention_dp, 1, kMaxGpusPerReplica},
                         {"moe_tp", &layout->moe_tp, 0, kMaxGpusPerReplica},
                         {"moe_ep", &layout->moe_ep, 0, kMaxGpusPerReplica},
                         {"batch", &layout->batch, 0, kMaxNumSeqs}}) {
        const std::string name = pool + "_" + f.suffix;
        auto v = number(name.c_str(), false);
        if (!v) return fail(v.error().message);
        if (text(name.c_str()).empty()) {
          *f.dest = f.fallback;
          continue;
        }
        auto n = whole(name.c_str(), *v, f.max);
        if (!n) return fail(n.error().message);
        *f.dest = static_cast<int>(*n);
      }
    }
    if (!(r.ttft_ms > 0) || !(r.tpot_ms > 0))
      return fail(fmt::format("{}:{}: ttft_ms and tpot_ms must be > 0", path, row.line));
    runs.push_back(std::move(r));
  }
  return runs;
}

}  // namespace fleetsizer::io
