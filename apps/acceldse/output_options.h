#pragma once
// The --format option, one definition for every command: the value is checked while the
// command line is parsed, before any work.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace acceldse::cli {

// `formats`: what the command prints, the first being the default.
CLI::Option* add_format_option(CLI::App* cmd, std::string& format,
                               const std::vector<std::string>& formats = {"table", "csv", "json"});

}  // namespace acceldse::cli
