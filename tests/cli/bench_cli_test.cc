// `bench` against `emulate` on loopback: bounded request counts and time limits, 127.0.0.1 only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fleetsizer/bench/load.h"
#include "fleetsizer/bench/sweep.h"
#include "http/client.h"
#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

Json bench_json(const std::string& args) {
  const RunResult r = run_cli("bench " + args + " --format json");
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  return r.exit_code == 0 ? Json::parse(r.out) : Json::object();
}

TEST(BenchEmulate, RecoversConfiguredTtftAndTpot) {
  EmulatorProcess emu("--mode fixed --ttft-ms 40 --tpot-ms 8");
  ASSERT_GT(emu.port(), 0);
  const Json j = bench_json("--base-url " + emu.url() +
                            " --num-prompts 60 --request-rate 30 --isl 50 --osl 20");
  EXPECT_EQ(j["completed"], 60);
  EXPECT_EQ(j["failed"], 0);
  // Tolerance: the emulator's timers fire late by up to a few ms on a loaded sanitizer build, never
  // early.
  EXPECT_GE(j["median_ttft_ms"].get<double>(), 40.0);
  EXPECT_LT(j["median_ttft_ms"].get<double>(), 40.0 + 10);
  EXPECT_NEAR(j["median_tpot_ms"].get<double>(), 8.0, 1.0);
  EXPECT_EQ(j["total_output_tokens"], 60 * 20);
  EXPECT_EQ(j["total_input_tokens"], 60 * 50);
  EXPECT_NEAR(j["achieved_send_rate"].get<double>(), j["scheduled_send_rate"].get<double>(),
              0.05 * j["scheduled_send_rate"].get<double>());
  EXPECT_LT(j["timing_error_ms"]["median"].get<double>(), 5.0);
}

TEST(BenchEmulate, ChatEndpointAndClosedLoop) {
  EmulatorProcess emu("--mode fixed --ttft-ms 20 --tpot-ms 5 --max-concurrency 4");
  const Json j = bench_json("--base-url " + emu.url() +
                            " --endpoint /v1/chat/completions --num-prompts 24 "
                            "--max-concurrency 4 --isl 10 --osl 10");
  EXPECT_EQ(j["completed"], 24);
  EXPECT_EQ(j["max_concurrency"], 4);
}

// The emulator's capacity is known: 4 slots / (20 ms + 4 x 10 ms) per request = 66.7 req/s, kept
// low (330 tokens/s) so that neither a sanitizer build nor tests running beside it limit it by CPU.
TEST(BenchEmulate, SweepFindsTheKnownCapacity) {
  EmulatorProcess emu("--mode fixed --ttft-ms 20 --tpot-ms 10 --max-concurrency 4");
  const std::string dir = temp_dir("sweep");
  // Near-regular arrivals (Gamma shape 50): no Poisson queueing below capacity, a growing queue
  // above it, so the SLO-limited rate is the capacity itself.
  const Json j = bench_json(
      "--base-url " + emu.url() +
      " --num-prompts 100 --burstiness 50 --isl 8 --osl 5 --sweep --sweep-start 20 "
      "--sweep-repeats 1 --slo ttft:p99=150 --model llama-3.1-8b --gpu h100 --measurement-out " +
      dir + "/row.csv");
  ASSERT_TRUE(j["sweep"]["found"].get<bool>());
  const double capacity = 4 / (0.020 + 4 * 0.010);
  EXPECT_NEAR(j["sweep"]["q"].get<double>() / capacity, 1.0, 0.10) << j["sweep"]["q"];
  const std::string row = read_text(dir + "/row.csv");
  EXPECT_NE(row.find("model,gpu,num_gpus,tp"), std::string::npos);
  EXPECT_NE(row.find("llama-3.1-8b,h100,1,1"), std::string::npos) << row;
}

