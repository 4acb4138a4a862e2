// `fleetsizer serve` on loopback: its API answers are the CLI's `--format json` byte for byte,
// every bad request gets a JSON error with the CLI's message (400/404/405/413), nothing outside
// the planner's own routes is readable, and it keeps serving after all of them.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_support.h"

namespace fleetsizer::testing {
namespace {

using Json = nlohmann::json;

// A POST to the planner, answered in full (the server closes after a half-closed request).
std::string post(int port, const std::string& target, const std::string& body) {
  return raw_exchange(port, raw_post(target, body), 120000);
}

// The error of a refused request, checked to be the planner's JSON shape.
std::string error_of(const std::string& reply) {
  const Json e = Json::parse(body_of(reply), nullptr, false);
  if (e.is_discarded() || !e.contains("error") || !e["error"].is_string())
    return "(not a JSON error: " + reply.substr(0, 200) + ")";
  return e["error"].get<std::string>();
}

// `fleetsizer <args> --format json`, run in `dir` (so that files are named as the user named
// them), its stdout as is.
std::string cli_json_in(const std::string& dir, const std::string& args) {
  const std::string out = dir + "/cli.json";
  const std::string command = "cd '" + dir + "' && '" + std::string(FLEETSIZER_BINARY) + "' " +
                              args + " --format json > '" + out + "' 2> '" + dir + "/cli.err'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command << "\n" << read_text(dir + "/cli.err");
  return read_text(out);
}

constexpr const char* kScenarioYaml =
    "model: llama-3.1-8b\ngpu: h100-sxm\ntarget_qps: 20\nisl: 1024\nosl: 256\n"
    "slo: [\"ttft:p99=2000\", \"tpot:p99=50\"]\n";
const Json kScenario = {{"model", "llama-3.1-8b"},
                        {"gpu", "h100-sxm"},
                        {"target_qps", 20},
                        {"isl", 1024},
                        {"osl", 256},
                        {"slo", {"ttft:p99=2000", "tpot:p99=50"}}};

TEST(ServeCli, ApiAnswersAreTheClisJson) {
  EmulatorProcess server("", 300, "serve");
  ASSERT_GT(server.port(), 0);
  const std::string dir = temp_dir("serve-equal");
  write_text(dir + "/plan.yaml", kScenarioYaml);

  Json size = kScenario;
  size["options"] = {{"sim_requests", 2000}, {"fleet_sim", false}, {"seed", 3}};
  const std::string size_reply = post(server.port(), "/api/size", size.dump());
  ASSERT_EQ(status_of(size_reply), 200) << size_reply.substr(0, 400);
  EXPECT_EQ(body_of(size_reply),
            cli_json_in(dir,
                        "size --scenario plan.yaml --sim-requests 2000 --no-fleet-sim "
                        "--seed 3"));

  Json simulate = kScenario;
  simulate["requests"] = 1500;
  simulate["replicas"] = 2;
  simulate["options"] = {{"seed", 5}};
  write_text(dir + "/sim.yaml", std::string(kScenarioYaml) + "requests: 1500\nreplicas: 2\n");
  const std::string sim_reply = post(server.port(), "/api/simulate", simulate.dump());
  ASSERT_EQ(status_of(sim_reply), 200) << sim_reply.substr(0, 400);
  EXPECT_EQ(body_of(sim_reply), cli_json_in(dir, "simulate --scenario sim.yaml --seed 5"));

  // A trace travels as an upload and runs as the same file would.
  const std::string trace =
      "TIMESTAMP,ContextTokens,GeneratedTokens\n"
      "2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n"
      "2023-11-16 18:15:51.0014400,879,55\n2023-11-16 18:15:51.7400540,91,16\n"
      "2023-11-16 18:15:52.5202940,91,16\n2023-11-16 18:15:53.1002300,1500,300\n";
  write_text(dir + "/mini-trace.csv", trace);
  Json traced = kScenario;
  traced["trace_upload"] = {{"name", "mini-trace.csv"}, {"content", trace}};
  const std::string trace_reply = post(server.port(), "/api/simulate", traced.dump());
  ASSERT_EQ(status_of(trace_reply), 200) << trace_reply.substr(0, 400);
  EXPECT_EQ(body_of(trace_reply),
            cli_json_in(dir, "simulate --scenario plan.yaml --trace mini-trace.csv"));
  EXPECT_NE(body_of(trace_reply).find("mini-trace.csv"), std::string::npos);
  EXPECT_EQ(body_of(trace_reply).find("fleetsizer-serve-"), std::string::npos);  // no server path

  // Measurements are uploaded; the rows name the file as the user did.
  const std::string csv = read_text(source_path("data/measurements/splitwise-llama2-70b.csv"));
  write_text(dir + "/splitwise.csv", csv);
  const Json validate = {{"measurements", {{"name", "splitwise.csv"}, {"content", csv}}},
                         {"options", {{"method", "analytic"}}}};
  const std::string validate_reply = post(server.port(), "/api/validate", validate.dump());
  ASSERT_EQ(status_of(validate_reply), 200) << validate_reply.substr(0, 400);
  EXPECT_EQ(body_of(validate_reply),
            cli_json_in(dir, "validate --measurements splitwise.csv --method analytic"));

  // The catalog lists are the CLI's too (the page fills its form from them).
  const std::string gpus = raw_exchange(server.port(), raw_get("/api/catalog/gpus"));
  ASSERT_EQ(status_of(gpus), 200);
  EXPECT_EQ(body_of(gpus), cli_json_in(dir, "catalog gpus"));
}

TEST(ServeCli, BadRequestsAreJsonErrorsAndItKeepsServing) {
  // A 10 kB upload cap, so that oversized uploads are cheap to send.
  EmulatorProcess server("--max-upload-mb 0.01", 300, "serve");
  const int port = server.port();
  ASSERT_GT(port, 0);
  // The page itself: one self-contained document, nothing fetched from elsewhere.
  const std::string page = raw_exchange(port, raw_get("/"));
  ASSERT_EQ(status_of(page), 200);
  const std::string html = body_of(page);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* external : {" src=", " href=", "url(", "fetch('http"})
    EXPECT_EQ(html.find(external), std::string::npos) << external;

