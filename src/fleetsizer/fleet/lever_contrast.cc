#include "fleetsizer/fleet/lever_contrast.h"

#include <cmath>

#include "fleetsizer/fleet/fleet.h"
#include "fleetsizer/memory/footprint.h"
#include "fleetsizer/perf/profile.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/plan/evaluate.h"

namespace fleetsizer {

std::string_view pricing_name(Pricing p) {
  return p == Pricing::per_gpu ? "per_gpu" : "fixed_node";
}

std::string_view contrast_reason_name(ContrastReason r) {
  switch (r) {
    case ContrastReason::replica_is_one_gpu:
      return "replica_is_one_gpu";
    case ContrastReason::fixed_node_price:
      return "fixed_node_price";
    case ContrastReason::replica_count_floor:
      return "replica_count_floor";
    case ContrastReason::gpus_fall_more_than_n:
      return "gpus_fall_more_than_n";
    case ContrastReason::n_falls_more_than_gpus:
      return "n_falls_more_than_gpus";
    case ContrastReason::equal_factors:
      return "equal_factors";
  }
  return "?";
}

namespace {

// Replicas at q: N = ceil(Q / (q u)) + k, through the fleet equation's own rounding.
std::int64_t replicas_at(const Scenario& s, double q, int gpus) {
  FleetInputs fi;
  fi.target_rps = s.target_qps;
  fi.replica_rps = q;
  fi.gpus_per_replica = gpus;
  fi.gpus_per_host = s.gpus_per_host;
  fi.usd_per_gpu_hour = 1;
  fi.target_utilization = s.target_utilization;
  fi.redundancy = s.redundancy;
  auto plan = size_fleet(fi);
  return plan ? plan->replicas : 0;
}

}  // namespace

ContrastCase contrast_case(const Scenario& s, int gpus, double q, Pricing pricing) {
  ContrastCase c;
  c.model = s.replica.model.name;
  c.gpu = s.replica.gpu.name;
  c.gpu_memory_gib = s.replica.gpu.memory_gib;
  c.model_params_b = s.replica.model.published_params_b;
  c.pricing = pricing;
  c.usd_per_gpu_hour = s.usd_per_gpu_hour > 0 ? s.usd_per_gpu_hour : s.replica.gpu.usd_per_gpu_hour;
  // The seed's node: one host of gpus_per_host GPUs at their price, whatever the replica uses.
  c.usd_per_node_hour = c.usd_per_gpu_hour * s.gpus_per_host;
  c.gpus = gpus;
  c.q_rps = q;
  // One replica per node in the seed's view; GPUs x price in the corrected view.
  auto cost = [&](std::int64_t n, int g) {
    return pricing == Pricing::fixed_node ? static_cast<double>(n) * c.usd_per_node_hour
                                          : static_cast<double>(n) * g * c.usd_per_gpu_hour;
  };
  c.replicas = replicas_at(s, q, gpus);
  c.usd_per_hour = cost(c.replicas, gpus);
  c.throughput_replicas = replicas_at(s, 2 * q, gpus);
  c.throughput_usd_per_hour = cost(c.throughput_replicas, gpus);
  c.footprint_gpus = std::max(1, gpus / 4);
  c.footprint_usd_per_hour = cost(c.replicas, c.footprint_gpus);
  c.throughput_saved_usd_per_hour = c.usd_per_hour - c.throughput_usd_per_hour;
  c.footprint_saved_usd_per_hour = c.usd_per_hour - c.footprint_usd_per_hour;
  const double n_ratio =
      static_cast<double>(c.throughput_replicas) / static_cast<double>(c.replicas);
  const double g_ratio = static_cast<double>(c.footprint_gpus) / gpus;
  if (pricing == Pricing::fixed_node)
    c.reason = ContrastReason::fixed_node_price;
  else if (gpus == 1)
    c.reason = ContrastReason::replica_is_one_gpu;
  else if (c.throughput_replicas == c.replicas)
    c.reason = ContrastReason::replica_count_floor;
  else if (g_ratio < n_ratio)
    c.reason = ContrastReason::gpus_fall_more_than_n;
  else if (g_ratio > n_ratio)
    c.reason = ContrastReason::n_falls_more_than_gpus;
  else
    c.reason = ContrastReason::equal_factors;
  return c;
}

Result<ContrastResult> search_lever_contrast(const Scenario& base, const Catalog& catalog) {
  ContrastResult r;
  double best_t = 0, best_f = 0;
  for (const auto& model : catalog.models) {
    for (const auto& gpu : catalog.gpus) {
      Scenario s = base;
      s.replica.model = model;
      s.replica.gpu = gpu;
      s.usd_per_gpu_hour = 0;  // each GPU at its own catalog price
      s.usd_per_host_hour = 0;
      const FitResult fit = find_fit(s.replica, s.context_tokens, s.fit_bounds);
      if (!fit.fits) continue;
      ReplicaSpec spec = s.replica;
      spec.tp = fit.footprint.tp;
      spec.pp = fit.footprint.pp;
      const Efficiency eff = efficiency_for(s.profile, gpu.name, spec.engine);
      const RooflineModel m(spec, eff);
      auto ev = evaluate_analytic(spec, m, s.workload, s.slo, s.context_tokens);
      if (!ev) return fail(ev.error().message);
      if (!ev->analytic_feasible || gpu.usd_per_gpu_hour <= 0) continue;
      for (Pricing p : {Pricing::per_gpu, Pricing::fixed_node}) {
        ContrastCase c = contrast_case(s, fit.footprint.gpus, ev->q_analytic_rps, p);
        ++r.cases;
        // The margin relative to the baseline cost, so that cheap and expensive cases compare.
        const double margin =
            (c.throughput_saved_usd_per_hour - c.footprint_saved_usd_per_hour) / c.usd_per_hour;
        if (margin > best_t) {
          best_t = margin;
          r.throughput_wins = c;
        }
        if (-margin > best_f) {
          best_f = -margin;
          r.footprint_wins = c;
        }
        if (p == Pricing::per_gpu && model.name == base.replica.model.name &&
            gpu.name == base.replica.gpu.name)
          r.this_scenario = c;
      }
    }
  }
  return r;
}

}  // namespace fleetsizer
