#!/usr/bin/env python3
"""Converts the real runs in ../shared/data into fleetsizer's measurement CSV (DESIGN.md section 5).

Outputs (derived fixtures; the sources are named in every row's `source` column and in
data/measurements/README.md):
  data/measurements/aiconfigurator-dense-agg.csv  <- aiconfigurator-silicon/derived_dense_agg_h100_h200.csv
  data/measurements/aiconfigurator-agg.csv        <- aiconfigurator-silicon/silicon_sample.csv (every agg run)
  data/measurements/aiconfigurator-agg-uncovered.csv  the agg runs not converted, each with its reason
  data/measurements/splitwise-llama2-70b.csv      <- splitwise-perf-model/perf_model.csv
  data/measurements/open-loop-vllm.csv            <- open-loop-vllm/*.csv (means)
  data/measurements/open-loop-vllm-p99.csv        <- open-loop-vllm/*-p99.csv (p99s)
  data/measurements/aiconfigurator-disagg.csv     <- aiconfigurator-silicon/silicon_sample.csv (mode disagg)

Two columns beyond DESIGN.md section 5 (docs/formats.md): `latency_stat` (which statistic ttft_ms and
tpot_ms are: mean, p50, p99, ...) and `requests` (requests the run completed, replayed by the simulator).

Usage: scripts/convert_measurements.py [path/to/shared/data]
"""
import csv
import os
import re
import statistics
import sys
from collections import defaultdict

HEADER = ["model", "gpu", "num_gpus", "tp", "weights_dtype", "kv_dtype", "engine", "isl", "osl", "concurrency",
          "request_rate", "output_tok_s", "total_tok_s", "ttft_ms", "tpot_ms", "source", "latency_stat", "requests"]

MODELS = {"Qwen/Qwen3-32B": "qwen3-32b", "meta-llama/Llama-3.1-8B-Instruct": "llama-3.1-8b",
          "meta-llama/Llama-3.1-70B": "llama-3.1-70b", "nvidia/Llama-3.1-8B-Instruct-FP8": "llama-3.1-8b",
          "llama2-70b": "llama-2-70b"}
MODELS.update({"deepseek-ai/DeepSeek-V3": "deepseek-v3", "deepseek-ai/DeepSeek-R1": "deepseek-r1",
               "nvidia/DeepSeek-R1-NVFP4": "deepseek-r1", "nvidia/DeepSeek-V3.1-NVFP4": "deepseek-v3",
               "nvidia/Qwen3-32B-NVFP4": "qwen3-32b", "Qwen/Qwen3-235B-A22B-FP8": "qwen3-235b-a22b",
               "openai/gpt-oss-120b": "gpt-oss-120b", "Qwen/Qwen3.5-397B-A17B": "qwen3.5-397b-a17b",
               "MiniMaxAI/MiniMax-M2.5": "minimax-m2.5", "moonshotai/Kimi-K2.5": "kimi-k2.5",
               "zhipuai/GLM-5": "glm-5"})
GPUS = {"h100_sxm": "h100-sxm", "h200_sxm": "h200", "a100-80gb": "a100-80gb", "h100-80gb": "h100-sxm"}
GPUS.update({"b200_sxm": "b200", "b300_sxm": "b300", "gb200": "gb200", "gb300": "gb300"})


