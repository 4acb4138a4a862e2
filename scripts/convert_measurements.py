#!/usr/bin/env python3
"""Converts the real runs in ../shared/data into fleetsizer's measurement CSV (DESIGN.md section 5).

Outputs (derived fixtures; the sources are named in every row's `source` column and in
data/measurements/README.md):
  data/measurements/aiconfigurator-dense-agg.csv  <- aiconfigurator-silicon/derived_dense_agg_h100_h200.csv
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
GPUS = {"h100_sxm": "h100-sxm", "h200_sxm": "h200", "a100-80gb": "a100-80gb", "h100-80gb": "h100-sxm"}


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


# Disaggregated runs: model paths and systems to catalog names, including those the catalog does not
# have yet (the validator counts such rows as uncovered by reason, docs/accuracy.md).
DISAGG_MODELS = {"deepseek-ai/DeepSeek-R1": "deepseek-r1", "deepseek-ai/DeepSeek-V3": "deepseek-v3",
                 "moonshotai/Kimi-K2.5": "kimi-k2.5", "openai/gpt-oss-120b": "gpt-oss-120b",
                 "zhipuai/GLM-5": "glm-5", "Qwen/Qwen3-32B": "qwen3-32b", "nvidia/Qwen3-32B-NVFP4": "qwen3-32b",
                 "Qwen/Qwen3-235B-A22B-FP8": "qwen3-235b-a22b"}
DISAGG_GPUS = {"h100_sxm": "h100-sxm", "h200_sxm": "h200", "b200_sxm": "b200", "b300_sxm": "b300",
               "gb200": "gb200", "gb300": "gb300"}
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
            row = {"id": r["id"], "model": DISAGG_MODELS.get(r["model_path"], r["model_path"]),
                   "gpu": DISAGG_GPUS.get(r["system"], r["system"]), "engine": r["backend"],
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
            for pool in ("prefill", "decode"):
                names = {"workers": "num_workers", "tp": "tp_size", "pp": "pp_size",
                         "attention_dp": "attention_dp_size", "moe_tp": "moe_tp_size", "moe_ep": "moe_ep_size",
                         "batch": "batch_size"}
                for k, col in names.items():
                    row[f"{pool}_{k}"] = r[f"{pool}_{col}"]
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
    splitwise(data, out)
    open_loop(data, out)
    disagg(data, out)
