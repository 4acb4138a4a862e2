#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "cli/command.h"
#include "fleetsizer/api/emulate.h"
#include "http/emulator.h"

namespace fleetsizer::cli {

void setup_emulate(CLI::App& app, Invocation& inv) {
  struct Flags {
    ScenarioFlags scenario{
        {io::KeyGroup::replica, io::KeyGroup::profile, io::KeyGroup::prefix_cache}};
    http::EmulatorOptions server;
    std::string mode = "model";
    std::string port_file;
  };
  auto f = std::make_shared<Flags>();
  f->scenario.add_to(app);
  app.add_option("--port", f->server.port, "TCP port (0: any free port)");
  app.add_option("--host", f->server.host, "Address to listen on (default 127.0.0.1)");
  app.add_option("--port-file", f->port_file, "Write the port actually bound to this file");
  app.add_option("--mode", f->mode,
                 "model: the modeled replica (default); fixed: set --ttft-ms/--tpot-ms per request")
      ->check(CLI::IsMember({"model", "fixed"}));
  app.add_option("--ttft-ms", f->server.ttft_ms, "Fixed mode: time to first token");
  app.add_option("--tpot-ms", f->server.tpot_ms, "Fixed mode: time per output token");
  app.add_option("--max-concurrency", f->server.max_concurrency,
                 "Fixed mode: requests running at once (0: unlimited)");
  app.add_option("--served-model-name", f->server.model_name, "Model name reported by /v1/models");
  app.add_option("--error-rate", f->server.error_rate,
                 "Fault: fraction of requests answered with HTTP 500");
  app.add_option("--disconnect-rate", f->server.disconnect_rate,
                 "Fault: fraction of streams cut halfway");
  app.add_option("--stall-rate", f->server.stall_rate,
                 "Fault: fraction of streams that pause after the first token");
  app.add_option("--stall-ms", f->server.stall_ms, "Fault: length of a stall");
  app.add_option("--malformed-rate", f->server.malformed_rate,
                 "Fault: fraction of streams with one unparseable event");
  app.add_option("--slow-accept-ms", f->server.slow_accept_ms,
                 "Fault: delay before reading each new connection");
  app.add_option("--rate-limit-rate", f->server.rate_limit_rate,
                 "Fault: fraction of requests answered with HTTP 429");
  app.add_flag("--ignore-max-tokens", f->server.ignore_max_tokens,
               "Fault: generate twice the max_tokens asked for");
  app.add_option("--tls-cert", f->server.tls_cert_file,
                 "Serve https with this PEM certificate chain (with --tls-key)");
  app.add_option("--tls-key", f->server.tls_key_file, "PEM private key of --tls-cert");
  app.add_option("--api-key", f->server.api_key,
                 "Require 'Authorization: Bearer KEY' (HTTP 401 otherwise)");
  app.add_option("--seed", f->server.seed, "Seed of the fault injection");
  app.add_option("--max-seconds", f->server.max_seconds,
                 "Stop after this many seconds (0: until interrupted)");
  inv.run = [f]() -> Result<report::Report> {
    http::EmulatorOptions o = f->server;
    if (auto ok = api::check_faults(
            {o.error_rate, o.disconnect_rate, o.stall_rate, o.malformed_rate, o.rate_limit_rate});
        !ok)
      return fail(ok.error().message);
    if (!(o.ttft_ms >= 0) || !(o.tpot_ms >= 0) || !(o.stall_ms >= 0) || !(o.slow_accept_ms >= 0) ||
        o.max_concurrency < 0 || !(o.max_seconds >= 0))
      return fail("times, rates and --max-concurrency must be non-negative numbers");
    std::string what;
    if (f->mode == "model") {
      Catalog catalog = builtin_catalog();
      auto s = f->scenario.build(catalog);
      if (!s) return fail(s.error().message);
      auto replica = api::emulated_replica(*s);
      if (!replica) return fail(replica.error().message);
      o.model = replica->model;
      o.replica = replica->replica;
      o.max_model_len = replica->max_model_len;
      what = replica->description;
    } else {
      what = fmt::format("fixed TTFT {} ms, TPOT {} ms, max concurrency {}", o.ttft_ms, o.tpot_ms,
                         o.max_concurrency > 0 ? std::to_string(o.max_concurrency) : "unlimited");
    }
    const std::string port_file = f->port_file;
    unsigned short bound = 0;
    o.on_listening = [&](unsigned short port) {
      bound = port;
      std::fprintf(stderr, "fleetsizer emulate: listening on %s://%s:%u (%s)\n",
                   o.tls_cert_file.empty() ? "http" : "https", o.host.c_str(), port, what.c_str());
      if (!port_file.empty()) {
        std::ofstream(port_file + ".tmp") << port << "\n";
        std::rename((port_file + ".tmp").c_str(), port_file.c_str());
      }
    };
    if (auto r = http::run_emulator(o); !r) return fail(r.error().message);
    report::Report rep;
    rep.title = "Emulator stopped";
    rep.add("port", report::integer(bound));
    rep.add("replica", what);
    return rep;
  };
}

}  // namespace fleetsizer::cli
