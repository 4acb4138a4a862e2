#pragma once
// Predicting one operating point (closed loop at a concurrency, open loop at a rate, or offline)
// with the roofline model, and the physics bound no prediction or measurement may beat.
//
// A measurement row is predicted by a RowPredictor: the analytic steady state here
// (AnalyticPredictor), or the simulator replaying the benchmark's harness (ReplayPredictor,
// sim/row_replay.h). validate and calibrate take either, so both errors can be shown side by side.
#include <cstdint>
#include <optional>
#include <string_view>

#include "fleetsizer/perf/measurement.h"
#include "fleetsizer/perf/roofline.h"
#include "fleetsizer/perf/steady_state.h"

namespace fleetsizer {

struct OperatingPoint {
  ReplicaSpec spec;
  Efficiency efficiency;
  Lengths workload;
  std::optional<double> concurrency;
  std::optional<double> rate;  // inf: offline
  std::int64_t max_running = 256;
};

SteadyState predict(const OperatingPoint& point);

// The replica's KV-limited running-sequence cap for a measurement's lengths, with its engine's
// default max_num_seqs and the memory defaults of the footprint model.
std::int64_t kv_limited_running(const ReplicaSpec& spec, double isl, double osl);

OperatingPoint operating_point(const Measurement& m, const Efficiency& efficiency);

// The ideal machine: efficiency 1 and no overheads, under the same scheduling assumption
// (wave_sync) as the model it bounds. Nothing real is faster.
Efficiency ideal_efficiency(double wave_sync = 1.0);

}  // namespace fleetsizer

namespace fleetsizer {

// How a row is predicted: the closed forms of the steady state (docs/model.md section 5), or a
// discrete-event replay of the benchmark as its harness ran it (section 8).
enum class PredictionMethod { analytic, sim };
std::string_view prediction_method_name(PredictionMethod method);
std::optional<PredictionMethod> parse_prediction_method(std::string_view text);
inline constexpr const char* kPredictionMethodNames = "analytic, sim";

// What a predictor says about one measurement row: every statistic of TTFT and TPOT (the row's
// `latency_stat` picks one) and the output throughput of one replica.
struct RowForecast {
  LatencyStats ttft_ms, tpot_ms;
  double output_tok_s = 0;
};

class RowPredictor {
 public:
  virtual ~RowPredictor() = default;
  virtual RowForecast forecast(const Measurement& row, const Efficiency& efficiency) const = 0;
  virtual PredictionMethod method() const = 0;
  // Whether the prediction depends on Efficiency::wave_sync (the analytic closed loop's blend of
  // synchronized waves and spread clients); the replay produces the clients' phases itself.
  virtual bool uses_wave_sync() const = 0;
};

// The steady state of predict(operating_point(row, efficiency)).
class AnalyticPredictor final : public RowPredictor {
 public:
  RowForecast forecast(const Measurement& row, const Efficiency& efficiency) const override;
  PredictionMethod method() const override { return PredictionMethod::analytic; }
  bool uses_wave_sync() const override { return true; }
};

}  // namespace fleetsizer
