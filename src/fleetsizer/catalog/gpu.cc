#include "fleetsizer/catalog/gpu.h"

#include "fleetsizer/units/units.h"

namespace fleetsizer {

double peak_flops(const GpuSpec& gpu, Dtype compute_dtype) {
  double tflops = gpu.bf16_tflops;
  switch (compute_dtype) {
    case Dtype::fp4:
      if (gpu.fp4_tflops > 0)
        tflops = gpu.fp4_tflops;
      else if (gpu.fp8_tflops > 0)
        tflops = gpu.fp8_tflops;
      break;
    case Dtype::fp8:
      if (gpu.fp8_tflops > 0) tflops = gpu.fp8_tflops;
      break;
    case Dtype::int8:
      if (gpu.int8_tops > 0) tflops = gpu.int8_tops;
      break;
    case Dtype::fp32:
      tflops = gpu.bf16_tflops / 2.0;  // TF32 tensor cores run at half the bf16 rate
      break;
    default:
      break;
  }
  return tflops * units::kFlopsPerTflop;
}

}  // namespace fleetsizer
