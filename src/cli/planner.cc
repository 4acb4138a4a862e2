#include "cli/planner.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <type_traits>
#include <utility>

#include "cli/bounded_call.h"
#include "cli/command.h"
#include "cli/measurement_flags.h"
#include "fleetsizer/api/measure.h"
#include "fleetsizer/api/simulate.h"
#include "fleetsizer/api/size.h"
#include "io/output.h"

namespace fleetsizer::cli {
namespace {

using Json = nlohmann::json;

http::PlannerReply json_reply(int status, std::string body) {
  return {status, "application/json", std::move(body)};
}

// One line whatever the request quoted into it (a key holding a line break: found by
// fuzz/planner_api.cc).
http::PlannerReply error_reply(int status, const std::string& message) {
  return json_reply(status, http::planner_error_json(one_line(message)));
}

// The answer exactly as `fleetsizer <command> ... --format json` prints it.
http::PlannerReply report_reply(const report::Report& r) {
  return json_reply(200, report::render(r, report::Format::json, report::RenderOptions{}));
}

// Keys that name a file: a planner on a shared machine reads none (the one file a command needs
// is uploaded in the request). A model given as a config.json path is a file too.
const std::set<std::string, std::less<>> kFileKeys = {
    "catalog", "profile", "curve", "trace", "lengths_from", "prices", "load_profile"};

// A folder of the request's own uploads, removed when the request is answered.
class UploadDir {
 public:
  UploadDir() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "fleetsizer-serve-XXXXXX").string();
    if (::mkdtemp(templ.data())) path_ = templ;
  }
  ~UploadDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  UploadDir(const UploadDir&) = delete;
  UploadDir& operator=(const UploadDir&) = delete;

  // {"name": "trace.csv", "content": "..."} -> a file of that base name in the folder.
  Result<std::string> write(const Json& upload, const std::string& what,
                            const PlannerLimits& limits) {
    if (path_.empty()) return fail("cannot create a folder for the upload");
    if (!upload.is_object() || !upload.contains("name") || !upload["name"].is_string() ||
        !upload.contains("content") || !upload["content"].is_string())
      return fail(
          fmt::format("{}: expected {{\"name\": \"file.csv\", \"content\": \"...\"}}", what));
    const std::string name = upload["name"].get<std::string>();
    // The base name only: no folder, no way out of the upload folder.
    if (name.empty() || name.size() > 200 || name.find('/') != std::string::npos ||
        name.find('\\') != std::string::npos || name == "." || name == ".." ||
        name.find('\0') != std::string::npos)
      return fail(fmt::format("{}: the name must be a plain file name, got '{}'", what, name));
    const auto& content = upload["content"].get_ref<const std::string&>();
    too_large = content.size() > limits.max_upload_bytes;
    if (too_large)
      return fail(fmt::format("{}: {} bytes is over the upload cap of {} bytes", what,
                              content.size(), limits.max_upload_bytes));
    const std::string file = path_ + "/" + name;
    if (auto w = io::write_file_atomically(file, content); !w) return fail(w.error().message);
    return file;
  }
  // Messages and row locations name the upload as the user named it, not the server's folder.
  bool too_large = false;  // the last write was refused for its size (413, not 400)

  std::string strip(std::string text) const {
    if (path_.empty()) return text;
    const std::string prefix = path_ + "/";
    for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at))
      text.erase(at, prefix.size());
    return text;
  }

 private:
  std::string path_;
};

Result<Json> parse_body(const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) return fail("request body: malformed JSON");
  if (!j.is_object()) return fail("request body: expected a JSON object of scenario keys");
  return j;
}

