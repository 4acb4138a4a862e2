// Wrong answers with exit 0, found by trying the CLI as an adversarial user: integer flags that
// wrapped, counts that overflowed, requests that could never fit, outputs cut short by a full
// disk, and device files read as scenarios. Each case is a one-line error or a result that says
// what happened.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;
const std::string k70b = "--model llama-3.1-70b --gpu h100-sxm ";

TEST(Hardening, IntegerFlagsDoNotWrap) {
  // 4294967300 = 2^32 + 4: cast to int it was TP 4.
  expect_one_line_error("size " + k70b + "--target-qps 10 --tp 4294967300",
                        "--tp: tp must be in [1, 1024], got 4294967300");
  expect_one_line_error(
      "simulate --model llama-3.1-8b --gpu h100-sxm --target-qps 1 "
      "--replicas 4294967300",
      "--replicas must be in [1, 100000], got 4294967300");
  expect_one_line_error(
      "simulate --model llama-3.1-8b --gpu h100-sxm --target-qps 1 "
      "--requests 4294967300",
      "--requests must be in [1, 10000000], got 4294967300");
  expect_one_line_error("size " + k70b + "--target-qps 10 --sim-requests 4294967300",
                        "--sim-requests must be in [1000, 10000000], got 4294967300");
  expect_one_line_error("size " + k70b + "--target-qps 10 --max-num-seqs 1e12",
                        "max_num_seqs must be in [1, 1000000]");
}

