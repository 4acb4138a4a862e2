// `bench` against `emulate` on loopback: bounded request counts and time limits, 127.0.0.1 only.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "fleetsizer/api/bench.h"
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

// A sweep against a server of known capacity: `slots` requests run at once, each for a fixed
// service time (TTFT + (osl - 1) x TPOT), so capacity = slots / service time. Near-regular arrivals
// (Gamma shape 50) queue only above capacity, so the SLO-limited sustained rate is the capacity.
struct KnownCapacity {
  int slots;
  double ttft_ms, tpot_ms;
  int osl;
  double capacity() const { return slots / ((ttft_ms + (osl - 1) * tpot_ms) / 1e3); }
};

Json sweep_against(const KnownCapacity& k, const std::string& extra, double* wall_s) {
  EmulatorProcess emu(
      fmt::format("--mode fixed --ttft-ms {} --tpot-ms {} --max-concurrency {} --served-model-name "
                  "llama-3.1-8b",
                  k.ttft_ms, k.tpot_ms, k.slots));
  const auto start = std::chrono::steady_clock::now();
  const Json j = bench_json(
      fmt::format("--base-url {} --num-prompts 60 --burstiness 50 --isl 8 --osl {} --sweep {}",
                  emu.url(), k.osl, extra));
  *wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return j;
}

void expect_sustained_q(const Json& j, double capacity) {
  ASSERT_TRUE(j["sweep"]["found"].get<bool>()) << j.dump();
  const double q = j["sweep"]["q"].get<double>();
  EXPECT_NEAR(q / capacity, 1.0, 0.05) << "q " << q << " capacity " << capacity;
  // q is the achieved rate of the probe that set it, and no probe achieved more than capacity.
  EXPECT_DOUBLE_EQ(q, j["sweep"]["achieved_rate"].get<double>());
  bool found_setter = false;
  for (const Json& p : j["sweep"]["probes"]) {
    EXPECT_LE(p["achieved_rate"].get<double>(), capacity * 1.05) << p.dump();
    if (p["pass"].get<bool>()) {
      EXPECT_LE(p["achieved_rate"].get<double>(), q + 1e-9);
    }
    if (p["pass"].get<bool>() && p["achieved_rate"].get<double>() == q) found_setter = true;
    EXPECT_GE(p["window_requests"].get<int>(), 50) << p.dump();
  }
  EXPECT_TRUE(found_setter);
}

// Low capacity, 2 slots x 100 ms = 20 req/s, bracketed from an all-at-once probe; the issue's
// target: within 5% in under 60 s of wall time.
TEST(BenchEmulate, SweepFindsALowKnownCapacityQuickly) {
  const KnownCapacity k{2, 50, 10, 6};
  const std::string dir = temp_dir("sweep");
  double wall_s = 0;
  const Json j = sweep_against(
      k, "--slo ttft:p99=300 --model llama-3.1-8b --gpu h100 --measurement-out " + dir + "/row.csv",
      &wall_s);
  expect_sustained_q(j, k.capacity());
  EXPECT_TRUE(j["sweep"]["probes"][0]["offered_rate"].is_null());  // all at once: no finite rate
  EXPECT_LT(wall_s, 60.0);
  // The measurement row carries the achieved rate, not the offered one.
  const std::string row = read_text(dir + "/row.csv");
  EXPECT_NE(row.find("llama-3.1-8b,h100,1,1"), std::string::npos) << row;
  const std::string q_text = fmt::format("{:.6g}", j["sweep"]["q"].get<double>());
  EXPECT_NE(row.find("," + q_text + ","), std::string::npos) << row << " q " << q_text;
}

// High capacity, 8 slots x 80 ms = 100 req/s, bracketed from --sweep-start. (Higher rates make
// both sanitizer-built processes CPU-bound on this shared 2-core machine, and then the server's
// capacity is no longer the one it was told.)
TEST(BenchEmulate, SweepFindsAHighKnownCapacity) {
  const KnownCapacity k{8, 40, 10, 5};
  double wall_s = 0;
  const Json j = sweep_against(k, "--slo ttft:p99=250 --sweep-start 30", &wall_s);
  expect_sustained_q(j, k.capacity());
  EXPECT_EQ(j["sweep"]["probes"][0]["offered_rate"].get<double>(), 30.0);
}

