#include "cli/command.h"
#include "io/catalog_file.h"

namespace fleetsizer::cli {

void setup_catalog(CLI::App& app, Invocation& inv) {
  struct Flags {
    std::string what;
    std::string catalog;
  };
  auto f = std::make_shared<Flags>();
  app.add_option("what", f->what, "gpus or models")
      ->required()
      ->check(CLI::IsMember({"gpus", "models"}));
  app.add_option("--catalog", f->catalog, "YAML file adding or overriding GPUs and models");
  inv.run = [f]() -> Result<report::Report> {
    Catalog catalog = builtin_catalog();
    if (!f->catalog.empty())
      if (auto r = io::load_catalog_file(f->catalog, catalog); !r) return fail(r.error().message);
    report::Report rep;
    rep.json_array = true;
    if (f->what == "gpus") {
      rep.title =
          "GPUs (illustrative 2025 on-demand prices: set yours with --price or "
          "--usd-per-gpu-hour)";
      report::Table t{"gpus", "", {}, {}};
      t.columns = {
          {"name", "name", 0},
          {"memory_gib", "GiB", 0},
          {"hbm_bandwidth_tb_s", "TB/s", 2},
          {"bf16_tflops", "bf16 TF", 0},
          {"fp8_tflops", "fp8 TF", 0},
          {"int8_tops", "int8 TOPS", 0},
          {"fp4_tflops", "fp4 TF", 0},
          {"interconnect_gb_s", "link GB/s", 0},
          {"gpus_per_host", "per host", 0},
          {"usd_per_gpu_hour", "$/GPU-h", 2},
          {.key = "price_illustrative", .title = "illustr.", .precision = 0, .detail = true},
          {.key = "description", .title = "description", .precision = 0, .detail = true},
          {.key = "source", .title = "source", .precision = 0, .detail = true}};
      for (const GpuSpec& g : catalog.gpus)
        t.rows.push_back({g.name, g.memory_gib, g.hbm_bandwidth_tb_s, g.bf16_tflops, g.fp8_tflops,
                          g.int8_tops, g.fp4_tflops, g.interconnect_gb_s,
                          report::integer(g.gpus_per_host), g.usd_per_gpu_hour, true, g.description,
                          g.source});
      rep.tables.push_back(std::move(t));
    } else {
      rep.title = "Models (parameters counted from the architecture; published count beside it)";
      report::Table t{"models", "", {}, {}};
      t.columns = {{"name", "name", 0},
                   {.key = "hf_id", .title = "Hugging Face id", .precision = 0, .detail = true},
                   {"params_b", "params B", 2},
                   {"published_params_b", "publ. B", 2},
                   {"active_params_b", "active B", 2},
                   {"layers", "layers", 0},
                   {.key = "hidden", .title = "hidden", .precision = 0, .detail = true},
                   {.key = "heads", .title = "heads", .precision = 0, .detail = true},
                   {"kv_heads", "KV heads", 0},
                   {"experts", "experts", 0},
                   {"experts_per_token", "top-k", 0},
                   {"max_context", "context", 0},
                   {"kv_bytes_per_token_bf16", "KV B/tok", 0},
                   {.key = "source", .title = "source", .precision = 0, .detail = true}};
      for (const ModelSpec& m : catalog.models)
        t.rows.push_back(
            {m.name, m.hf_id, count_params(m).total() / 1e9,
             m.published_params_b > 0 ? report::Cell{m.published_params_b} : report::Cell{},
             active_params_per_token(m) / 1e9, report::integer(m.layers), report::integer(m.hidden),
             report::integer(m.heads), report::integer(m.kv_heads), report::integer(m.experts),
             report::integer(m.experts_per_token), report::integer(m.max_context),
             kv_bytes_per_token(m, 2.0), m.source});
      rep.tables.push_back(std::move(t));
    }
    return rep;
  };
}

}  // namespace fleetsizer::cli