TEST(Hardening, HugeNumbersAreRangeErrorsNotNegativeCounts) {
  expect_one_line_error("size " + k70b + "--target-qps 1e20",
                        "--target-qps: target_qps must be in (0, 1000000000], got 1e+20");
  expect_one_line_error("size " + k70b + "--target-qps 10 --isl 1e300",
                        "--isl: isl must be in (0, 100000000], got 1e+300");
  // At the top of the range the counts and costs are positive (they were negative past int64).
  const RunResult r = run_cli("size " + k70b + "--target-qps 1e9 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  const Json& v = j["fleet"];
  for (const char* key : {"replicas", "gpus", "hosts", "usd_per_hour"}) {
    ASSERT_TRUE(v.contains(key) && v[key].is_number()) << key << "\n" << r.out;
    EXPECT_GT(v[key].get<double>(), 1e8) << key;
  }
}

TEST(Hardening, RequestsThatCanNeverFitAreRejectedWithAReason) {
  // 400k + 100k tokens: the prompt fits llama-3.1-8b's H100 cache (452,464 tokens), the whole
  // sequence does not; it used to be neither finished nor rejected, with latencies of 0.
  const RunResult r = run_cli(
      "simulate --model llama-3.1-8b --gpu h100-sxm --target-qps 1 --isl 400000 --osl 100000 "
      "--requests 5 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  const Json& v = j;
  ASSERT_TRUE(v.contains("rejected")) << r.out;
  EXPECT_EQ(v["rejected"], 5);
  EXPECT_EQ(v["requests"], 0);
  EXPECT_NE(v["rejected_reason"].get<std::string>().find("needs 500000 tokens"), std::string::npos)
      << v["rejected_reason"];
  EXPECT_TRUE(v["ttft_ms"]["p99"].is_null()) << v["ttft_ms"];
  EXPECT_TRUE(v["e2e_ms"]["mean"].is_null()) << v["e2e_ms"];
}

TEST(Hardening, AFullDiskIsAnErrorAndLeavesNoPartialFile) {
  expect_one_line_error(
      "simulate --model llama-3.1-8b --gpu h100-sxm --target-qps 1 --requests "
      "2000 --per-request /dev/full",
      "/dev/full: write failed (No space left on device)");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/full", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the device was replaced by a file";
  expect_one_line_error("catalog gpus >/dev/full",
                        "cannot write to standard output: No space left on device");
  expect_one_line_error("catalog gpus -o /dev/full", "/dev/full: write failed");
  const std::string dir = temp_dir("hardening-output");
  expect_one_line_error("catalog gpus -o '" + dir + "'", "is a directory");
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(Hardening, OutputWritesThroughASymlinkAndKeepsPermissions) {
  const std::string dir = temp_dir("hardening-symlink");
  write_text(dir + "/target", "old");
  std::filesystem::permissions(
      dir + "/target", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::create_symlink(dir + "/target", dir + "/link");
  const RunResult r = run_cli("catalog gpus -o '" + dir + "/link'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/link"));
  EXPECT_NE(read_text(dir + "/target").find("h100-sxm"), std::string::npos);
  EXPECT_EQ(std::filesystem::status(dir + "/target").permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(Hardening, ACurveBatchOfExtremeSizeIsARangeErrorNotAHang) {
  // batch 1e15 in examples/curve-70b.csv made slo and size run for ever with memory climbing.
  const std::string dir = temp_dir("hardening-curve");
  std::string text = read_text(source_path("examples/curve-70b.csv"));
  const auto row = text.find("\n4,");
  ASSERT_NE(row, std::string::npos);
  text.replace(row + 1, 1, "1e15");
  write_text(dir + "/curve.csv", text);
  expect_one_line_error("slo --curve '" + dir + "/curve.csv'",
                        "batch must be in (0, 1000000], got 1000000000000000");
  expect_one_line_error("size --target-qps 10 --curve '" + dir + "/curve.csv'",
                        "batch must be in (0, 1000000]");
}

TEST(Hardening, DeviceFilesDirectoriesAndNonUtf8AreOnePlainLine) {
  expect_one_line_error("size --scenario /dev/zero",
                        "/dev/zero: over the 16 MiB limit (a device file?), not a scenario file");
  const std::string dir = temp_dir("hardening-inputs");
  expect_one_line_error("size --scenario '" + dir + "'", "is a directory, not a scenario file");
  write_text(dir + "/latin1.yaml", "name: caf\xe9\n");
  expect_one_line_error("size --scenario '" + dir + "/latin1.yaml'",
                        "not UTF-8 text (byte 0xe9 at offset 9), not a scenario file");
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// Every YAML reader: unknown keys (with the nearest known name), duplicate keys, a second
// document. Each reader's one list of known keys is where a new key is registered.
TEST(HardeningYaml, UnknownDuplicateAndMultiDocumentKeysAreErrors) {
  const std::string dir = temp_dir("hardening-yaml");
  const auto expect = [&](const std::string& file, const std::string& text,
                          const std::string& command, const std::string& needle) {
    write_text(dir + "/" + file, text);
    expect_one_line_error(command + " '" + dir + "/" + file + "'", needle);
  };
  expect("typo.yaml", "model: llama-3.1-8b\ntpp: 2\n", "size --scenario",
         "typo.yaml:2: unknown key 'tpp' (did you mean 'tp'?)");
  expect("twice.yaml", "replica:\n  tp: 2\n  tp: 4\n", "size --scenario",
         "twice.yaml:3: key 'tp' given twice");
  expect("two.yaml", "model: llama-3.1-8b\n---\ntp: 4\n", "size --scenario",
         "two.yaml:2: a second YAML document ('---'): one document per file");
  expect("catalog.yaml", "gpus:\n  - name: g\n    base: h100-sxm\n    memory_gb: 80\n",
         "catalog gpus --catalog",
         "catalog.yaml:4: unknown key 'memory_gb' in a GPU (did you mean "
         "'memory_gib'?)");
  expect("model.yaml", "models:\n  - name: m\n    base: llama-3.1-8b\n    layer: 3\n",
         "catalog models --catalog", "unknown key 'layer' in a model (did you mean 'layers'?)");
  expect("profile.yaml", "entries:\n  - gpu: h100-sxm\n    engine: vllm\n    computee: 0.5\n",
         "size --profile",
         "profile.yaml:4: unknown key 'computee' in a profile entry (did you "
         "mean 'compute'?)");
  expect("stack.yaml",
         "stack:\n  target_qps: 10\n  baseline: {gpus: 1, qps: 1}\n  levers:\n    - {name: a, "
         "memry: 0.5}\n",
         "stack --scenario", "unknown key 'memry' in a lever (did you mean 'memory'?)");
  expect("dup-catalog.yaml", "gpus:\n  - name: g\n    name: h\n", "catalog gpus --catalog",
         "key 'name' given twice");
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// Interrupted while writing: SIGINT or SIGTERM during a long simulate that streams its
// per-request CSV to a temporary file removes that file; the process ends with the signal and
// leaves nothing half-written behind.
TEST(Hardening, ASignalRemovesTheTemporaryOutputFile) {
  for (int sig : {SIGTERM, SIGINT}) {
    const std::string dir = temp_dir("signal-" + std::to_string(sig));
    const std::string out = dir + "/requests.csv";
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // A run far longer than the test waits (millions of requests on a sanitizer build).
      ::execl(FLEETSIZER_BINARY, FLEETSIZER_BINARY, "simulate", "--requests", "5000000", "--rate",
              "50", "--replicas", "16", "--per-request", out.c_str(), "--format", "json", "-o",
              (dir + "/answer.json").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Wait (bounded) until the temporary CSV exists and has rows in it.
    bool writing = false;
    for (int i = 0; i < 600 && !writing; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().starts_with("requests.csv.tmp.") && e.file_size() > 1000)
          writing = true;
    }
    ASSERT_TRUE(writing) << "the per-request CSV never appeared";
    ::kill(pid, sig);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status)) << status;
    if (WIFSIGNALED(status)) {
      EXPECT_EQ(WTERMSIG(status), sig);
    }
    std::vector<std::string> left;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      left.push_back(e.path().filename().string());
    EXPECT_TRUE(left.empty()) << "left behind: " << left.front();
  }
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// A q-search tolerance at the limit of floating point would bisect for ever: the flag's range
// stops it, and the bisection itself is capped (kMaxBisectionProbes).
TEST(Hardening, TheQSearchToleranceIsBounded) {
  expect_one_line_error("size --q-tolerance 1e-300", "--q-tolerance must be in [1e-06, 0.5)");
  expect_one_line_error("size --q-tolerance 0.5", "--q-tolerance must be in [1e-06, 0.5)");
  const RunResult r = run_cli(
      "slo --model llama-3.1-8b --gpu h100-sxm --target-qps 5 --q-tolerance 1e-6 "
      "--sim-requests 1000 --no-fleet-sim --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace fleetsizer::testing

namespace fleetsizer::testing {
namespace {

// Found by the fuzz targets: a three-byte scenario that made yaml-cpp's multi-document loader
// loop for ever, and a config.json number past a double that threw through as an internal error.
TEST(Hardening, FuzzFindingsAreAnswersOrOneLine) {
  const std::string dir = temp_dir("fuzz-findings");
  write_text(dir + "/hang.yaml", ",Y&");
  const RunResult hang = run_cli("fit --scenario " + dir + "/hang.yaml", 60);
  EXPECT_NE(hang.exit_code, 124) << "hung";
  EXPECT_EQ(std::count(hang.err.begin(), hang.err.end(), '\n'), hang.exit_code == 0 ? 0 : 1)
      << hang.err;
  std::filesystem::create_directories(dir + "/m");
  write_text(dir + "/m/config.json", "2e4142");
  expect_one_line_error("fit --gpu h100-sxm --model " + dir + "/m/config.json",
                        "config.json: invalid JSON: ");
  write_text(dir + "/big.json", R"({"num_hidden_layers": 1e999})");
  expect_one_line_error("fit --gpu h100-sxm --model " + dir + "/big.json", "invalid JSON");
  // A model or curve name past the longest path the file system takes (ENAMETOOLONG) threw
  // std::filesystem's error through as an internal error (exit 3): now it is an unknown name.
  const std::string long_name(5000, 'q');
  write_text(dir + "/long-model.yaml", "model: " + long_name + "\n");
  expect_one_line_error("fit --scenario " + dir + "/long-model.yaml", "unknown model 'qqq");
  for (const std::string args :
       {"fit --scenario " + dir + "/long-model.yaml", "slo --curve " + dir + "/" + long_name}) {
    const RunResult r = run_cli(args);
    EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << r.exit_code << ": " << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace fleetsizer::testing
