#include "fleetsizer/catalog/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "fleetsizer/catalog/names.h"

namespace fleetsizer {
namespace {

// Spec-sheet values: dense (non-sparse) tensor throughput, nominal memory, peak bandwidth.
// Prices are illustrative 2025 on-demand cloud figures per GPU-hour; every command takes
// --usd-per-gpu-hour to replace them with the user's contract price.
std::vector<GpuSpec> builtin_gpus() {
  const std::string nv = "NVIDIA datasheet";
  return {
      {"a100-40gb", "NVIDIA A100 SXM4 40GB", 40, 1.555, 312, 0, 624, 0, 300, 10, 8, 1.40,
       nv + " A100 (2021): 40GB HBM2 1,555 GB/s, BF16 312 TFLOPS, INT8 624 TOPS, NVLink 600 GB/s "
            "bidirectional"},
      {"a100-80gb", "NVIDIA A100 SXM4 80GB", 80, 2.039, 312, 0, 624, 0, 300, 10, 8, 1.80,
       nv + " A100 (2021): 80GB HBM2e 2,039 GB/s, BF16 312 TFLOPS, INT8 624 TOPS, NVLink 600 GB/s "
            "bidirectional"},
      {"h100-sxm", "NVIDIA H100 SXM5 80GB", 80, 3.35, 989, 1979, 1979, 0, 450, 8, 8, 2.50,
       nv + " H100 (2023): 80GB HBM3 3.35 TB/s, BF16 989 / FP8 1,979 TFLOPS dense, NVLink 900 GB/s "
            "bidirectional; "
            "AIConfigurator systems/h100_sxm.yaml"},
      {"h100-pcie", "NVIDIA H100 PCIe 80GB", 80, 2.0, 756, 1513, 1513, 0, 64, 20, 8, 2.10,
       nv + " H100 PCIe (2023): 80GB HBM2e 2.0 TB/s, BF16 756 / FP8 1,513 TFLOPS dense, PCIe Gen5 "
            "128 GB/s bidirectional"},
      {"h200", "NVIDIA H200 SXM 141GB", 141, 4.8, 989, 1979, 1979, 0, 450, 8, 8, 3.20,
       nv + " H200 (2024): 141GB HBM3e 4.8 TB/s, BF16 989 / FP8 1,979 TFLOPS dense, NVLink 900 "
            "GB/s bidirectional; "
            "AIConfigurator systems/h200_sxm.yaml"},
      {"b200", "NVIDIA B200 SXM 180GB", 180, 7.7, 2250, 4500, 4500, 9000, 900, 8, 8, 5.00,
       nv + " DGX B200 (2024): 180GB usable HBM3e, BF16 2.25 / FP8 4.5 / FP4 9 PFLOPS dense, "
            "NVLink 5 1.8 TB/s "
            "bidirectional; bandwidth 7.7 TB/s as AIConfigurator systems/b200_sxm.yaml"},
      {"b300", "NVIDIA B300 SXM 288GB (HGX B300)", 268.6, 7.75, 2250, 4500, 153.5, 14000, 900, 8, 8,
       6.50,
       "AIConfigurator systems/b300_sxm.yaml (commit 095f58a): 275,040 MiB as nvidia-smi reports, "
       "7.75 TB/s (62 TB/s / 8), BF16 2,250 / FP8 4,500 / FP4 14,000 TFLOPS dense, INT8 153.5 TOPS "
       "(Blackwell Ultra cut INT8), NVLink 5 900 GB/s per direction, ConnectX-8 800 Gb/s per GPU; "
       "NVIDIA Blackwell Ultra datasheet",
       8, 100},
      {"gb200", "NVIDIA GB200 NVL72 (per GPU, 186GB)", 185.0, 8.0, 2500, 5000, 5000, 10000, 900, 8,
       4, 6.00,
       "AIConfigurator systems/gb200.yaml (commit 095f58a): 189,471 MiB as nvidia-smi reports, 8 "
       "TB/s, BF16 2,500 / FP8 5,000 / FP4 10,000 TFLOPS dense, NVLink 5 900 GB/s per direction "
       "across the 72-GPU rack, 4 GPUs per compute tray, ConnectX 800 Gb/s per GPU; NVIDIA GB200 "
       "NVL72 datasheet (rack: 720 PF FP4 dense, 130 TB/s NVLink)",
       72, 100},
      {"gb300", "NVIDIA GB300 NVL72 (per GPU, 288GB)", 277.5, 8.0, 2500, 5000, 165, 15000, 900, 8,
       4, 7.50,
       "AIConfigurator systems/gb300.yaml (commit 095f58a): 284,208 MiB as nvidia-smi reports, 8 "
       "TB/s, BF16 2,500 / FP8 5,000 / FP4 15,000 TFLOPS dense, INT8 165 TOPS, NVLink 5 900 GB/s "
       "per direction across the 72-GPU rack, ConnectX-8 800 Gb/s per GPU; NVIDIA GB300 NVL72 "
       "datasheet (rack: 1,080 PF FP4 dense)",
       72, 100},
      {"l40s", "NVIDIA L40S 48GB", 48, 0.864, 362, 733, 733, 0, 32, 20, 8, 1.00,
       nv + " L40S (2023): 48GB GDDR6 864 GB/s, BF16 362 / FP8 733 TFLOPS dense, PCIe Gen4 x16"},
      {"l4", "NVIDIA L4 24GB", 24, 0.300, 121, 242, 242, 0, 32, 20, 8, 0.60,
       nv + " L4 (2023): 24GB GDDR6 300 GB/s, BF16 121 / FP8 242 TFLOPS dense, PCIe Gen4 x16"},
      {"mi300x", "AMD Instinct MI300X 192GB", 192, 5.3, 1307, 2615, 2615, 0, 448, 10, 8, 2.60,
       "AMD MI300X datasheet (2023): 192GB HBM3 5.3 TB/s, BF16 1,307 / FP8 2,615 TFLOPS dense, "
       "Infinity Fabric 7 x 64 GB/s per direction"},
      {"mi325x", "AMD Instinct MI325X 256GB", 256, 6.0, 1307, 2615, 2615, 0, 448, 10, 8, 3.00,
       "AMD MI325X datasheet (2024): 256GB HBM3E 6 TB/s, the MI300X's CDNA3 compute (BF16 1,307 / "
       "FP8 2,615 TFLOPS dense, no FP4), Infinity Fabric 7 x 64 GB/s per direction; ROCm GPU "
       "specs table: 256 GiB VRAM, 304 CUs"},
      {"mi355x", "AMD Instinct MI355X 288GB", 288, 8.0, 2517, 5033, 5033, 10066, 538, 10, 8, 4.00,
       "AMD MI355X datasheet (2025): 288GB HBM3E 8 TB/s, CDNA4 256 CUs, BF16 2,517 / FP8 5,033 / "
       "MXFP4 10,066 TFLOPS dense (256 CU x 8,192 FP8 FLOP/clk x 2.4 GHz), Infinity Fabric 7 x "
       "153.6 GB/s bidirectional (538 GB/s per direction); ROCm GPU specs table: 288 GiB VRAM"},
  };
}

ModelSpec dense(std::string name, std::string source, std::int64_t layers, std::int64_t hidden,
                std::int64_t heads, std::int64_t kv_heads, std::int64_t intermediate,
                std::int64_t vocab, std::int64_t max_context, double published_b) {
  ModelSpec m;
  m.name = std::move(name);
  // "Hugging Face config.json of org/name ..." names the repository the architecture came from.
  if (const auto at = source.find(" of "); at != std::string::npos) {
    const std::string rest = source.substr(at + 4);
    m.hf_id = rest.substr(0, rest.find(' '));
  }
  m.source = std::move(source);
  m.layers = layers;
  m.hidden = hidden;
  m.heads = heads;
  m.kv_heads = kv_heads;
  m.head_dim = hidden / heads;
  m.intermediate = intermediate;
  m.vocab = vocab;
  m.max_context = max_context;
  m.published_params_b = published_b;
  return m;
}

std::vector<ModelSpec> builtin_models() {
  const std::string hf = "Hugging Face config.json of ";
  std::vector<ModelSpec> out{
      dense("llama-2-7b", hf + "meta-llama/Llama-2-7b-hf", 32, 4096, 32, 32, 11008, 32000, 4096,
            6.74),
      dense("llama-2-70b", hf + "meta-llama/Llama-2-70b-hf", 80, 8192, 64, 8, 28672, 32000, 4096,
            68.98),
      dense("llama-3.1-8b", hf + "meta-llama/Llama-3.1-8B", 32, 4096, 32, 8, 14336, 128256, 131072,
            8.03),
      dense("llama-3.1-70b", hf + "meta-llama/Llama-3.1-70B", 80, 8192, 64, 8, 28672, 128256,
            131072, 70.55),
      dense("llama-3.1-405b", hf + "meta-llama/Llama-3.1-405B", 126, 16384, 128, 8, 53248, 128256,
            131072, 405.85),
      dense("mistral-7b", hf + "mistralai/Mistral-7B-v0.1", 32, 4096, 32, 8, 14336, 32000, 32768,
            7.24),
      dense("qwen2.5-72b", hf + "Qwen/Qwen2.5-72B", 80, 8192, 64, 8, 29568, 152064, 131072, 72.71),
      dense("qwen3-32b", hf + "Qwen/Qwen3-32B", 64, 5120, 64, 8, 25600, 151936, 40960, 32.76),
  };
  out.back().head_dim =
      128;                 // Qwen3 sets head_dim explicitly: 64 heads x 128 = 8192 != hidden 5120
  out[6].qkv_bias = true;  // Qwen2.5 has biases on q, k, v

  ModelSpec mixtral = dense("mixtral-8x7b", hf + "mistralai/Mixtral-8x7B-v0.1", 32, 4096, 32, 8,
                            14336, 32000, 32768, 46.70);
  mixtral.experts = 8;
  mixtral.experts_per_token = 2;
  out.push_back(mixtral);

  auto deepseek_v3 = [&](std::string name, std::string repo) {
    ModelSpec ds = dense(std::move(name), hf + repo + " (671B without the 14B MTP module)", 61,
                         7168, 128, 128, 18432, 129280, 163840, 671.0);
    ds.head_dim = 128;
    ds.experts = 256;
    ds.experts_per_token = 8;
    ds.shared_experts = 1;
    ds.moe_intermediate = 2048;
    ds.dense_layers = 3;
    ds.kv_lora_rank = 512;
    ds.q_lora_rank = 1536;
    ds.qk_rope_head_dim = 64;
    ds.qk_nope_head_dim = 128;
    ds.v_head_dim = 128;
    return ds;
  };
  out.push_back(deepseek_v3("deepseek-v3", "deepseek-ai/DeepSeek-V3"));
  // R1 is V3's architecture, retrained: the same config.json.
  out.push_back(deepseek_v3("deepseek-r1", "deepseek-ai/DeepSeek-R1"));

  // The MoE models of AIConfigurator's silicon runs. Config values from the Hugging Face
  // config.json copies in ai-dynamo/aiconfigurator (commit 095f58a,
  // aic-core/src/aiconfigurator_core/model_configs/); published totals from the model cards.
  auto moe = [&](ModelSpec m, std::int64_t experts, std::int64_t k, std::int64_t shared,
                 std::int64_t expert_width, std::int64_t dense_layers) {
    m.experts = experts;
    m.experts_per_token = k;
    m.shared_experts = shared;
    m.moe_intermediate = expert_width;
    m.dense_layers = dense_layers;
    return m;
  };
  auto mla = [](ModelSpec m, std::int64_t q_lora, std::int64_t nope, std::int64_t v_head) {
    m.kv_lora_rank = 512;
    m.q_lora_rank = q_lora;
    m.qk_rope_head_dim = 64;
    m.qk_nope_head_dim = nope;
    m.v_head_dim = v_head;
    m.head_dim = nope + 64;
    return m;
  };

  ModelSpec qwen235 =
      moe(dense("qwen3-235b-a22b", hf + "Qwen/Qwen3-235B-A22B (model card: 235B total, 22B active)",
                94, 4096, 64, 4, 12288, 151936, 40960, 235.0),
          128, 8, 0, 1536, 0);
  qwen235.head_dim = 128;
  out.push_back(qwen235);

  // Alternating 128-token sliding-window and full layers; biases on attention, router and experts;
  // MXFP4 experts in the released checkpoint.
  ModelSpec oss = moe(
      dense("gpt-oss-120b", hf + "openai/gpt-oss-120b (model card: 116.83B total, 5.13B active)",
            36, 2880, 64, 8, 2880, 201088, 131072, 116.83),
      128, 4, 0, 2880, 0);
  oss.head_dim = 64;
  oss.attention_bias = true;
  oss.expert_bias = true;
  oss.sliding_window = 128;
  oss.sliding_window_layers = 18;
  out.push_back(oss);

  // 15 gated full-attention layers and 45 Gated DeltaNet linear-attention layers (16 key heads, 64
  // value heads of 128, conv kernel 4) whose fp32 state is 64 x 128 x 128 + the conv window.
  // Published 397B includes the 0.46B vision tower; the text model counted here is 396.35B.
  ModelSpec qwen35 =
      moe(dense("qwen3.5-397b-a17b",
                hf + "Qwen/Qwen3.5-397B-A17B text_config (model card: 397B total, 17B active; "
                     "vision tower and MTP layer not counted)",
                60, 4096, 32, 2, 1024, 248320, 262144, 397.0),
          512, 10, 1, 1024, 0);
  qwen35.head_dim = 256;
  qwen35.attention_output_gate = true;
  qwen35.linear_attention_layers = 45;
  {
    const std::int64_t h = 4096, key = 2 * 16 * 128, value = 64 * 128;
    qwen35.linear_attention_params =
        h * (key + 2 * value) + h * 2 * 64 + (key + value) * 4 + value * h + 2 * 64 + 128;
    qwen35.linear_state_elements = 64 * 128 * 128 + (key + value) * 3;
  }
  out.push_back(qwen35);

  ModelSpec minimax = moe(
      dense("minimax-m2.5",
            hf + "MiniMaxAI/MiniMax-M2.5 (MiniMax-M2.5 report: 229.9B total, 9.8B activated; MTP "
                 "modules not counted)",
            62, 3072, 48, 8, 1536, 200064, 196608, 229.9),
      256, 8, 0, 1536, 0);
  minimax.head_dim = 128;
  out.push_back(minimax);

  // DeepSeek-V3's architecture with 64 heads, 384 experts and one dense layer; INT4 (QAT) experts.
  ModelSpec kimi = mla(
      moe(dense("kimi-k2.5",
                hf + "moonshotai/Kimi-K2.5 text_config (Kimi K2 technical report: 1.04T total, 32B "
                     "activated; the 0.4B MoonViT vision tower not counted)",
                61, 7168, 64, 64, 18432, 163840, 262144, 1040.0),
          384, 8, 1, 2048, 1),
      1536, 128, 128);
  out.push_back(kimi);

  // MLA with DeepSeek Sparse Attention: the indexer (9.4M parameters and a 128-element fp8 key
  // per token and layer) is not modeled; it is 0.1% of the parameters and 11% of the KV cache.
  ModelSpec glm5 = mla(moe(dense("glm-5",
                                 hf + "zai-org/GLM-5 (GLM-5 technical report arXiv:2602.15763: "
                                      "744B total, 40B activated; MTP layer not counted)",
                                 78, 6144, 64, 64, 12288, 154880, 202752, 744.0),
                           256, 8, 1, 2048, 3),
                       2048, 192, 256);
  out.push_back(glm5);
  return out;
}

// Spellings that normalize_name() alone does not map onto a catalog name.
constexpr std::array<std::pair<std::string_view, std::string_view>, 28> kAliases{{
    {"h100", "h100-sxm"},
    {"h100-sxm5", "h100-sxm"},
    {"h100-80gb", "h100-sxm"},
    {"h100-sxm-80gb", "h100-sxm"},
    {"h100-sxm5-80gb", "h100-sxm"},
    {"h200-sxm", "h200"},
    {"h200-141gb", "h200"},
    {"a100", "a100-80gb"},
    {"a100-sxm", "a100-80gb"},
    {"a100-sxm4-80gb", "a100-80gb"},
    {"a100-80gb-sxm", "a100-80gb"},
    {"b200-sxm", "b200"},
    {"b300-sxm", "b300"},
    {"gb200-nvl72", "gb200"},
    {"gb300-nvl72", "gb300"},
    {"mi300", "mi300x"},
    {"llama-3.3-70b", "llama-3.1-70b"},
    {"llama-3-70b", "llama-3.1-70b"},
    {"llama-3-8b", "llama-3.1-8b"},
    {"llama-2-70b-fp16", "llama-2-70b"},
    {"llama2-70b", "llama-2-70b"},
    {"deepseek-v3.1", "deepseek-v3"},
    {"deepseek-r1-nvfp4", "deepseek-r1"},
    {"deepseek-v3.1-nvfp4", "deepseek-v3"},
    {"qwen3-32b-nvfp4", "qwen3-32b"},
    {"qwen3-235b-a22b-fp8", "qwen3-235b-a22b"},
    {"gpt-oss", "gpt-oss-120b"},
    {"mixtral-8x7b-v0.1", "mixtral-8x7b"},
}};

std::string resolve_alias(std::string_view name) {
  std::string key = catalog::normalize_name(name);
  for (const auto& [alias, target] : kAliases)
    if (alias == key) return std::string(target);
  return key;
}

template <class Spec>
Result<Spec> find(const std::vector<Spec>& specs, std::string_view name, std::string_view kind,
                  bool suggest) {
  // Exact (user-added names may contain capitals) first, then the normalized key.
  for (const auto& s : specs)
    if (s.name == name) return s;
  const std::string key = resolve_alias(name);
  for (const auto& s : specs)
    if (s.name == key) return s;
  if (!suggest) return fail(fmt::format("unknown {} '{}'", kind, name));
  // Suggest by distance to names and to aliases, reporting the name an alias stands for.
  std::vector<std::string> keys;
  for (const auto& s : specs) keys.push_back(s.name);
  for (const auto& [alias, target] : kAliases)
    if (std::ranges::any_of(specs, [&](const Spec& s) { return s.name == target; }))
      keys.emplace_back(alias);
  std::vector<std::string> suggestions;
  for (const auto& k : catalog::nearest_names(name, keys, keys.size())) {
    const std::string target = resolve_alias(k);
    if (std::ranges::find(suggestions, target) == suggestions.end()) suggestions.push_back(target);
    if (suggestions.size() == 3) break;
  }
  return fail(
      fmt::format("unknown {} '{}'; did you mean {}?", kind, name, fmt::join(suggestions, ", ")));
}

template <class Spec>
void put_spec(std::vector<Spec>& specs, Spec spec) {
  for (auto& s : specs) {
    if (s.name == spec.name) {
      s = std::move(spec);
      return;
    }
  }
  specs.push_back(std::move(spec));
}

}  // namespace

Result<GpuSpec> Catalog::gpu(std::string_view name, bool suggest) const {
  return find(gpus, name, "GPU", suggest);
}
Result<ModelSpec> Catalog::model(std::string_view name, bool suggest) const {
  return find(models, name, "model", suggest);
}
void Catalog::put(GpuSpec spec) {
  put_spec(gpus, std::move(spec));
}
void Catalog::put(ModelSpec spec) {
  put_spec(models, std::move(spec));
}

std::vector<std::string> Catalog::gpu_names() const {
  std::vector<std::string> out;
  for (const auto& g : gpus) out.push_back(g.name);
  return out;
}

std::vector<std::string> Catalog::model_names() const {
  std::vector<std::string> out;
  for (const auto& m : models) out.push_back(m.name);
  return out;
}

Catalog builtin_catalog() {
  return Catalog{builtin_gpus(), builtin_models()};
}

}  // namespace fleetsizer
