#pragma once
// The link a prefill replica sends its KV cache over to a decode replica. A transfer of B bytes
// takes latency + B / (bandwidth x lanes): each GPU of the prefill replica sends its own KV shard
// over its own NIC (or NVLink port), so a TP-t replica has t lanes. Presets are illustrative
// per-GPU unidirectional figures (docs/model.md, "Disaggregated pools").
#include <string>
#include <string_view>
#include <vector>

#include "fleetsizer/error.h"

namespace fleetsizer {

struct KvLink {
  std::string name;
  double gb_s = 0;        // per GPU lane, GB/s (1e9 bytes)
  double latency_us = 0;  // per transfer: setup and first byte
};

// nvlink (NVLink domain, 450 GB/s, 2 us), infiniband (NDR 400 Gb/s = 50 GB/s, 5 us), roce (RoCE
// 200 Gb/s = 25 GB/s, 10 us), ethernet (TCP 100 Gb/s = 12.5 GB/s, 50 us).
const std::vector<KvLink>& link_presets();
Result<KvLink> link_preset(std::string_view name);
std::string link_preset_names();

// Seconds to move `bytes` over `lanes` parallel lanes of the link.
double kv_transfer_s(const KvLink& link, double bytes, int lanes);

}  // namespace fleetsizer