TEST(BenchEmulate, FaultsAreCountedByKind) {
  EmulatorProcess emu(
      "--mode fixed --ttft-ms 5 --tpot-ms 1 --error-rate 0.2 --disconnect-rate 0.2 "
      "--malformed-rate 0.2 --stall-rate 0.2 --stall-ms 100 --slow-accept-ms 20 --seed 3");
  const Json j = bench_json("--base-url " + emu.url() +
                            " --num-prompts 100 --request-rate 200 --isl 4 --osl 10");
  const int completed = j["completed"].get<int>(), failed = j["failed"].get<int>();
  EXPECT_EQ(completed + failed, 100);
  EXPECT_GT(j["failures"]["http_status"].get<int>(), 5);
  EXPECT_GT(j["failures"]["disconnect"].get<int>(), 5);
  EXPECT_GT(j["failures"]["malformed"].get<int>(), 5);
  EXPECT_EQ(j["failures"]["http_status"].get<int>() + j["failures"]["disconnect"].get<int>() +
                j["failures"]["malformed"].get<int>(),
            failed);
  EXPECT_GE(j["p99_itl_ms"].get<double>(), 90.0);  // the stalls show up between tokens
  // Slow accept delays only requests on new connections (kept-alive ones skip it); the first
  // several requests all open connections, and faults force more, so the tail shows the 20 ms.
  EXPECT_GE(j["p99_ttft_ms"].get<double>(), 5.0 + 20.0);
}

TEST(BenchEmulate, SavedResultIsReadByValidate) {
  EmulatorProcess emu("--model llama-3.1-8b --gpu h100");  // model mode: the modeled replica
  const std::string dir = temp_dir("saved");
  const RunResult r = run_cli("bench --base-url " + emu.url() +
                              " --model llama-3.1-8b --num-prompts 16 "
                              "--max-concurrency 4 --isl 256 --osl 32 --save-result " +
                              dir + "/result.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json saved = Json::parse(read_text(dir + "/result.json"));
  for (const char* key :
       {"completed", "request_throughput", "output_throughput", "mean_ttft_ms", "median_ttft_ms",
        "p99_ttft_ms", "mean_tpot_ms", "p99_tpot_ms", "ttfts", "itls", "date"})
    EXPECT_TRUE(saved.contains(key)) << key;
  const RunResult v =
      run_cli("validate --measurements " + dir + "/result.json --gpu h100 --tp 1 --format json");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const Json j = Json::parse(v.out);
  ASSERT_EQ(j["rows"].size(), 1u);
  // The emulator runs the same model the prediction uses: they agree closely on TPOT.
  EXPECT_LT(std::abs(j["rows"][0]["error_pct"]["tpot_ms"].get<double>()), 25.0) << v.out;
}

int listening_socket(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd, 64);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

TEST(BenchFailures, DeadPortIsAClearError) {
  int port = 0;
  const int fd = listening_socket(&port);
  ::close(fd);  // nothing listens there now
  const RunResult r = run_cli("bench --base-url http://127.0.0.1:" + std::to_string(port) +
                              " --num-prompts 5 --timeout 5");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r.err;
}

TEST(BenchFailures, ServerThatClosesConnections) {
  int port = 0;
  const int fd = listening_socket(&port);
  std::atomic<bool> stop{false};
  std::thread closer([&] {
    for (int i = 0; i < 5 && !stop; ++i) {
      const int c = ::accept(fd, nullptr, nullptr);
      if (c >= 0) ::close(c);
    }
  });
  const RunResult r = run_cli("bench --base-url http://127.0.0.1:" + std::to_string(port) +
                              " --num-prompts 5 --max-concurrency 1 --timeout 5");
  stop = true;
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  closer.join();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("disconnect"), std::string::npos) << r.err;
}

TEST(BenchFailures, ServerThatNeverAnswersTimesOut) {
  int port = 0;
  const int fd = listening_socket(&port);  // the kernel accepts; nobody ever reads or writes
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = run_cli("bench --base-url http://127.0.0.1:" + std::to_string(port) +
                              " --num-prompts 3 --timeout 1");
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(fd);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no response from 127.0.0.1"), std::string::npos) << r.err;
  EXPECT_LT(took, 10.0);
}

TEST(BenchCore, ScheduleAndSummary) {
  const auto s = bench::send_schedule(20001, 50, 1, 4);
  EXPECT_NEAR(20000 / s.back(), 50, 1.5);
  const auto all_at_once = bench::send_schedule(5, INFINITY, 1, 4);
  EXPECT_EQ(all_at_once.back(), 0.0);
  bench::RequestSample a;
  a.scheduled_s = 0;
  a.sent_s = 0.5;  // sent late: the half second counts
  a.first_token_s = 1.0;
  a.end_s = 2.0;
  a.chunk_s = {1.0, 1.5, 2.0};
  a.output_tokens = 3;
  a.prompt_tokens = 10;
  bench::RequestSample b = a;
  b.failure = bench::Failure::timeout;
  const auto sum = bench::summarize({a, b}, 1, {});
  EXPECT_EQ(sum.completed, 1);
  EXPECT_EQ(sum.failed, 1);
  EXPECT_DOUBLE_EQ(sum.ttft_ms.mean, 1000.0);
  EXPECT_DOUBLE_EQ(sum.tpot_ms.mean, 500.0);
  EXPECT_DOUBLE_EQ(sum.itl_ms.median, 500.0);
  EXPECT_FALSE(
      bench::meets(sum, {{Metric::ttft, Percentile::p99, 5000}}));  // a failure fails the SLO
  auto g = bench::parse_goodput({"ttft:100", "e2el:2000"});
  ASSERT_TRUE(g);
  EXPECT_EQ(*g->ttft_ms, 100);
  EXPECT_FALSE(bench::parse_goodput({"latency:3"}));
}

