// End-to-end tests of `acceldse explore` / `acceldse results` through the real binary,
// including a run killed with SIGKILL and resumed from its result store.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli_run.h"
#include "dse/dse.h"

namespace acceldse::dse {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::acceldse::test::CliResult;
using ::acceldse::test::slurp;

fs::path temp_path(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("acceldse_cli_" + std::to_string(::getpid()) + "_" + name);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p;
}

CliResult run(const std::string& args) { return ::acceldse::test::run_acceldse(args, temp_path("run")); }

Json run_json(const std::string& args) {
  CliResult o = run(args + " --format json");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  return Json::parse(o.out);
}

fs::path write_space(const std::string& name, const std::string& yaml) {
  fs::path p = temp_path(name + ".yaml");
  std::ofstream(p) << yaml;
  return p;
}

const char* kSmallSpace = R"(
base: edge_32x32
parameters:
  rows: [8, 16, 32]
  cols: [8, 16, 32]
  weight_kib: [32, 128]
)";

TEST(DseCli, ExploreJsonHasTheDocumentedShape) {
  fs::path space = write_space("shape", kSmallSpace);
  Json j = run_json("explore --model alexnet --space " + space.string() + " --objective edp --threads 2");
  EXPECT_EQ(j["evaluated"], 18);
  for (const char* metric : {"latency_s", "cycles", "area_mm2", "energy_pj", "power_w", "throughput_per_s",
                             "utilization", "edp", "perf_per_area"}) {
    EXPECT_TRUE(j["best"]["metrics"].contains(metric)) << metric;
  }
  EXPECT_EQ(j["best"]["params"].size(), 3u);
  EXPECT_TRUE(j["best"]["params"]["rows"].is_number());
  ASSERT_TRUE(j["pareto"].is_array());
  EXPECT_FALSE(j["pareto"].empty());
  EXPECT_TRUE(j["pareto"][0].contains("params"));
  EXPECT_EQ(j["sensitivity"].size(), 3u);
  EXPECT_EQ(j["sensitivity"][0]["parameter"], "rows");
  EXPECT_EQ(j["sensitivity"][0]["points"].size(), 3u);
}

TEST(DseCli, CsvAndTableFormats) {
  fs::path space = write_space("formats", kSmallSpace);
  CliResult csv = run("explore --model alexnet --space " + space.string() + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("kind,parameter,rows,cols,weight_kib,latency_s", 0), 0u) << csv.out;
  EXPECT_NE(csv.out.find("\nbest,"), std::string::npos);
  CliResult table = run("explore --model alexnet --space " + space.string());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Best design:"), std::string::npos);
  EXPECT_TRUE(table.err.empty()) << "stderr is not a terminal, so no progress bar: " << table.err;
}

TEST(DseCli, BadInputsExitWithCode2AndNameTheProblem) {
  fs::path unknown = write_space("unknown", "parameters:\n  rowz: [8, 16]\n");
  CliResult o = run("explore --model alexnet --space " + unknown.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find(unknown.string()), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("rowz"), std::string::npos) << o.err;

  fs::path malformed = write_space("malformed", "parameters:\n  rows: [8, 16\n");
  o = run("explore --model alexnet --space " + malformed.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("malformed.yaml"), std::string::npos) << o.err;

  fs::path empty = write_space("empty", "parameters:\n  rows: {min: 64, max: 8, step: 8}\n");
  o = run("explore --model alexnet --space " + empty.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("parameters.rows"), std::string::npos) << o.err;

  fs::path space = write_space("infeasible", kSmallSpace);
  o = run("explore --model alexnet --space " + space.string() + " --area-max 0.000001");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("area_mm2 <= 1e-06"), std::string::npos) << o.err;

  EXPECT_EQ(run("explore --model alexnet --space " + space.string() + " --budget soon").exit_code, 2);
  EXPECT_EQ(run("explore --model alexnet --space " + space.string() + " --strategy magic").exit_code, 2);
  EXPECT_EQ(run("explore --model alexnet --space " + space.string() + " --resume").exit_code, 2);
}

TEST(DseCli, ResultsQueriesTheStore) {
  fs::path space = write_space("results", kSmallSpace);
  fs::path db = temp_path("results.db");
  ASSERT_EQ(run("explore --model alexnet --space " + space.string() + " --db " + db.string()).exit_code, 0);
  Json top = run_json("results --db " + db.string() + " --top 3");
  EXPECT_EQ(top["matched"], 18);
  ASSERT_EQ(top["designs"].size(), 3u);
  EXPECT_LE(top["designs"][0]["metrics"]["latency_s"].get<double>(),
            top["designs"][1]["metrics"]["latency_s"].get<double>());
  Json where = run_json("results --db " + db.string() + " --top 100 --where 'rows >= 16 and cols < 32'");
  EXPECT_EQ(where["matched"], 8);
  for (const Json& d : where["designs"]) EXPECT_GE(d["params"]["rows"].get<int>(), 16);
  Json pareto = run_json("results --db " + db.string() + " --pareto");
  for (const Json& a : pareto["designs"]) {
    for (const Json& b : pareto["designs"]) {
      std::array<double, 3> va{a["metrics"]["latency_s"], a["metrics"]["area_mm2"], a["metrics"]["energy_pj"]};
      std::array<double, 3> vb{b["metrics"]["latency_s"], b["metrics"]["area_mm2"], b["metrics"]["energy_pj"]};
      EXPECT_FALSE(dominates(vb, va));
    }
  }
  EXPECT_EQ(run("results --db " + db.string() + " --where 'speed > 1'").exit_code, 2);
}

// The real thing: SIGKILL a run writing to a store, resume it, and compare with a run
// that was never interrupted.
TEST(DseCli, KilledRunResumesToTheSameAnswer) {
  fs::path db = temp_path("kill.db");
  std::string args = "explore --model resnet50 --strategy grid --threads 1";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(ACCELDSE_BINARY, ACCELDSE_BINARY, "explore", "--model", "resnet50", "--strategy", "grid", "--threads", "1",
          "--format", "json", "--db", db.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  uint64_t stored_at_kill = 0;
  bool exited = false;
  for (int i = 0; i < 3000 && !exited; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (fs::exists(db)) {
      try {
        ResultStore store(db);
        stored_at_kill = store.count();
      } catch (const std::exception&) {  // the writer may be creating the schema
      }
    }
    if (stored_at_kill > 0) break;
    exited = waitpid(pid, nullptr, WNOHANG) == pid;
  }
  ASSERT_FALSE(exited) << "the run finished before it could be killed";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_GT(stored_at_kill, 0u);

  Json resumed = run_json(args + " --db " + db.string() + " --resume");
  Json fresh = run_json(args);
  EXPECT_GE(resumed["run"]["from_store"].get<uint64_t>(), stored_at_kill);
  EXPECT_LT(resumed["run"]["computed"].get<uint64_t>(), resumed["evaluated"].get<uint64_t>());
  resumed.erase("run");
  fresh.erase("run");
  EXPECT_EQ(resumed, fresh);
}

}  // namespace
}  // namespace acceldse::dse