// With a client-side concurrency cap the slot wait is the client's queue time, not TTFT. 100 req/s
// offered to 2 client slots of ~65 ms each (capacity ~30 req/s): the queue grows, and TTFT stays
// the server's own (its arrival to its first token, reported in the emulator's timing block).
// Arrivals 10 ms apart keep the two slots out of step, so the one-threaded emulator never has a
// burst of requests waiting to be read (time its own clock could not see).
TEST(BenchEmulate, TtftCountsFromTheSendTime) {
  EmulatorProcess emu("--mode fixed --ttft-ms 50 --tpot-ms 5");
  // Up to three tries: on this shared 2-core machine a neighbour's build can starve either event
  // loop for a whole run, which is the machine's noise, not the bench's; one clean run shows the
  // bound.
  Json j;
  double median_gap_ms = INFINITY;
  // The bound is 2 ms against a client queue of hundreds: what it tells apart is "TTFT counted
  // from the send" and "from the schedule". 1 ms failed three tries in a row once, at 1.04 ms,
  // while another program loaded both cores.
  for (int attempt = 0; attempt < 3 && median_gap_ms >= 2.0; ++attempt) {
    j = bench_json("--base-url " + emu.url() +
                   " --request-rate 100 --burstiness 1000 --max-concurrency 2 "
                   "--num-prompts 30 --isl 4 --osl 4");
    ASSERT_EQ(j["completed"], 30);
    median_gap_ms =
        std::abs(j["median_ttft_ms"].get<double>() - j["server_ttft_ms"]["median"].get<double>());
  }
  EXPECT_GE(j["server_ttft_ms"]["median"].get<double>(), 50.0);
  EXPECT_LT(median_gap_ms, 2.0) << j.dump();
  // The mean takes the odd late wake-up of either event loop (sanitizer build, 2 shared cores).
  EXPECT_NEAR(j["mean_ttft_ms"].get<double>(), j["server_ttft_ms"]["mean"].get<double>(), 3.0);
  // The 30th request waits for ~14 rounds of 65 ms less its 0.29 s offset: the queue is real.
  EXPECT_GT(j["mean_client_queue_time_ms"].get<double>(), 100.0);
  EXPECT_GT(j["p99_client_queue_time_ms"].get<double>(), 400.0);
  EXPECT_EQ(j["max_concurrent_requests"].get<int>(), 2);
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

// Every key `vllm bench serve --save-result --save-detailed` writes for a generation benchmark
// (vllm/benchmarks/serve.py: main_async's result_json, benchmark()'s result dict, and
// process_one_metric for the default --percentile-metrics ttft,tpot,itl and --metric-percentiles
// 99).
const char* const kVllmResultKeys[] = {"date",
                                       "endpoint_type",
                                       "backend",
                                       "label",
                                       "model_id",
                                       "tokenizer_id",
                                       "num_prompts",
                                       "request_rate",
                                       "burstiness",
                                       "max_concurrency",
                                       "duration",
                                       "completed",
                                       "failed",
                                       "total_input_tokens",
                                       "total_output_tokens",
                                       "request_throughput",
                                       "request_goodput",
                                       "output_throughput",
                                       "total_token_throughput",
                                       "input_lens",
                                       "output_lens",
                                       "ttfts",
                                       "itls",
                                       "latencies",
                                       "start_times",
                                       "queue_times",
                                       "generated_texts",
                                       "errors",
                                       "max_output_tokens_per_s",
                                       "max_concurrent_requests",
                                       "rtfx",
                                       "mean_ttft_ms",
                                       "median_ttft_ms",
                                       "std_ttft_ms",
                                       "p99_ttft_ms",
                                       "mean_tpot_ms",
                                       "median_tpot_ms",
                                       "std_tpot_ms",
                                       "p99_tpot_ms",
                                       "mean_itl_ms",
                                       "median_itl_ms",
                                       "std_itl_ms",
                                       "p99_itl_ms"};

TEST(BenchEmulate, SavedResultHasVllmsKeysAndIsReadByValidate) {
  // Model mode: the modeled replica, served under the catalog name validate resolves.
  EmulatorProcess emu("--model llama-3.1-8b --gpu h100 --served-model-name llama-3.1-8b");
  const std::string dir = temp_dir("saved");
  const RunResult r = run_cli("bench --base-url " + emu.url() +
                              " --model llama-3.1-8b --num-prompts 16 --max-concurrency 4 "
                              "--isl 256 --osl 32 --save-result --result-dir " +
                              dir + "/out --result-filename result.json --metadata tp=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json saved = Json::parse(read_text(dir + "/out/result.json"));
  for (const char* key : kVllmResultKeys) EXPECT_TRUE(saved.contains(key)) << key;
  EXPECT_EQ(saved["model_id"], "llama-3.1-8b");
  EXPECT_EQ(saved["max_concurrency"], 4);
  EXPECT_EQ(saved["request_rate"], "inf");
  EXPECT_EQ(saved["tp"], "1");
  ASSERT_EQ(saved["ttfts"].size(), 16u);
  ASSERT_EQ(saved["queue_times"].size(), 16u);
  // Per-request lists in seconds agree with the summary in milliseconds.
  double sum = 0;
  for (const auto& t : saved["ttfts"]) sum += t.get<double>();
  EXPECT_NEAR(sum / 16 * 1e3, saved["mean_ttft_ms"].get<double>(), 1e-6);
  const RunResult v = run_cli("validate --measurements " + dir +
                              "/out/result.json --gpu h100 --tp 1 --format json");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const Json j = Json::parse(v.out);
  ASSERT_EQ(j["rows"].size(), 1u);
  // The emulator runs the same model the prediction uses: they agree closely on TPOT.
  EXPECT_LT(std::abs(j["rows"][0]["error_pct"]["tpot_ms"].get<double>()), 25.0) << v.out;
}

// A result file as vLLM writes it, typed by hand from serve.py's key list (the fixture's values
// are one run's, rounded): validate reads it as a measurement row.
TEST(BenchCompat, ValidateReadsAVllmWrittenResult) {
  const std::string path = source_path("tests/fixtures/vllm-bench-serve-result.json");
  const Json fixture = Json::parse(read_text(path));
  for (const char* key : kVllmResultKeys) EXPECT_TRUE(fixture.contains(key)) << key;
  const RunResult v =
      run_cli("validate --measurements " + path + " --gpu h100 --tp 1 --format json");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const Json j = Json::parse(v.out);
  ASSERT_EQ(j["rows"].size(), 1u) << v.out;
  EXPECT_EQ(j["rows"][0]["latency_stat"], "p50");
}

TEST(BenchCompat, ModelComesFromTheServersList) {
  EmulatorProcess emu("--mode fixed --ttft-ms 2 --tpot-ms 1 --served-model-name served-a");
  const std::string dir = temp_dir("model");
  const RunResult r = run_cli("bench --base-url " + emu.url() +
                              " --num-prompts 4 --isl 4 --osl 2 --save-result --result-dir " + dir +
                              " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["model_id"], "served-a");
  // vLLM's default file name: {backend}-{rate}qps-{model}-{date}.json
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    EXPECT_TRUE(e.path().filename().string().starts_with("openai-infqps-served-a-")) << e.path();
    ++files;
  }
  EXPECT_EQ(files, 1);
  const RunResult wrong =
      run_cli("bench --base-url " + emu.url() + " --model other --num-prompts 4 --isl 4 --osl 2");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("--model 'other'"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("served-a"), std::string::npos) << wrong.err;
}

TEST(BenchCompat, DatasetsAndPercentiles) {
  EmulatorProcess emu("--mode fixed --ttft-ms 2 --tpot-ms 1");
  const std::string dir = temp_dir("datasets");
  // Random dataset: lengths uniform on [50, 150] and [10, 30].
  const RunResult r =
      run_cli("bench --base-url " + emu.url() +
              " --dataset-name random --random-input-len 100 --random-output-len 20 "
              "--random-range-ratio 0.5 --num-prompts 40 --percentile-metrics ttft,e2el "
              "--metric-percentiles 25,50,99.9 --result-filename " +
              dir + "/r.json --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  for (const char* key : {"p25_ttft_ms", "p50_ttft_ms", "p99_9_ttft_ms", "p25_e2el_ms"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_FALSE(j.contains("p25_tpot_ms"));
  const Json saved = Json::parse(read_text(dir + "/r.json"));
  EXPECT_TRUE(saved.contains("p99.9_ttft_ms"));  // vLLM's own name in the file
  EXPECT_EQ(saved["p99.9_ttft_ms"], j["p99_9_ttft_ms"]);
  std::set<std::int64_t> distinct;
  for (const auto& n : saved["input_lens"]) {
    EXPECT_GE(n.get<std::int64_t>(), 50);
    EXPECT_LE(n.get<std::int64_t>(), 150);
    distinct.insert(n.get<std::int64_t>());
  }
  EXPECT_GT(distinct.size(), 10u);
  for (const auto& n : saved["output_lens"]) {
    EXPECT_GE(n.get<std::int64_t>(), 10);
    EXPECT_LE(n.get<std::int64_t>(), 30);
  }
  // ShareGPT: the first turn is the prompt, the reply's length (4 characters a token) the output.
  const std::string file = dir + "/sharegpt.json";
  const std::string prompt = "one two three four five six seven eight nine ten";  // 48 chars
  const std::string reply(80, 'x');                                               // 20 tokens
  std::ofstream(file) << Json::array(
      {{{"id", "a"},
        {"conversations",
         {{{"from", "human"}, {"value", prompt}}, {{"from", "gpt"}, {"value", reply}}}}},
       {{"id", "short"}, {"conversations", {{{"from", "human"}, {"value", "hi"}}}}}});
  const RunResult g =
      run_cli("bench --base-url " + emu.url() + " --dataset-name sharegpt --dataset-path " + file +
              " --num-prompts 3 --format json");
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const Json gj = Json::parse(g.out);
  EXPECT_EQ(gj["completed"], 3);
  EXPECT_EQ(gj["total_input_tokens"], 3 * 10);   // the emulator counts the ten words
  EXPECT_EQ(gj["total_output_tokens"], 3 * 20);  // max_tokens from the reply's estimate
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

// Bad input: one line, non-zero exit, and no result file.
TEST(BenchFailures, BadInputIsOneClearLine) {
  EmulatorProcess emu("--mode fixed --ttft-ms 2 --tpot-ms 1");
  const std::string dir = temp_dir("bad");
  const std::string result = dir + "/r.json";
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"--base-url " + emu.url() + " --dataset-name sonnet", "--dataset-name 'sonnet'"},
      {"--base-url " + emu.url() + " --dataset-name sharegpt --dataset-path " + dir + "/none.json",
       "cannot open"},
      {"--base-url " + emu.url() + "/v1", "has a path '/v1'"},
      {"--base-url ftp://127.0.0.1:1", "scheme 'ftp'"},
      {"--base-url http://127.0.0.1:99999", "bad port"},
      {"--base-url http://no-such-host.invalid:8000", "cannot resolve host 'no-such-host.invalid'"},
      {"--base-url " + emu.url() + " --metric-percentiles 150", "--metric-percentiles"},
      {"--base-url " + emu.url() + " --percentile-metrics ttft,foo", "unknown metric 'foo'"},
  };
  for (const auto& c : cases) {
    const RunResult r = run_cli("bench " + c.args + " --num-prompts 2 --isl 2 --osl 2 " +
                                "--result-filename " + result);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(result)) << c.args;
  }
}

TEST(BenchFailures, AnHtmlPageIsNotAnOpenAiServer) {
  int port = 0;
  const int fd = listening_socket(&port);
  std::thread server([&] {
    const int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) return;
    char buf[4096];
    (void)::read(c, buf, sizeof buf);
    const std::string page = "<html><body>Welcome</body></html>";
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
                              std::to_string(page.size()) + "\r\nConnection: close\r\n\r\n" + page;
    (void)::write(c, reply.data(), reply.size());
    ::close(c);
  });
  const RunResult r = run_cli("bench --base-url http://127.0.0.1:" + std::to_string(port) +
                              " --num-prompts 2 --timeout 5");
  server.join();
  ::close(fd);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("returned HTML, not JSON"), std::string::npos) << r.err;
}