  struct Case {
    std::string name, request;
    int status;
    std::string message;  // a part of the error
  };
  const std::string big_upload(20000, 'x');
  const std::vector<Case> cases = {
      {"malformed JSON", raw_post("/api/size", "{\"model\": "), 400, "malformed JSON"},
      {"not an object", raw_post("/api/size", "[1,2]"), 400, "expected a JSON object"},
      {"unknown key", raw_post("/api/size", R"({"modle": "llama-3.1-8b"})"), 400,
       "did you mean 'model'?"},
      {"wrong type", raw_post("/api/size", R"({"target_qps": "many"})"), 400, "target_qps"},
      {"out of range", raw_post("/api/size", R"({"target_qps": -5})"), 400, "target_qps"},
      {"option type", raw_post("/api/size", R"({"options": {"sim_requests": "2000"}})"), 400,
       "options.sim_requests: expected an integer"},
      {"option wraps", raw_post("/api/size", R"({"options": {"sim_requests": 4294967300000}})"),
       400, "--sim-requests must be in"},
      // A key holding a line break is quoted on one line (found by fuzz/planner_api.cc).
      {"line break in a key", raw_post("/api/validate", R"({"a\nb": 1})"), 400,
       "unknown key 'a\\nb'"},
      {"unknown option", raw_post("/api/size", R"({"options": {"verbose": true}})"), 400,
       "unknown option 'verbose'"},
      {"unknown model", raw_post("/api/size", R"({"model": "llama-9"})"), 400, "llama-9"},
      {"a file key", raw_post("/api/size", R"({"curve": "/etc/passwd"})"), 400,
       "the planner reads no files"},
      {"a model file", raw_post("/api/size", R"({"model": "/etc/passwd.json"})"), 400, "not files"},
      {"upload path",
       raw_post("/api/simulate", R"({"trace_upload": {"name": "../../x.csv", "content": "a"}})"),
       400, "plain file name"},
      {"oversized upload",
       raw_post("/api/validate",
                Json{{"measurements", {{"name", "m.csv"}, {"content", big_upload}}}}.dump()),
       413, "over the upload cap"},
      {"oversized body", raw_post("/api/size", std::string(2u << 20, ' ')), 413,
       "request body over"},
      {"unknown path", raw_get("/api/nothing"), 404, "not found"},
      {"traversal", raw_get("/../../etc/passwd"), 404, "not found"},
      {"encoded traversal", raw_get("/%2e%2e/%2e%2e/etc/passwd"), 404, "not found"},
      {"api traversal", raw_get("/api/../../../etc/passwd"), 404, "not found"},
      {"wrong method", raw_get("/api/size"), 405, "method not allowed"},
      {"not HTTP", "\x16\x03\x01 garbage\r\n\r\n", 400, "malformed HTTP request"},
  };
  for (const Case& c : cases) {
    const std::string reply = raw_exchange(port, c.request, 30000);
    EXPECT_EQ(status_of(reply), c.status) << c.name << ": " << reply.substr(0, 300);
    const std::string error = error_of(reply);
    EXPECT_NE(error.find(c.message), std::string::npos) << c.name << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << c.name;  // one line, as the CLI prints
  }
  // The CLI's own message for the same bad input in a scenario file; only the origin differs
  // ("request body:2:" against "bad.yaml:1:").
  const std::string unknown = error_of(post(port, "/api/size", R"({"model": "llama-9"})"));
  ASSERT_EQ(unknown.rfind("request body:", 0), 0u) << unknown;
  const std::string message = unknown.substr(unknown.find(": ") + 2);
  const std::string dir = temp_dir("serve-errors");
  write_text(dir + "/bad.yaml", "model: llama-9\n");
  const RunResult cli = run_cli("size --scenario " + dir + "/bad.yaml");
  EXPECT_NE(cli.err.find("bad.yaml:1: " + message), std::string::npos)
      << cli.err << " vs " << unknown;
  // Still serving.
  Json ok = kScenario;
  ok["options"] = {{"sim_requests", 1000}, {"fleet_sim", false}};
  EXPECT_EQ(status_of(post(port, "/api/size", ok.dump())), 200);
}

TEST(ServeCli, ACallPastTheTimeLimitIsStoppedAndItKeepsServing) {
  EmulatorProcess server("--max-call-seconds 3", 120, "serve");
  const int port = server.port();
  ASSERT_GT(port, 0);
  // Ten million simulated requests per probe: minutes of work, stopped at three seconds.
  Json size = kScenario;
  size["options"] = {{"sim_requests", 10000000}};
  const auto start = std::chrono::steady_clock::now();
  const std::string reply = post(port, "/api/size", size.dump());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(status_of(reply), 503) << reply.substr(0, 400);
  EXPECT_NE(error_of(reply).find("stopped after 3.0 s"), std::string::npos) << reply;
  EXPECT_NE(error_of(reply).find("--max-call-seconds"), std::string::npos) << reply;
  EXPECT_LT(seconds, 60);
  // The next call (a short simulation, well inside the limit) is answered in full.
  Json simulate = kScenario;
  simulate["requests"] = 1000;
  const std::string small = post(port, "/api/simulate", simulate.dump());
  EXPECT_EQ(status_of(small), 200) << small.substr(0, 400);
  EXPECT_EQ(status_of(raw_exchange(port, raw_get("/health"))), 200);
  expect_one_line_error("serve --max-call-seconds -1", "--max-call-seconds must be in [0, 86400]");
}

TEST(ServeCli, BindsLoopbackUnlessToldAndWarnsWhenTold) {
  {
    EmulatorProcess server("", 60, "serve");
    ASSERT_GT(server.port(), 0);
    const std::string err = read_text(server.stderr_path());
    EXPECT_NE(err.find("http://127.0.0.1:" + std::to_string(server.port()) + "/"),
              std::string::npos)
        << err;
    EXPECT_EQ(err.find("warning"), std::string::npos) << err;
  }
  {
    EmulatorProcess server("--host 0.0.0.0", 60, "serve");
    ASSERT_GT(server.port(), 0);
    EXPECT_NE(read_text(server.stderr_path()).find("warning: listening on 0.0.0.0"),
              std::string::npos);
  }
  expect_one_line_error("serve --max-upload-mb 0", "--max-upload-mb must be in (0, 1024]");
}

}  // namespace
}  // namespace fleetsizer::testing
