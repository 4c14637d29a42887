#pragma once
// Runs the acceldse binary as a user does, for the command-line tests.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

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
  const std::string command = env + " '" ACCELDSE_BINARY "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null";
  const int status = std::system(command.c_str());
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

// A test that runs the binary in its own scratch directory (named after the process
// and the test, removed afterwards), where it can write input files.
class CliTest : public ::testing::Test {
 protected:
  explicit CliTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / (prefix_ + "_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  CliResult run(const std::string& args, const std::string& env = "") const {
    return run_acceldse(args, dir_ / "run", env);
  }

  std::filesystem::path dir_;

 private:
  std::string prefix_;
};

}  // namespace acceldse::test