TEST(BenchCore, SseDecoderHandlesSplitsAndCrlf) {
  http::SseDecoder d;
  std::vector<std::string> events;
  auto on = [&](const std::string& p) { events.push_back(p); };
  const std::string stream = "data: {\"a\":1}\n\ndata: [DO";
  d.feed(stream.data(), stream.size(), on);
  const std::string rest = "NE]\r\n\r\n: comment\n\n";
  d.feed(rest.data(), rest.size(), on);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], "{\"a\":1}");
  EXPECT_EQ(events[1], "[DONE]");
  EXPECT_EQ(events[2], "");
}

TEST(BenchCore, SweepBracketsThenBisects) {
  // A fake server whose p99 TTFT is fine up to 100 req/s and bad above.
  auto measure = [](double rate) -> Result<bench::BenchSummary> {
    bench::BenchSummary s;
    s.completed = 10;
    s.ttft_ms.p99 = rate <= 100 ? 50 : 5000;
    return s;
  };
  auto r = bench::sweep(measure, {{Metric::ttft, Percentile::p99, 1000}}, {10, 1e5, 1, 6});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->found);
  EXPECT_LE(r->q, 100);
  EXPECT_GT(r->q, 100 * 0.95);
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

TEST(BenchEmulate, LengthsFromATrace) {
  EmulatorProcess emu("--mode fixed --ttft-ms 5 --tpot-ms 1");
  const Json j = bench_json("--base-url " + emu.url() +
                            " --num-prompts 20 --request-rate 100 "
                            "--lengths-from tests/fixtures/azure-conv-200.csv");
  ASSERT_EQ(j["completed"], 20);
  // The first 20 requests of the fixture, summed independently.
  std::int64_t in = 0, out = 0;
  auto csv = read_text(source_path("tests/fixtures/azure-conv-200.csv"));
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  for (int i = 0; i < 20 && std::getline(lines, line); ++i) {
    const auto a = line.find(','), b = line.find(',', a + 1);
    in += std::stoll(line.substr(a + 1, b - a - 1));
    out += std::stoll(line.substr(b + 1));
  }
  EXPECT_EQ(j["total_input_tokens"].get<std::int64_t>(), in);
  EXPECT_EQ(j["total_output_tokens"].get<std::int64_t>(), out);
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// Two slots, 40 requests at once: the emulator's /metrics shows exactly two running and a queue.
TEST(BenchEmulate, ScrapesTheServersPrometheusMetrics) {
  EmulatorProcess emu("--mode fixed --ttft-ms 20 --tpot-ms 5 --max-concurrency 2");
  const Json j =
      bench_json("--base-url " + emu.url() + " --num-prompts 40 --isl 4 --osl 10 --scrape-metrics");
  EXPECT_EQ(j["completed"], 40);
  EXPECT_GE(j["server"]["samples"].get<int>(), 2);
  EXPECT_EQ(j["server"]["max_running"].get<double>(), 2.0);
  EXPECT_GE(j["server"]["max_waiting"].get<double>(), 10.0);
  EXPECT_FALSE(j["server"].contains("scrape_error"));
}

TEST(BenchCore, PrometheusGaugeSumsLabelSets) {
  const std::string text =
      "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{model_name=\"a\"} 3\n"
      "vllm:num_requests_running{model_name=\"b\"} 4.5\nvllm:num_requests_running_total 99\n";
  EXPECT_EQ(http::prometheus_gauge(text, "vllm:num_requests_running"), 7.5);
  EXPECT_FALSE(http::prometheus_gauge(text, "vllm:kv_cache_usage_perc").has_value());
}

}  // namespace
}  // namespace fleetsizer::testing
