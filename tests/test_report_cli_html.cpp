// The CLI's own HTML output: `--html FILE` on evaluate / explore and `acceldse report`.
// (test_report_cli.cpp feeds the commands' JSON to the library; this checks the flags.)
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace acceldse::report {
namespace {

namespace fs = std::filesystem;

// Runs the acceldse binary with `args` (stdout discarded); returns its exit code.
int run(const std::string& args) {
  std::string cmd = std::string("'") + ACCELDSE_BINARY + "' " + args + " >/dev/null 2>&1";
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ReportCliHtml : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("acceldse_report_cli_html_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const {  // single-quoted for the shell
    std::string quoted(1, '\'');
    quoted.append((dir_ / name).string());
    quoted.push_back('\'');
    return quoted;
  }
  void expect_page(const std::string& name, const std::string& kind) const {
    ASSERT_TRUE(fs::is_regular_file(dir_ / name)) << name << " not written";
    std::string html = slurp(dir_ / name);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u) << name << " does not start with <!DOCTYPE html>";
    EXPECT_NE(html.find("data-kind=\"" + kind + "\""), std::string::npos) << name << " has no " << kind << " plot";
  }
  fs::path dir_;
};

TEST_F(ReportCliHtml, EvaluateWritesHtml) {
  ASSERT_EQ(run("evaluate --model alexnet --html " + path("evaluate.html")), 0);
  expect_page("evaluate.html", "layers");
}

TEST_F(ReportCliHtml, ExploreAndReportWriteHtml) {
  ASSERT_EQ(run("explore --model alexnet --space small --budget 50 --strategy random --threads 2 --html " +
                path("explore.html") + " --db " + path("store.sqlite")),
            0);
  expect_page("explore.html", "pareto");
  ASSERT_EQ(run("report --db " + path("store.sqlite") + " --out " + path("store.html")), 0);
  expect_page("store.html", "pareto");
}

TEST_F(ReportCliHtml, ReportWithoutStoreIsAnInputError) {
  EXPECT_EQ(run("report --db " + path("missing.sqlite") + " --out " + path("missing.html")), 2);
  EXPECT_FALSE(fs::exists(dir_ / "missing.html"));
}

}  // namespace
}  // namespace acceldse::report
