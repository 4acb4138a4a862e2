// The web planner's API (`fleetsizer serve`): each input is one request, "METHOD TARGET\nBODY",
// read as the server reads it (JSON, scenario keys, options, uploads written to the request's own
// folder and parsed). The requests are read, not run: running one is the CLI's command (size,
// simulate, validate), the same code the CLI tests and the mutated-input runs check. Checked:
// nothing throws; a refusal is a 4xx whose body is {"error": "<one line>"}; only /health is
// answered from reading alone; a request that reads cleanly is one of the routes that run; and
// the request's upload folder is gone once the call is done with.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/planner.h"
#include "fuzz/fuzz_support.h"

namespace {

[[noreturn]] void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: [%.300s]\n", what, detail.c_str());
  std::abort();
}

// A folder of this process's own for the uploads, so that a left-over upload folder is this
// target's finding and not another program's.
const std::filesystem::path& upload_root() {
  static const std::filesystem::path root = [] {
    std::string templ = (std::filesystem::temp_directory_path() / "fuzz-planner-XXXXXX").string();
    if (!::mkdtemp(templ.data())) finding("cannot create a temporary folder", templ);
    ::setenv("TMPDIR", templ.c_str(), 1);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(upload_root(), ec);
    });
    return std::filesystem::path(templ);
  }();
  return root;
}

void check_refusal(const fleetsizer::http::PlannerReply& reply, const std::string& path) {
  if (reply.status == 200) {
    if (path != "/health") finding("answered 200 without running", path);
    return;
  }
  if (reply.status != 400 && reply.status != 404 && reply.status != 405 && reply.status != 413)
    finding("a refusal that is not 400, 404, 405 or 413", std::to_string(reply.status));
  if (reply.content_type != "application/json")
    finding("a refusal not in JSON", reply.content_type);
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  if (!body.is_object() || body.size() != 1 || !body.contains("error") ||
      !body["error"].is_string())
    finding("a refusal's body is not {\"error\": text}", reply.body);
  const auto& message = body["error"].get_ref<const std::string&>();
  if (message.empty() || message.find('\n') != std::string::npos)
    finding("not a one-line error", message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsizer;
  const std::filesystem::path& root = upload_root();
  const std::string text(fuzz::as_text(data, size));
  const auto line_end = text.find('\n');
  const std::string line = text.substr(0, line_end);
  const std::string body = line_end == std::string::npos ? "" : text.substr(line_end + 1);
  const auto space = line.find(' ');
  const std::string method = line.substr(0, space);
  const std::string target = space == std::string::npos ? "" : line.substr(space + 1);
  const std::string path = target.substr(0, target.find('?'));

  cli::PlannerLimits limits;
  limits.max_upload_bytes = 512;  // inputs are up to a few kB: 413 is reachable
  {
    cli::PlannerCall call = cli::read_planner_request(method, target, body, limits);
    if (call.answer.has_value() == static_cast<bool>(call.run))
      finding("a call is either answered or to be run", line);
    if (call.answer) {
      check_refusal(*call.answer, path);
    } else {
      const bool get = method == "GET" || method == "HEAD";
      const bool runs = (get && (path == "/" || path == "/index.html" ||
                                 path == "/api/catalog/gpus" || path == "/api/catalog/models")) ||
                        (method == "POST" && (path == "/api/size" || path == "/api/simulate" ||
                                              path == "/api/validate"));
      if (!runs) finding("a request to be run that is not a route", line);
    }
  }
  if (!std::filesystem::is_empty(root)) finding("an upload folder left behind", root.string());
  return 0;
}