// A self-signed certificate for 127.0.0.1 (P-256, one hour), made here so no key lives in the
// repository.
void write_self_signed(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("fleetsizer test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  X509_add_ext(x, san, -1);
  X509_EXTENSION_free(san);
  ASSERT_GT(X509_sign(x, key, EVP_sha256()), 0);
  FILE* c = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(c, x);
  std::fclose(c);
  FILE* k = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(k);
  X509_free(x);
  EVP_PKEY_free(key);
}

TEST(BenchEndpoints, HttpsWithASelfSignedCertificate) {
  const std::string dir = temp_dir("tls");
  write_self_signed(dir + "/cert.pem", dir + "/key.pem");
  EmulatorProcess emu("--mode fixed --ttft-ms 5 --tpot-ms 1 --tls-cert " + dir +
                      "/cert.pem --tls-key " + dir + "/key.pem");
  ASSERT_GT(emu.port(), 0);
  const std::string url = "https://127.0.0.1:" + std::to_string(emu.port());
  for (const std::string& trust : {std::string("--insecure"), "--ca-file " + dir + "/cert.pem"}) {
    const Json j = bench_json("--base-url " + url + " " + trust +
                              " --num-prompts 20 --request-rate 200 --isl 8 --osl 4 "
                              "--endpoint /v1/chat/completions");
    EXPECT_EQ(j["completed"], 20) << trust;
    EXPECT_EQ(j["total_output_tokens"], 20 * 4) << trust;
  }
  // Without trust in the certificate the handshake fails: one line naming TLS.
  const RunResult r = run_cli("bench --base-url " + url + " --num-prompts 2 --isl 2 --osl 2");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("TLS handshake with 127.0.0.1 failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("certificate verify failed"), std::string::npos) << r.err;
  // Plain http to the https port: the server drops it, a clear line too.
  const RunResult plain =
      run_cli("bench --base-url http://127.0.0.1:" + std::to_string(emu.port()) +
              " --num-prompts 2 --timeout 3");
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_EQ(std::count(plain.err.begin(), plain.err.end(), '\n'), 1) << plain.err;
}

TEST(BenchEndpoints, BearerTokenAnd401) {
  EmulatorProcess emu("--mode fixed --ttft-ms 2 --tpot-ms 1 --api-key s3cret");
  const std::string base = "bench --base-url " + emu.url() + " --num-prompts 4 --isl 2 --osl 2";
  const RunResult denied = run_cli(base);
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.err.find("refused the credentials (HTTP 401"), std::string::npos) << denied.err;
  EXPECT_EQ(run_cli(base + " --header Authorization='Bearer s3cret'").exit_code, 0);
  ::setenv("OPENAI_API_KEY", "s3cret", 1);
  const RunResult with_env = run_cli(base);
  ::setenv("OPENAI_API_KEY", "wrong", 1);
  const RunResult wrong_env = run_cli(base);
  ::unsetenv("OPENAI_API_KEY");
  EXPECT_EQ(with_env.exit_code, 0) << with_env.err;
  EXPECT_NE(wrong_env.exit_code, 0);
}

TEST(BenchEndpoints, RateLimitingIsItsOwnFailureKind) {
  EmulatorProcess emu("--mode fixed --ttft-ms 2 --tpot-ms 1 --rate-limit-rate 0.3 --seed 5");
  const Json j = bench_json("--base-url " + emu.url() +
                            " --num-prompts 60 --request-rate 300 "
                            "--isl 2 --osl 2");
  const int limited = j["failures"]["rate_limited"].get<int>();
  EXPECT_GT(limited, 5);
  EXPECT_LT(limited, 40);
  EXPECT_EQ(j["failed"].get<int>(), limited);
  EXPECT_FALSE(j["failures"].contains("http_status"));
  EmulatorProcess all("--mode fixed --ttft-ms 2 --tpot-ms 1 --rate-limit-rate 1");
  const RunResult r = run_cli("bench --base-url " + all.url() + " --num-prompts 4 --isl 2 --osl 2");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("rate-limited every request (HTTP 429)"), std::string::npos) << r.err;
}

