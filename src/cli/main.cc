// fleetsizer: sizes and prices LLM serving fleets. This file only wires the subcommand table to
// the common flags (--format, -o, --explain) and turns a Result into output or a one-line error.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/command.h"
#include "io/output.h"

namespace fleetsizer::cli {
extern const std::string_view kEmbeddedChartJs;  // generated at build time (CMakeLists.txt)
}

int main(int argc, char** argv) {
  using namespace fleetsizer;
  CLI::App app{
      "fleetsizer: how many GPUs, of which kind, configured how, does this LLM traffic need, and "
      "what will it cost?"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "fleetsizer 0.1.0");
  std::string format = "table";
  std::string output;
  report::RenderOptions render_options;
  render_options.chart_library_js = cli::kEmbeddedChartJs;
  bool no_header = false;
  std::vector<cli::Invocation> invocations(cli::commands().size());
  for (std::size_t i = 0; i < cli::commands().size(); ++i) {
    const auto& spec = cli::commands()[i];
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    sub->add_option("--format", format,
                    "Output format: table, json, csv, markdown, html (a self-contained report "
                    "with charts; use with -o)")
        ->check(CLI::IsMember({"table", "json", "csv", "markdown", "md", "html"}));
    sub->add_option("-o,--output", output,
                    "Write the output to FILE (atomically) instead of stdout");
    sub->add_flag("--explain", render_options.explain, "Show the formula terms behind each number");
    sub->add_flag("--verbose", render_options.verbose,
                  "Table format: show the detail fields and tables too");
    sub->add_flag("--no-header", no_header,
                  "CSV: leave the header row out, to append this run to an earlier run's CSV");
    spec.setup(*sub, invocations[i]);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "fleetsizer: error: " << e.what() << "\n";
    return 2;
  }
  for (std::size_t i = 0; i < cli::commands().size(); ++i) {
    if (!app.got_subcommand(cli::commands()[i].name)) continue;
    try {
      auto rep = invocations[i].run();
      if (!rep) {
        std::cerr << "fleetsizer " << cli::commands()[i].name << ": error: " << rep.error().message
                  << "\n";
        return 1;
      }
      auto fmt_kind = report::parse_format(format);
      render_options.csv_header = !no_header;
      const std::string text = report::render(*rep, *fmt_kind, render_options);
      if (output.empty()) {
        // A closed pipe or a full disk on stdout is an error, not a silent truncation.
        const bool written = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
        if (std::fflush(stdout) != 0 || !written || std::ferror(stdout)) {
          std::cerr << "fleetsizer: error: cannot write to standard output: "
                    << std::strerror(errno) << "\n";
          return 1;
        }
        return 0;
      }
      if (auto w = io::write_file_atomically(output, text); !w) {
        std::cerr << "fleetsizer: error: " << w.error().message << "\n";
        return 1;
      }
      return 0;
    } catch (const std::exception& e) {
      // A bug, not bad input: still one line and a non-zero exit, never a crash.
      std::cerr << "fleetsizer " << cli::commands()[i].name << ": internal error: " << e.what()
                << "\n";
      return 3;
    }
  }
  return 2;
}