// The scenario keys of the body (everything but "options" and uploads), read by the scenario
// file parser itself (JSON is YAML), limited to the groups the command reads, as a scenario file
// given to that command is.
Result<ParsedScenario> body_scenario(Json settings, io::KeyGroups reads, UploadDir& uploads,
                                     const PlannerLimits& limits) {
  Json trace_upload;
  if (settings.contains("trace_upload")) {
    trace_upload = settings["trace_upload"];
    settings.erase("trace_upload");
  }
  for (const auto& [key, value] : settings.items()) {
    if (kFileKeys.contains(key))
      return fail(fmt::format("'{}' names a file on the server: the planner reads no files{}", key,
                              key == "trace" ? " (send the trace's text as trace_upload)" : ""));
    if (key == "model" && value.is_string()) {
      const auto& m = value.get_ref<const std::string&>();
      if (m.find('/') != std::string::npos || m.ends_with(".json"))
        return fail(fmt::format("model '{}': the planner takes catalog model names, not files", m));
    }
  }
  auto raw = io::parse_scenario_yaml(settings.dump(1), "request body");
  if (!raw) return fail(raw.error().message);
  io::RawScenario selected = io::select(*raw, reads);
  if (!trace_upload.is_null()) {
    if (!reads.contains(io::KeyGroup::traffic))
      return fail("trace_upload: this command reads no trace");
    auto file = uploads.write(trace_upload, "trace_upload", limits);
    if (!file) return fail(file.error().message);
    selected.set("trace", *file, "trace_upload");
  }
  Catalog catalog = builtin_catalog();
  auto s = io::build_scenario(selected, catalog);
  if (!s) return fail(uploads.strip(s.error().message));
  return ParsedScenario{std::move(selected), std::move(*s)};
}

// Options: {"name": value} with the type each one needs; an unknown one is an error.
class Options {
 public:
  static Result<Options> from(const Json& body, std::set<std::string> known) {
    Options o;
    if (!body.contains("options")) return o;
    o.json_ = body["options"];
    if (!o.json_.is_object()) return fail("options: expected a JSON object");
    for (const auto& [key, _] : o.json_.items())
      if (!known.contains(key))
        return fail(
            fmt::format("options: unknown option '{}' (known: {})", key, fmt::join(known, ", ")));
    return o;
  }
  template <class T>
  Result<void> get(const char* key, T& out) const {
    if (!json_.contains(key)) return {};
    const Json& v = json_[key];
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) return fail(fmt::format("options.{}: expected true or false", key));
      out = v.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer()) return fail(fmt::format("options.{}: expected an integer", key));
      // Checked before the narrowing: no wrap-around (4294967300 is not 4).
      if (v.is_number_unsigned() ? !std::in_range<T>(v.get<std::uint64_t>())
                                 : !std::in_range<T>(v.get<std::int64_t>()))
        return fail(fmt::format("options.{}: {} is out of range", key, v.dump()));
      out = v.get<T>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) return fail(fmt::format("options.{}: expected a string", key));
      out = v.get<std::string>();
    } else {
      if (!v.is_number()) return fail(fmt::format("options.{}: expected a number", key));
      out = v.get<T>();
    }
    return {};
  }

 private:
  Json json_ = Json::object();
};

// A failed step of an answer: 400 with the CLI's message (upload folders left out).
#define PLANNER_CHECK(uploads, expr) \
  if (auto check_ = (expr); !check_) \
  return error_reply((uploads).too_large ? 413 : 400, (uploads).strip(check_.error().message))

// POST /api/size: `fleetsizer size --scenario F [--sim-requests N] [--seed S] [--q-tolerance T]
// [--no-fleet-sim]` with F holding the body's scenario keys.
PlannerCall size_call(const Json& body, const PlannerLimits& limits) {
  // Each call's uploads live until its command has run (the messages name them); shared, as a
  // std::function's captures must be copyable.
  auto shared_uploads = std::make_shared<UploadDir>();
  UploadDir& uploads = *shared_uploads;
  auto options = Options::from(body, {"sim_requests", "seed", "q_tolerance", "fleet_sim"});
  PLANNER_CHECK(uploads, options);
  api::SizeOptions o;
  PLANNER_CHECK(uploads, options->get("sim_requests", o.search.requests));
  PLANNER_CHECK(uploads, options->get("seed", o.search.seed));
  PLANNER_CHECK(uploads, options->get("q_tolerance", o.search.rel_tolerance));
  PLANNER_CHECK(uploads, options->get("fleet_sim", o.simulate_fleet));
  PLANNER_CHECK(uploads, check_search_flags(o));
  Json settings = body;
  settings.erase("options");
  auto parsed = body_scenario(std::move(settings), kPlanReads, uploads, limits);
  PLANNER_CHECK(uploads, parsed);
  auto scenario = std::make_shared<Scenario>(std::move(parsed->scenario));
  return std::function([shared_uploads, scenario, o]() -> http::PlannerReply {
    auto out = api::run_size(*scenario, o);
    PLANNER_CHECK(*shared_uploads, out);
    return report_reply(api::size_report(*out));
  });
}