TEST(BenchEndpoints, AServerIgnoringMaxTokensStopsTheRun) {
  EmulatorProcess emu("--mode fixed --ttft-ms 2 --tpot-ms 1 --ignore-max-tokens");
  const std::string dir = temp_dir("maxtok");
  const RunResult r =
      run_cli("bench --base-url " + emu.url() +
              " --num-prompts 4 --isl 2 --osl 3 --result-filename " + dir + "/r.json");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("ignores max_tokens: request 0 asked for 3 tokens and got 6"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/r.json"));
}

// Timed replay: the first 40 requests of the Azure fixture (24 s of arrivals) at 12x speed are
// sent at the trace's own offsets / 12, within 1 ms at the median.
TEST(BenchTrace, SendsAtTheTracesTimes) {
  EmulatorProcess emu("--mode fixed --ttft-ms 2 --tpot-ms 2");
  const std::string dir = temp_dir("trace");
  // The fixture's timestamps, read here by hand: "2023-11-16 18:15:46.6805900" (one hour).
  std::istringstream lines(read_text(source_path("tests/fixtures/azure-conv-200.csv")));
  std::string line;
  std::getline(lines, line);
  std::vector<double> trace_s;
  std::int64_t in = 0, out = 0;
  for (int i = 0; i < 40 && std::getline(lines, line); ++i) {
    trace_s.push_back(std::stod(line.substr(14, 2)) * 60 + std::stod(line.substr(17, 10)));
    const auto a1 = line.find(','), b1 = line.find(',', a1 + 1);
    in += std::stoll(line.substr(a1 + 1, b1 - a1 - 1));
    out += std::stoll(line.substr(b1 + 1));
  }
  // Up to three tries, as in TtftCountsFromTheSendTime: a neighbour's build on this 2-core machine
  // can starve the client's event loop for a whole run; one clean run shows the bound.
  Json saved;
  double median_ms = INFINITY;
  for (int attempt = 0; attempt < 3 && median_ms >= 1.0; ++attempt) {
    const RunResult r = run_cli("bench --base-url " + emu.url() +
                                " --trace tests/fixtures/azure-conv-200.csv --trace-speedup 12 "
                                "--num-prompts 40 --result-filename " +
                                dir + "/r.json --format json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    saved = Json::parse(read_text(dir + "/r.json"));
    ASSERT_EQ(saved["start_times"].size(), 40u);
    std::vector<double> error_ms;
    for (std::size_t i = 0; i < 40; ++i)
      error_ms.push_back(
          std::abs(saved["start_times"][i].get<double>() - (trace_s[i] - trace_s[0]) / 12) * 1e3);
    std::ranges::sort(error_ms);
    median_ms = (error_ms[19] + error_ms[20]) / 2;
  }
  EXPECT_LT(median_ms, 1.0);
  EXPECT_EQ(saved["total_input_tokens"].get<std::int64_t>(), in);
  EXPECT_EQ(saved["total_output_tokens"].get<std::int64_t>(), out);
  // The request rate reported is the replay's: 39 gaps over the trace's span / 12.
  EXPECT_NEAR(saved["request_rate"].get<double>(), 39 / ((trace_s[39] - trace_s[0]) / 12), 1e-6);
  const RunResult bad = run_cli("bench --base-url " + emu.url() +
                                " --trace tests/fixtures/azure-conv-200.csv --request-rate 5");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--trace sets the arrival times"), std::string::npos) << bad.err;
}

TEST(BenchCore, ScheduleAndSummary) {
  const auto s = bench::send_schedule(20001, 50, 1, 4);
  EXPECT_NEAR(20000 / s.back(), 50, 1.5);
  const auto all_at_once = bench::send_schedule(5, INFINITY, 1, 4);
  EXPECT_EQ(all_at_once.back(), 0.0);
  bench::RequestSample a;
  a.scheduled_s = 0;
  a.sent_s = 0.5;  // sent late: the half second is the client's queue wait, apart from TTFT
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
  EXPECT_DOUBLE_EQ(sum.ttft_ms.mean, 500.0);
  EXPECT_DOUBLE_EQ(sum.queue_wait_ms.mean, 500.0);
  EXPECT_DOUBLE_EQ(sum.tpot_ms.mean, 500.0);
  EXPECT_DOUBLE_EQ(sum.itl_ms.median, 500.0);
  EXPECT_FALSE(
      bench::meets(sum, {{Metric::ttft, Percentile::p99, 5000}}));  // a failure fails the SLO
  auto g = bench::parse_goodput({"ttft:100", "e2el:2000"});
  ASSERT_TRUE(g);
  EXPECT_EQ(*g->ttft_ms, 100);
  EXPECT_FALSE(bench::parse_goodput({"latency:3"}));
}

// A --duration run that ends before its schedule does: the requests it never sent are neither
// sent nor failed (they were counted as both), and they do not drag the achieved send rate.
TEST(BenchCore, RequestsNeverSentAreNotCountedAsSentOrFailed) {
  std::vector<bench::RequestSample> samples;
  for (int i = 0; i < 10; ++i) {
    bench::RequestSample r;
    r.index = i;
    r.scheduled_s = r.sent_s = 0.1 * i;
    r.first_token_s = r.sent_s + 0.05;
    r.end_s = r.sent_s + 0.2;
    r.chunk_s = {r.first_token_s, r.end_s};
    r.output_tokens = 2;
    if (i >= 6) {  // the run stopped: two in flight (sent, cut), two never sent
      r.failure = bench::Failure::stopped;
      r.chunk_s.clear();
      if (i >= 8) {
        r.sent = false;
        r.sent_s = 0;
      }
    }
    samples.push_back(r);
  }
  const auto sum = bench::summarize(samples, 10, {});
  EXPECT_EQ(sum.sent, 8);
  EXPECT_EQ(sum.completed, 6);
  EXPECT_EQ(sum.failed, 2);
  EXPECT_EQ(sum.not_sent, 2);
  EXPECT_NEAR(sum.achieved_send_rate, 7 / 0.7, 1e-9);  // 8 sends from 0 to 0.7 s
}

// A server whose error body is not UTF-8 (binary bytes, a cut sequence): the run's results are
// kept, the failures counted, and the body's bytes kept in the errors as \xNN.
TEST(BenchFailures, AnErrorBodyThatIsNotUtf8KeepsTheRun) {
  int port = 0;
  const int fd = listening_socket(&port);
  // Answers every connection until the bench is done (polled, so the loop always ends).
  std::atomic<bool> done{false};
  int completions = 0;
  std::thread server([&] {
    while (!done) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) continue;
      char buf[8192];
      const ssize_t n = ::read(c, buf, sizeof buf);
      // The model list is served, the first completion streams one token, every later one fails
      // with bytes that are not UTF-8.
      const std::string request = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
      std::string reply;
      if (request.starts_with("GET /v1/models")) {
        const std::string body = R"({"object":"list","data":[{"id":"m","object":"model"}]})";
        reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      } else if (completions++ == 0) {
        reply =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
            "data: {\"choices\":[{\"index\":0,\"text\":\"a\"}]}\n\ndata: [DONE]\n\n";
      } else {
        const std::string body = "fail \xff\xfe\xc3";
        reply =
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      }
      (void)::write(c, reply.data(), reply.size());
      ::close(c);
    }
  });
  const std::string dir = temp_dir("bench-binary-error");
  const RunResult r = run_cli("bench --base-url http://127.0.0.1:" + std::to_string(port) +
                              " --model m --num-prompts 3 --max-concurrency 1 --timeout 10 "
                              "--save-result --result-dir " +
                              dir +
                              " --result-filename r.json "
                              "--format json");
  done = true;
  server.join();
  ::close(fd);
  ASSERT_FALSE(r.out.empty()) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["completed"], 1);
  EXPECT_EQ(j["failed"], 2);
  EXPECT_EQ(j["failures"]["http_status"], 2);
  const Json saved = Json::parse(read_text(dir + "/r.json"));
  ASSERT_EQ(saved["errors"].size(), 3u);
  EXPECT_EQ(saved["errors"][0], "");
  EXPECT_EQ(saved["errors"][1], "http_status: HTTP 500: fail \\xff\\xfe\\xc3");
}

