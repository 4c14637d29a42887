#pragma once
// Runs the acceldse binary as a user does, for the command-line tests.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace acceldse::test {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `acceldse ARGS` with no input, its stdout and stderr kept in `scratch`.stdout/.stderr;
// `env` goes before the command (e.g. "X=1").
inline CliResult run_acceldse(const std::string& args, const std::filesystem::path& scratch,
                              const std::string& env = "") {
  const std::string out = scratch.string() + ".stdout", err = scratch.string() + ".stderr";
  const std::string command =
      env + " '" ACCELDSE_BINARY "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null";
  const int status = std::system(command.c_str());
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

}  // namespace acceldse::test
