#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "cli/command.h"
#include "cli/planner.h"
#include "http/planner_server.h"

namespace fleetsizer::cli {

void setup_serve(CLI::App& app, Invocation& inv) {
  struct Flags {
    http::PlannerServerOptions server;
    double max_upload_mb = 8;
    // A shared planner answers one call at a time: no call may hold it for long.
    double max_call_seconds = 120;
    std::string port_file;
  };
  auto f = std::make_shared<Flags>();
  app.add_option("--port", f->server.port, "TCP port (0: any free port)")->capture_default_str();
  app.add_option("--host", f->server.host,
                 "Address to listen on (default 127.0.0.1: this machine only)");
  app.add_option("--port-file", f->port_file, "Write the port actually bound to this file");
  app.add_option("--max-upload-mb", f->max_upload_mb,
                 "Largest uploaded trace or measurement file, MB (default 8; larger: HTTP 413)");
  app.add_option("--max-call-seconds", f->max_call_seconds,
                 "Longest a call may run (default 120; longer: HTTP 503). Each call runs in a "
                 "child process, so one that crashes answers 500 and the planner goes on; 0: in "
                 "the planner's own process, unbounded");
  app.add_option("--max-seconds", f->server.max_seconds,
                 "Stop after this many seconds (0: until interrupted)");
  inv.run = [f]() -> Result<report::Report> {
    if (!(f->max_upload_mb > 0 && f->max_upload_mb <= 1024))
      return fail(fmt::format("--max-upload-mb must be in (0, 1024], got {}", f->max_upload_mb));
    if (!(f->server.max_seconds >= 0)) return fail("--max-seconds must be a non-negative number");
    if (!(f->max_call_seconds >= 0 && f->max_call_seconds <= 86400))
      return fail(
          fmt::format("--max-call-seconds must be in [0, 86400], got {}", f->max_call_seconds));
    http::PlannerServerOptions o = f->server;
    PlannerLimits limits;
    limits.max_upload_bytes = static_cast<std::uint64_t>(f->max_upload_mb * 1e6);
    limits.max_call_seconds = f->max_call_seconds;
    // JSON escaping can double an upload's bytes; the body cap leaves room for that and the
    // scenario keys, and a file over the upload cap is refused by name (413) below it.
    o.max_body_bytes = 2 * limits.max_upload_bytes + (1u << 20);
    const bool loopback = o.host == "127.0.0.1" || o.host == "::1" || o.host == "localhost";
    if (o.host == "localhost") o.host = "127.0.0.1";
    const std::string port_file = f->port_file;
    unsigned short bound = 0;
    o.on_listening = [&](unsigned short port) {
      bound = port;
      if (!loopback)
        std::fprintf(stderr,
                     "fleetsizer serve: warning: listening on %s, reachable from other machines; "
                     "the planner has no authentication\n",
                     o.host.c_str());
      std::fprintf(
          stderr, "fleetsizer serve: the planner is at http://%s:%u/\n",
          o.host.find(':') != std::string::npos ? ("[" + o.host + "]").c_str() : o.host.c_str(),
          port);
      if (!port_file.empty()) {
        std::ofstream(port_file + ".tmp") << port << "\n";
        std::rename((port_file + ".tmp").c_str(), port_file.c_str());
      }
    };
    auto served = http::run_planner_server(
        o, [limits](const std::string& method, const std::string& target, const std::string& body) {
          return planner_answer(method, target, body, limits);
        });
    if (!served) return fail(served.error().message);
    report::Report rep;
    rep.headline = fmt::format("The planner on port {} stopped", bound);
    rep.add("port", report::integer(bound));
    return rep;
  };
}

}  // namespace fleetsizer::cli
