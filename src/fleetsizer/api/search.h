#pragma once
// `fleetsizer search`: the cheapest plan meeting the SLO over a configuration space, with the
// ranked plans, the Pareto frontier, error bars, spares for failures, a year's reservation
// against an hourly load profile, and the deployable artifacts of the chosen plan.
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/disagg/disagg.h"
#include "fleetsizer/fleet/reservation.h"
#include "fleetsizer/report/report.h"
#include "fleetsizer/search/deploy.h"
#include "fleetsizer/search/search.h"

namespace fleetsizer::api {

struct SearchRequest {
  Scenario scenario;
  SearchSpace space;
  SearchOptions options;
  std::optional<LoadProfile> load_profile;
  int shown = 20;  // plan rows in the report (0: all)
  K8sOptions k8s;  // name and image of the emitted Deployment
  // Plan disaggregated prefill/decode pools too (closed form, each pool on the cheapest of the
  // searched GPUs and TP, the scenario's dtypes, an InfiniBand KV link), beside the plans.
  bool disaggregated = true;
};

struct HourPlan {
  double rate_rps = 0;
  std::int64_t replicas = 0;
};

struct SearchOutput {
  SearchRequest request;
  SearchResult result;
  std::vector<HourPlan> hours;  // the chosen plan hour by hour (with a load profile)
  std::optional<ReservationPlan> reservation;
  double reserved_usd_per_replica_hour = 0;
  double on_demand_usd_per_replica_hour = 0;
  std::optional<VllmArgs> vllm;      // the chosen plan's command
  std::optional<DisaggPlan> disagg;  // the disaggregated alternative (closed form)
  std::string disagg_skipped;        // why there is none (an E2E target, no pool meets the SLO)
};

Result<SearchOutput> run_search(const SearchRequest& request);
report::Report search_report(const SearchOutput& output);
// The artifacts of --emit: the vllm serve command line, or the Kubernetes manifest.
Result<std::string> emit_vllm(const SearchOutput& output);
Result<std::string> emit_k8s(const SearchOutput& output);

}  // namespace fleetsizer::api