// Against the emulator: a --duration shorter than the schedule leaves requests unsent; the
// answer and the result file count only what was sent.
TEST(BenchEmulate, ADurationRunCountsOnlyTheRequestsItSent) {
  EmulatorProcess emu("--mode fixed --ttft-ms 20 --tpot-ms 5");
  ASSERT_GT(emu.port(), 0);
  const std::string dir = temp_dir("bench-duration");
  const Json j = bench_json("--base-url " + emu.url() +
                            " --num-prompts 400 --request-rate 40 --isl 20 --osl 10 --duration 2 "
                            "--save-result --result-dir " +
                            dir + " --result-filename r.json");
  const std::int64_t sent = j["num_prompts"].get<std::int64_t>();
  EXPECT_GT(sent, 40);
  EXPECT_LT(sent, 200);
  EXPECT_EQ(j["not_sent"].get<std::int64_t>(), 400 - sent);
  EXPECT_EQ(j["completed"].get<std::int64_t>() + j["failed"].get<std::int64_t>(), sent);
  EXPECT_LE(j["failed"].get<std::int64_t>(), 5);  // only those in flight when the time ran out
  const Json saved = Json::parse(read_text(dir + "/r.json"));
  EXPECT_EQ(saved["errors"].size(), static_cast<std::size_t>(sent));
  EXPECT_EQ(saved["not_sent"], 400 - sent);
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

// A fake server of capacity 50 req/s: it achieves min(offered, 50); p99 TTFT is 50 ms up to 55
// req/s offered (a short window hides a slow queue) and 5 s above.
Result<bench::BenchSummary> fake_probe(double offered, int) {
  bench::BenchSummary s;
  s.completed = 100;
  s.window_requests = 80;
  s.request_throughput = std::min(offered, 50.0);
  s.ttft_ms.p99 = offered <= 55 ? 50 : 5000;
  return s;
}

TEST(BenchCore, SweepBracketsFromTheStartRateThenBisects) {
  bench::SweepOptions o;
  o.start_rate = 10;
  auto r = bench::sweep(fake_probe, {{Metric::ttft, Percentile::p99, 1000}}, o);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->found);
  EXPECT_EQ(r->q, 50.0);  // achieved, never the offered rate above it
  EXPECT_EQ(r->achieved_rate, 50.0);
  EXPECT_EQ(r->offered_rate, 50.0);  // the first probe to achieve it
  // 10, 20, 40, 80 (fails), then bisection of [40, 80] until it is within 3% of its top: 60
  // (fails), 50, 55 (pass), 57.5, 56.25 (fail): [55, 56.25].
  EXPECT_EQ(r->stop, bench::SweepStop::precision);
  EXPECT_EQ(r->probes.size(), 9u);
  for (const auto& p : r->probes) {
    if (p.pass) {
      EXPECT_LE(p.achieved_rate, r->q);
    }
  }
}

