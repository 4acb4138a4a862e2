#pragma once
// One accelerator's spec sheet: what the footprint model needs (memory) and what the roofline
// needs (dense tensor throughput per dtype, HBM bandwidth, the interconnect TP all-reduce uses).
#include <string>

#include "fleetsizer/units/dtype.h"

namespace fleetsizer {

struct GpuSpec {
  std::string name;
  std::string description;
  double memory_gib = 0;          // nominal HBM capacity per GPU
  double hbm_bandwidth_tb_s = 0;  // peak memory bandwidth
  double bf16_tflops = 0;         // dense (no sparsity) tensor-core peak; fp16 is the same
  double fp8_tflops = 0;          // 0: no fp8 tensor cores
  double int8_tops = 0;           // 0: no int8 tensor cores
  double fp4_tflops = 0;          // 0: no fp4 tensor cores
  double interconnect_gb_s =
      0;  // per GPU, one direction, inside a host (NVLink, Infinity Fabric, PCIe)
  double interconnect_latency_us = 0;  // per all-reduce launch, small-message floor
  int gpus_per_host = 8;
  double usd_per_gpu_hour = 0;  // illustrative on-demand price; users override it
  std::string source;
  // GPUs one NVLink (or Infinity Fabric) domain connects at interconnect_gb_s: 8 in an HGX/DGX
  // host, 72 in a GB200/GB300 NVL72 rack. Collectives spanning more cross the scale-out network.
  int nvlink_domain_gpus = 8;
  double scale_out_gb_s = 50;  // per GPU, one direction: one 400 Gb/s InfiniBand/RoCE NIC
};

// Peak dense tensor throughput (FLOP/s) for matmuls whose operands are in `compute_dtype`.
// A dtype the chip has no tensor cores for runs at the next wider one it has (int4/fp4 weights on a
// GPU without fp4 dequantize to bf16), which is what engines do.
double peak_flops(const GpuSpec& gpu, Dtype compute_dtype);

}  // namespace fleetsizer