def silicon(data, out_dir):
    src = os.path.join(data, "aiconfigurator-silicon", "derived_dense_agg_h100_h200.csv")
    rows = []
    with open(src, newline="") as f:
        for r in csv.DictReader(f):
            if r["pp"] != "1":
                continue
            fp8 = r["precision"] == "fp8" or r["gemm_quant_mode"] == "fp8"
            weights = "fp8" if fp8 else "bf16"
            # Assumption (docs/accuracy.md): TensorRT-LLM's fp8 recipes also quantize the KV cache.
            kv = "fp8" if fp8 and r["backend"] == "trtllm" else "bf16"
            rows.append({
                "model": MODELS[r["model"]], "gpu": GPUS[r["system"]], "num_gpus": r["gpus_per_replica"],
                "tp": r["tp"], "weights_dtype": weights, "kv_dtype": kv, "engine": r["backend"],
                "isl": r["isl"], "osl": r["osl"], "concurrency": r["concurrency"], "request_rate": "",
                "output_tok_s": r["DERIVED_output_tok_per_s_per_replica"], "total_tok_s": "",
                "ttft_ms": r["ttft_ms"], "tpot_ms": r["tpot_ms"],
                "source": f"AIConfigurator silicon {r['id']} ({r['backend']} {r['backend_version']}); "
                          "tok/s by Little's law",
                # SOURCE.txt: silicon_ttft_ms / silicon_tpot_ms are measured means; the request
                # count is not recorded.
                "latency_stat": "mean", "requests": ""})
    write(os.path.join(out_dir, "aiconfigurator-dense-agg.csv"), rows)


# The MoE / attention data-parallel layout columns (docs/formats.md) the agg rows add.
LAYOUT = ["attention_dp_size", "moe_tp_size", "moe_ep_size"]
MOE_MODELS = {"deepseek-v3", "deepseek-r1", "qwen3-235b-a22b", "gpt-oss-120b", "qwen3.5-397b-a17b",
              "minimax-m2.5", "kimi-k2.5", "glm-5"}
HGX_GPUS = 8  # an HGX/DGX host: an aggregated run of this sample never spans two


def _int(text, default):
    return int(text) if text not in ("", None) and int(text) > 0 else default


def silicon_layout(r, model):
    """The run's (tp, attention_dp, moe_tp, moe_ep, gpus, note) from silicon_sample.csv's columns.

    The sample writes some layouts in other terms than the GPUs they ran on (checked against the row
    ids, which spell the engine's flags, and against the host size); each reading is said in `note`.
    """
    tp, adp = _int(r["tp_size"], 1), _int(r["attention_dp_size"], 1)
    moe_tp, ep = _int(r["moe_tp_size"], 0), _int(r["moe_ep_size"], 1)
    if model not in MOE_MODELS:
        return tp, adp, 0, 1, tp * adp, ""
    rack = r["system"].startswith("gb")
    named = re.search(r"_tp(\d+)(?:_0)?_ep(\d+)", r["id"])
    # tp_size = tp x ep: "tp8_ep8" runs on 8 GPUs but is written tp_size 64, moe_tp 8, moe_ep 8.
    if adp == 1 and moe_tp == ep > 1 and tp == ep * ep and (
            tp > HGX_GPUS or (named and named.group(1) == named.group(2) == str(ep))):
        return ep, 1, 1, ep, ep, f"layout read as tp{ep} ep{ep} (tp_size {tp} = tp x ep)"
    # The same with attention data parallelism: "DEP8" (attention dp 8, ep 8) is written
    # attention_dp 64, moe_tp 8, moe_ep 8.
    if tp == 1 and moe_tp == ep > 1 and adp == ep * ep and (
            adp > HGX_GPUS or (named and named.group(1) == named.group(2) == str(ep))):
        return 1, ep, 1, ep, ep, f"layout read as attention dp{ep} ep{ep} (attention_dp_size {adp} = dp x ep)"
    # vLLM data parallel with EP: "tp4_ep4" with 4 data-parallel ranks is written tp_size 4,
    # attention_dp 4, moe_ep 16.
    if adp == tp > 1 and moe_tp <= 1 and ep == adp * adp and tp * adp > HGX_GPUS or (
            adp == tp > 1 and moe_tp <= 1 and ep == adp * adp and named and named.group(2) == str(adp)):
        return 1, adp, 1, adp, adp, f"layout read as attention dp{adp} ep{adp} (moe_ep_size {ep} = dp x ep)"
    # GB200 wide runs: "tp36_ep1" of DeepSeek-R1 cannot split 128 heads 36 ways; the rack runs attention
    # data parallel with the experts spread over the same GPUs (DEP).
    if rack and tp > HGX_GPUS and moe_tp == tp and ep <= 1 and adp <= 1:
        return 1, tp, 1, tp, tp, f"layout read as attention dp{tp} ep{tp} (tp_size {tp} on an NVL72 rack)"
    gpus = tp * adp
    if moe_tp * ep != gpus:
        # The MoE uses what the attention leaves (vLLM/SGLang without EP: MoE TP = tp).
        if gpus % ep:
            return tp, adp, None, ep, gpus, f"moe_ep_size {ep} does not divide {gpus} GPUs"
        return tp, adp, 0, ep, gpus, f"moe_tp_size {r['moe_tp_size'] or 'empty'} read as {gpus // ep}"
    return tp, adp, moe_tp, ep, gpus, ""