TEST(BenchCore, SweepBracketsFromAnAllAtOnceProbe) {
  auto r = bench::sweep(fake_probe, {{Metric::ttft, Percentile::p99, 1000}}, {});
  ASSERT_TRUE(r);
  EXPECT_FALSE(std::isfinite(r->probes[0].offered_rate));
  EXPECT_EQ(r->probes[1].offered_rate, 50.0);  // the first probe's achieved rate
  EXPECT_EQ(r->q, 50.0);
}

TEST(BenchCore, SweepStopsAtASaturatedPassingProbe) {
  // Loose SLO: even 100 req/s offered passes, but only 50 are achieved; q is 50 and offering more
  // is pointless.
  auto r = bench::sweep(fake_probe, {{Metric::ttft, Percentile::p99, 10000}}, {.start_rate = 40.0});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stop, bench::SweepStop::saturated);
  EXPECT_EQ(r->q, 50.0);
  EXPECT_EQ(r->probes.back().offered_rate, 80.0);
}

TEST(BenchCore, SweepWithNoPassingRate) {
  auto r = bench::sweep(fake_probe, {{Metric::ttft, Percentile::p99, 10}}, {.start_rate = 40.0});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->found);
  EXPECT_EQ(r->stop, bench::SweepStop::none_passed);
  EXPECT_FALSE(bench::sweep(fake_probe, {}, {}));  // no targets: an error
}