// POST /api/simulate: `fleetsizer simulate --scenario F [--seed S] [--find-replicas]
// [--max-waiting N]`; a trace comes as trace_upload.
PlannerCall simulate_call(const Json& body, const PlannerLimits& limits) {
  auto shared_uploads = std::make_shared<UploadDir>();
  UploadDir& uploads = *shared_uploads;
  auto options = Options::from(body, {"seed", "find_replicas", "max_waiting"});
  PLANNER_CHECK(uploads, options);
  SimulateSettings settings;
  PLANNER_CHECK(uploads, options->get("seed", settings.seed));
  PLANNER_CHECK(uploads, options->get("find_replicas", settings.find_replicas));
  PLANNER_CHECK(uploads, options->get("max_waiting", settings.max_waiting));
  Json scenario = body;
  scenario.erase("options");
  auto parsed = body_scenario(std::move(scenario), kSimulateReads, uploads, limits);
  PLANNER_CHECK(uploads, parsed);
  auto req = simulate_request(*parsed, settings);
  PLANNER_CHECK(uploads, req);
  auto request = std::make_shared<api::SimulateRequest>(std::move(*req));
  return std::function([shared_uploads, request]() -> http::PlannerReply {
    const UploadDir& folder = *shared_uploads;
    auto out = api::run_simulate(*request);
    PLANNER_CHECK(folder, out);
    report::Report r = api::simulate_report(*out);
    // The trace's name in the answer is the upload's, as the CLI names a trace in its folder.
    r.title = folder.strip(r.title);
    for (auto& f : r.fields)
      if (auto* text = std::get_if<std::string>(&f.value)) *text = folder.strip(*text);
    return report_reply(r);
  });
}

// POST /api/validate: `fleetsizer validate --measurements NAME [--method M] [--fit-requests N]
// [--calibrate-all | --leave-one-out]` with the measurements uploaded as {"name", "content"}.
PlannerCall validate_call(const Json& body, const PlannerLimits& limits) {
  auto shared_uploads = std::make_shared<UploadDir>();
  UploadDir& uploads = *shared_uploads;
  for (const auto& [key, _] : body.items())
    if (key != "measurements" && key != "options")
      return error_reply(400, fmt::format("unknown key '{}' (validate takes measurements and "
                                          "options)",
                                          key));
  if (!body.contains("measurements"))
    return error_reply(400,
                       "measurements: the measurement file's {\"name\", \"content\"} is "
                       "required");
  auto options = Options::from(body, {"method", "fit_requests", "mode"});
  PLANNER_CHECK(uploads, options);
  MethodFlags method;
  std::string mode = "given";
  PLANNER_CHECK(uploads, options->get("method", method.method));
  PLANNER_CHECK(uploads, options->get("fit_requests", method.fit_requests));
  PLANNER_CHECK(uploads, options->get("mode", mode));
  auto parsed_method = method.parse();
  PLANNER_CHECK(uploads, parsed_method);
  api::ValidateRequest req;
  req.method = *parsed_method;
  if (mode == "calibrate_all")
    req.mode = api::ValidationMode::calibrate_all;
  else if (mode == "leave_one_out")
    req.mode = api::ValidationMode::leave_one_out;
  else if (mode != "given")
    return error_reply(400, fmt::format("options.mode: '{}' is not given, calibrate_all or "
                                        "leave_one_out",
                                        mode));
  auto file = uploads.write(body["measurements"], "measurements", limits);
  PLANNER_CHECK(uploads, file);
  MeasurementFlags measurements;
  measurements.files = {*file};
  Catalog catalog = builtin_catalog();
  auto set = measurements.read(catalog);
  PLANNER_CHECK(uploads, set);
  req.skipped = MeasurementFlags::skipped(*set);
  for (auto& s : req.skipped) s.where = uploads.strip(s.where);
  req.rows = std::move(set->rows);
  for (auto& m : req.rows) m.file = uploads.strip(m.file);
  auto request = std::make_shared<api::ValidateRequest>(std::move(req));
  return std::function([shared_uploads, request]() -> http::PlannerReply {
    auto out = api::run_validate(std::move(*request));
    PLANNER_CHECK(*shared_uploads, out);
    return report_reply(api::validate_report(*out));
  });
}

