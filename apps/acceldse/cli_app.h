#pragma once
// The whole command line as a library call, so that the `acceldse` program and the
// Python module (python/) run exactly the same parsing, validation and commands.
#include <stdexcept>
#include <string>
#include <vector>

namespace acceldse::cli {

// Options that do not parse (unknown command or option, a missing or malformed value).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `args` (without the program name) and runs the chosen subcommand, which writes
// its answer to std::cout; --help and --version print and return. Throws UsageError for
// options that do not parse, InputError for bad input; anything else is a bug.
void run_command_line(const std::vector<std::string>& args);

}  // namespace acceldse::cli