// api::run_bench with a fake load: one FIFO server of fixed service time 50 ms (capacity 20
// req/s), computed, not measured. The whole sweep path (probe sizing, steady windows, bisection)
// finds q = 20 within the stated 3% and never above it.
TEST(BenchCore, RunBenchSweepsAFakeServer) {
  const double service_s = 0.05;
  api::LoadFn fifo = [&](const api::LoadRun& run) -> Result<std::vector<bench::RequestSample>> {
    std::vector<bench::RequestSample> out;
    double free_at = 0;
    for (std::size_t i = 0; i < run.schedule.size(); ++i) {
      bench::RequestSample r;
      r.index = static_cast<std::int64_t>(i);
      r.scheduled_s = r.sent_s = run.schedule[i];
      const double start = std::max(run.schedule[i], free_at);
      free_at = start + service_s;
      r.first_token_s = start + service_s / 2;
      r.end_s = free_at;
      r.chunk_s = {r.first_token_s, r.end_s};
      r.output_tokens = 2;
      r.max_tokens = 2;
      r.prompt_tokens = run.requests[i].prompt_tokens;
      out.push_back(r);
    }
    return out;
  };
  api::BenchRequest req;
  req.num_prompts = 100;
  req.burstiness = 1000;  // near-regular arrivals: queueing only above capacity
  req.sweep = true;
  req.slo = {{Metric::ttft, Percentile::p99, 300}};
  req.where = "fake";
  std::vector<std::string> lines;
  auto out = api::run_bench(
      req, [](std::int64_t n) { return bench::random_requests(n, 10, 2, 0, 1); }, fifo,
      [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_TRUE(out->sweep && out->sweep->found);
  EXPECT_NEAR(out->sweep->q, 20.0, 20.0 * 0.03);
  EXPECT_LE(out->sweep->q, 20.0 + 1e-9);
  EXPECT_EQ(lines.size(), out->sweep->probes.size());
  EXPECT_NE(lines.front().find("sweep probe 1 of at most 12, all at once"), std::string::npos)
      << lines.front();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines[1].find("sweep probe 2 of at most 12 at "), std::string::npos) << lines[1];
  const report::Report rep = api::bench_report(*out);
  ASSERT_EQ(rep.tables.size(), 1u);
  EXPECT_EQ(rep.tables[0].rows.size(), out->sweep->probes.size());
  const auto csv = api::sweep_measurement_csv(*out, "h100", 1, "vllm");
  ASSERT_TRUE(csv);
  EXPECT_NE(csv->find(fmt::format(",{:.6g},", out->sweep->q)), std::string::npos) << *csv;
}

bench::RequestSample done_at(double scheduled, double sent, double end) {
  bench::RequestSample r;
  r.scheduled_s = scheduled;
  r.sent_s = sent;
  r.first_token_s = sent + 0.01;
  r.end_s = end;
  r.output_tokens = 2;
  r.chunk_s = {sent + 0.01, end};
  return r;
}

TEST(BenchCore, SteadyWindowMeasuresTheAchievedRate) {
  // Overload: 100 arrivals at 20 req/s, served FIFO at 10 req/s in bursts of 4 every 0.4 s.
  std::vector<bench::RequestSample> v;
  for (int i = 0; i < 100; ++i) v.push_back(done_at(i * 0.05, i * 0.05, 1.0 + (i / 4) * 0.4));
  const auto s = bench::summarize_window(v, 20, {}, 0.1);
  EXPECT_NEAR(s.request_throughput, 10.0, 0.2);
  EXPECT_EQ(s.window_requests, 80);
  EXPECT_EQ(s.completed, 100);
  // Below capacity: completions follow the 20 req/s arrivals.
  std::vector<bench::RequestSample> w;
  for (int i = 0; i < 100; ++i) w.push_back(done_at(i * 0.05, i * 0.05, i * 0.05 + 0.3));
  EXPECT_NEAR(bench::summarize_window(w, 20, {}, 0.1).request_throughput, 20.0, 1e-9);
  // The whole-run figure counts the second before the first completion: 100 / 10.6 s.
  EXPECT_NEAR(bench::summarize(v, 20, {}).request_throughput, 100 / 10.6, 1e-9);
}

TEST(BenchCore, QueueWaitIsApartFromTtft) {
  // Scheduled at 0, sent at 0.5 (waited for a slot), first token 0.51, end 0.8.
  const auto s = bench::summarize({done_at(0, 0.5, 0.8)}, 1, {});
  EXPECT_NEAR(s.ttft_ms.mean, 10.0, 1e-9);
  EXPECT_NEAR(s.e2el_ms.mean, 300.0, 1e-9);
  EXPECT_NEAR(s.queue_wait_ms.mean, 500.0, 1e-9);
  // Two requests overlapping in [0.5, 0.8) and one after: peak concurrency 2.
  const auto p =
      bench::summarize({done_at(0, 0.5, 0.8), done_at(0, 0.6, 0.9), done_at(0, 0.9, 1)}, 1, {});
  EXPECT_EQ(p.max_concurrent_requests, 2);
  EXPECT_EQ(p.max_output_tokens_per_s, 6.0);  // all six chunks within one second of the first send
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