http::PlannerReply catalog_answer(const std::string& what) {
  // The same listing as `fleetsizer catalog gpus|models --format json`.
  for (const auto& spec : commands()) {
    if (std::string_view(spec.name) != "catalog") continue;
    CLI::App app;
    Invocation inv;
    spec.setup(app, inv);
    app.parse(std::vector<std::string>{what});
    auto r = inv.run();
    if (!r) return error_reply(400, r.error().message);
    return report_reply(*r);
  }
  return error_reply(404, "no catalog");
}

}  // namespace

PlannerCall read_planner_request(const std::string& method, const std::string& target,
                                 const std::string& body, const PlannerLimits& limits) {
  // Only the planner's own routes exist: no path reaches the filesystem, so "/../etc/passwd",
  // "%2e%2e" and the like are simply unknown paths.
  const std::string path = target.substr(0, target.find('?'));
  using Reader = PlannerCall (*)(const Json&, const PlannerLimits&);
  static const std::map<std::string, Reader> kApi = {
      {"/api/size", size_call}, {"/api/simulate", simulate_call}, {"/api/validate", validate_call}};
  const bool get = method == "GET" || method == "HEAD";
  if (path == "/" || path == "/index.html") {
    if (!get) return error_reply(405, "method not allowed: " + method + " " + path);
    return std::function([]() -> http::PlannerReply {
      return {200, "text/html; charset=utf-8", planner_page()};
    });
  }
  if (path == "/api/catalog/gpus" || path == "/api/catalog/models") {
    if (!get) return error_reply(405, "method not allowed: " + method + " " + path);
    return std::function(
        [what = path.substr(path.rfind('/') + 1)] { return catalog_answer(what); });
  }
  if (path == "/health") return json_reply(200, "{}\n");
  const auto api = kApi.find(path);
  if (api == kApi.end()) return error_reply(404, "not found: " + path);
  if (method != "POST") return error_reply(405, "method not allowed: " + method + " " + path);
  auto json = parse_body(body);
  if (!json) return error_reply(400, json.error().message);
  return api->second(*json, limits);
}

http::PlannerReply planner_answer(const std::string& method, const std::string& target,
                                  const std::string& body, const PlannerLimits& limits) {
  PlannerCall call = read_planner_request(method, target, body, limits);
  if (call.answer) return std::move(*call.answer);
  if (!(limits.max_call_seconds > 0)) return call.run();
  // The reply crosses the pipe as "<status>\n<content type>\n<body>".
  const BoundedCall bounded = run_bounded(
      [&call] {
        const http::PlannerReply r = call.run();
        return fmt::format("{}\n{}\n{}", r.status, r.content_type, r.body);
      },
      limits.max_call_seconds);
  if (bounded.outcome == BoundedCall::Outcome::timed_out)
    return error_reply(503, fmt::format("the call was {} of this planner (serve --max-call-seconds "
                                        "{}): ask for fewer simulated requests or rows",
                                        bounded.why, limits.max_call_seconds));
  const auto status_end = bounded.output.find('\n');
  const auto type_end = status_end == std::string::npos ? std::string::npos
                                                        : bounded.output.find('\n', status_end + 1);
  if (bounded.outcome != BoundedCall::Outcome::done || type_end == std::string::npos)
    return error_reply(500, "the call " + (bounded.why.empty() ? "answered garbled" : bounded.why));
  return {std::stoi(bounded.output.substr(0, status_end)),
          bounded.output.substr(status_end + 1, type_end - status_end - 1),
          bounded.output.substr(type_end + 1)};
}

}  // namespace fleetsizer::cli