def short(x, digits):
    """x rounded, in its shortest exact form (what fleetsizer writes back: rows round-trip)."""
    text = repr(round(x, digits))
    return text[:-2] if text.endswith(".0") else text


def silicon_agg(data, out_dir):
    """Every aggregated run of silicon_sample.csv: converted, or listed with the reason it is not."""
    src = os.path.join(data, "aiconfigurator-silicon", "silicon_sample.csv")
    rows, uncovered = [], []
    with open(src, newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            if r["mode"] != "agg":
                continue
            def miss(reason):
                uncovered.append({"line": line, "id": r["id"], "reason": reason})
            model, gpu = MODELS.get(r["model_path"]), GPUS.get(r["system"])
            if not model:
                miss(f"model {r['model_path']} is not in the catalog")
                continue
            if not gpu:
                miss(f"system {r['system']} is not in the catalog")
                continue
            if _int(r["pp_size"], 1) != 1:
                miss(f"pipeline parallel {r['pp_size']}")
                continue
            tp, adp, moe_tp, ep, gpus, note = silicon_layout(r, model)
            if moe_tp is None:
                miss(note)
                continue
            ttft, tpot, osl = float(r["silicon_ttft_ms"]), float(r["silicon_tpot_ms"]), int(r["osl"])
            conc = re.search(r"silicon_concurrency=(\d+)", r["silicon_data_source"])
            # batch_size is per attention data-parallel rank (SOURCE.txt)
            concurrency = int(conc.group(1)) if conc else _int(r["batch_size"], 1) * adp
            quant = r["gemm_quant_mode"] or r["precision"]
            weights = {"fp8": "fp8", "fp8_block": "fp8", "nvfp4": "fp4", "fp4": "fp4", "int4_wo": "int4",
                       "int4": "int4"}.get(quant, "bf16")
            # Assumption (docs/accuracy.md): TensorRT-LLM's fp8/fp4 recipes also quantize the KV cache.
            kv = "fp8" if weights in ("fp8", "fp4") and r["backend"] == "trtllm" else "bf16"
            e2e_ms = ttft + (osl - 1) * tpot
            moe = model in MOE_MODELS
            rows.append({
                "model": model, "gpu": gpu, "num_gpus": gpus, "tp": tp, "weights_dtype": weights,
                "kv_dtype": kv, "engine": r["backend"], "isl": r["isl"], "osl": r["osl"],
                "concurrency": concurrency, "request_rate": "",
                "output_tok_s": short(concurrency * osl / (e2e_ms / 1000.0), 2), "total_tok_s": "",
                "ttft_ms": short(ttft, 3), "tpot_ms": short(tpot, 4),
                "source": f"AIConfigurator silicon_sample.csv:{line} {r['id']} ({r['backend']} "
                          f"{r['backend_version']}, {r['system']}); tok/s by Little's law"
                          + (f"; {note}" if note else ""),
                "latency_stat": "mean", "requests": "",
                "attention_dp_size": adp if moe or adp > 1 else "",
                "moe_tp_size": (moe_tp or "") if moe else "", "moe_ep_size": ep if moe else ""})
    write(os.path.join(out_dir, "aiconfigurator-agg.csv"), rows, HEADER + LAYOUT)
    write(os.path.join(out_dir, "aiconfigurator-agg-uncovered.csv"), uncovered, ["line", "id", "reason"])


def splitwise(data, out_dir):
    src = os.path.join(data, "splitwise-perf-model", "perf_model.csv")
    groups = defaultdict(list)
    with open(src, newline="") as f:
        for r in csv.DictReader(f):
            if r["model"] != "llama2-70b" or r["hardware"] not in GPUS:
                continue
            key = (r["hardware"], r["tensor_parallel"], r["prompt_size"], r["batch_size"], r["token_size"])
            groups[key].append(r)
    rows = []
    for (hw, tp, prompt, batch, tokens), reps in sorted(groups.items(), key=lambda kv: [int(x) if x.isdigit() else x for x in kv[0]]):
        ttft = statistics.median(float(r["prompt_time"]) for r in reps)
        tpot = statistics.median(float(r["token_time"]) for r in reps)
        e2e = statistics.median(float(r["e2e_time"]) for r in reps)
        # Known oddity (SOURCE.txt): TP2 batch 64 did not fit and was split; leave it out.
        if hw == "a100-80gb" and tp == "2" and int(batch) >= 64:
            continue
        out_tok_s = int(batch) * int(tokens) / (e2e / 1000.0)
        rows.append({
            "model": "llama-2-70b", "gpu": GPUS[hw], "num_gpus": tp, "tp": tp, "weights_dtype": "fp16",
            "kv_dtype": "fp16", "engine": "static", "isl": prompt, "osl": tokens, "concurrency": batch,
            "request_rate": "", "output_tok_s": f"{out_tok_s:.2f}", "total_tok_s": "",
            "ttft_ms": f"{ttft:.3f}", "tpot_ms": f"{tpot:.4f}",
            "source": f"SplitwiseSim perf_model.csv {hw} tp{tp} median of {len(reps)} repeats",
            # One static batch per repeat: every request of it has the same TTFT and TPOT; the
            # row is the median over repeats.
            "latency_stat": "p50", "requests": batch})
    write(os.path.join(out_dir, "splitwise-llama2-70b.csv"), rows)


def open_loop(data, out_dir):
    """The open-loop vLLM runs: means in the main files, p99s in the -p99 twins (SOURCE.txt)."""
    folder = os.path.join(data, "open-loop-vllm")
    files = sorted(f for f in os.listdir(folder) if f.endswith(".csv"))
    for stat, suffix in (("mean", ""), ("p99", "-p99")):
        rows = []
        for name in files:
            if name.endswith("-p99.csv") != (stat == "p99"):
                continue
            with open(os.path.join(folder, name), newline="") as f:
                for r in csv.DictReader(f):
                    m = re.search(r"completed=(\d+)", r["source"]) or re.search(r"(\d+) prompts", r["source"])
                    r["latency_stat"] = stat
                    r["requests"] = m.group(1) if m else ""
                    rows.append(r)
        write(os.path.join(out_dir, f"open-loop-vllm{suffix}.csv"), rows)


# Disaggregated runs use the same model and system maps as the aggregated ones (MODELS, GPUS); a
# name the catalog does not have is kept, and the validator counts such rows as uncovered.
# gemm_quant_mode -> weights dtype; the KV dtype follows the run's precision (fp8 and fp4 recipes of
# TensorRT-LLM, SGLang and vLLM in this sample keep an fp8 KV cache; assumption stated in
# docs/accuracy.md).
DISAGG_WEIGHTS = {"fp8": "fp8", "fp8_block": "fp8", "nvfp4": "fp4", "bf16": "bf16", "float16": "fp16"}
POOL_FIELDS = ["workers", "tp", "pp", "attention_dp", "moe_tp", "moe_ep", "batch"]
DISAGG_HEADER = (["id", "model", "gpu", "engine", "engine_version", "weights_dtype", "kv_dtype", "isl", "osl",
                  "concurrency"] + [f"prefill_{k}" for k in POOL_FIELDS] + [f"decode_{k}" for k in POOL_FIELDS]
                 + ["ttft_ms", "tpot_ms", "latency_stat", "source"])


def disagg(data, out_dir):
    """Every disaggregated run of the AIConfigurator silicon sample, one row per run."""
    src = os.path.join(data, "aiconfigurator-silicon", "silicon_sample.csv")
    rows = []
    with open(src, newline="") as f:
        for r in csv.DictReader(f):
            if r["mode"] != "disagg":
                continue
            m = re.search(r"silicon_concurrency=(\d+)", r["silicon_data_source"])
            row = {"id": r["id"], "model": MODELS.get(r["model_path"], r["model_path"]),
                   "gpu": GPUS.get(r["system"], r["system"]), "engine": r["backend"],
                   "engine_version": r["backend_version"],
                   "weights_dtype": DISAGG_WEIGHTS.get(r["gemm_quant_mode"], r["gemm_quant_mode"]),
                   "kv_dtype": "fp8", "isl": r["isl"], "osl": r["osl"],
                   "concurrency": m.group(1) if m else "",
                   "ttft_ms": r["silicon_ttft_ms"], "tpot_ms": r["silicon_tpot_ms"],
                   # SOURCE.txt: silicon_ttft_ms / silicon_tpot_ms are measured means.
                   "latency_stat": "mean",
                   # The data source without its container image (engine and version are columns).
                   "source": "AIConfigurator silicon_sample.csv ("
                             + "; ".join(p for p in r["silicon_data_source"].split("; ")
                                         if not p.startswith(("nvcr.io", "lmsysorg", "vllm/")) and "/" not in p.split("=")[-1] or p.startswith("db-dump"))
                             + ")"}
            notes = []
            for pool in ("prefill", "decode"):
                names = {"workers": "num_workers", "tp": "tp_size", "pp": "pp_size",
                         "attention_dp": "attention_dp_size", "moe_tp": "moe_tp_size", "moe_ep": "moe_ep_size",
                         "batch": "batch_size"}
                for k, col in names.items():
                    row[f"{pool}_{k}"] = r[f"{pool}_{col}"]
                # Each pool's layout read as the aggregated runs' are (silicon_layout: the sample
                # writes some layouts in other terms than the GPUs they ran on); the reading is said
                # in `source`.
                if r[f"{pool}_tp_size"]:
                    cols = {k: r[f"{pool}_{k}"] for k in ("tp_size", "attention_dp_size", "moe_tp_size",
                                                          "moe_ep_size")}
                    tp, adp, moe_tp, ep, _, note = silicon_layout(
                        dict(cols, system=r["system"], id=r["id"]), row["model"])
                    if moe_tp is not None:
                        row[f"{pool}_tp"], row[f"{pool}_attention_dp"] = tp, adp
                        row[f"{pool}_moe_tp"], row[f"{pool}_moe_ep"] = moe_tp, ep
                    if note:
                        notes.append(f"{pool}: {note}")
            if notes:
                row["source"] += "; " + "; ".join(notes)
            rows.append(row)
    write(os.path.join(out_dir, "aiconfigurator-disagg.csv"), rows, DISAGG_HEADER)


def write(path, rows, header=HEADER):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    print(f"{path}: {len(rows)} rows")


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")
    out = os.path.join(root, "data", "measurements")
    os.makedirs(out, exist_ok=True)
    silicon(data, out)
    silicon_agg(data, out)
    splitwise(data, out)
    open_loop(data, out)
    disagg(data, out)
