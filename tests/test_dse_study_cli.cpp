// `acceldse suite`, `corun` and `fit-model` through the real binary: the JSON
// interface, written files, and bad input exiting with code 2.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_run.h"
#include "test_dse_study_util.h"

namespace acceldse::dse {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::acceldse::test::CliResult;
using ::acceldse::test::slurp;
using namespace study_test;

// Removes this process's temporary files when the test program ends.
class TempCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::string prefix = "acceldse_study_" + std::to_string(::getpid()) + "_";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
      if (entry.path().filename().string().starts_with(prefix)) fs::remove(entry.path(), ec);
    }
  }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new TempCleanup);

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("acceldse_study_" + std::to_string(::getpid()) + "_" + name);
}

CliResult run(const std::string& args) { return ::acceldse::test::run_acceldse(args, temp_path("run")); }

Json run_json(const std::string& args) {
  CliResult o = run(args + " --format json");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  return o.exit_code == 0 ? Json::parse(o.out) : Json();
}

fs::path write_file(const std::string& name, const std::string& text) {
  fs::path p = temp_path(name);
  std::ofstream(p) << text;
  return p;
}

// Files the binary reads: the tall/wide networks and the shape space.
struct Files {
  fs::path tall = write_file("tall.yaml", workload::to_yaml(*study_test::tall()));
  fs::path wide = write_file("wide.yaml", workload::to_yaml(*study_test::wide()));
  fs::path space = write_file("space.yaml", kShapeSpace);
  std::string models() const { return tall.string() + "," + wide.string(); }
};

TEST(StudyCli, SuiteJsonHasTheDocumentedKeys) {
  Files f;
  Json j = run_json("suite --models " + f.models() + " --space " + f.space.string() + " --threads 2");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["networks"], (Json{"tall", "wide"}));
  for (const char* label : {"tall", "wide", "geomean"}) {
    ASSERT_TRUE(j["designs"].contains(label)) << label;
    EXPECT_TRUE(j["designs"][label]["params"].contains("rows"));
    EXPECT_GT(j["designs"][label]["area_mm2"].get<double>(), 0);
    ASSERT_TRUE(j["cross_matrix"].contains(label));
  }
  EXPECT_DOUBLE_EQ(j["cross_matrix"]["tall"]["tall"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["cross_matrix"]["wide"]["wide"].get<double>(), 1.0);
  // improvement_pct recomputed from the matrix.
  for (const char* n : {"tall", "wide"}) {
    double log_sum = 0;
    for (const char* m : {"tall", "wide"}) {
      log_sum += std::log(j["cross_matrix"]["geomean"][m].get<double>() / j["cross_matrix"][n][m].get<double>());
    }
    EXPECT_NEAR(j["improvement_pct"][n].get<double>(), (std::exp(log_sum / 2) - 1) * 100, 1e-9);
  }
}

// A power budget depends on the network run: a network's optimum may break it on
// another network. Such cells are null and left out of that optimum's improvement.
TEST(StudyCli, SuiteInfeasibleCellsAreNullAndLeftOut) {
  const Json j = run_json("suite --space " + std::string(ACCELDSE_SOURCE_DIR) +
                          "/spaces/small.yaml --models resnet50,bert_base,mobilenet_v2 --power-max 1");
  ASSERT_TRUE(j.contains("cross_matrix"));
  int nulls = 0;
  for (const auto& [label, row] : j["cross_matrix"].items()) {
    for (const auto& [net, v] : row.items()) {
      if (label == net) {
        EXPECT_DOUBLE_EQ(v.get<double>(), 1.0);
      }
      if (label == "geomean") {
        EXPECT_FALSE(v.is_null()) << net;  // the selected design runs them all
      }
      if (v.is_null()) {
        ++nulls;
        const Json& m = j["designs"][label]["metrics"][net];
        EXPECT_GT(m["energy_pj"].get<double>() * 1e-12 / m["latency_s"].get<double>(), 1.0) << label << " " << net;
      }
    }
  }
  EXPECT_GT(nulls, 0);
  for (const auto& [n, imp] : j["improvement_pct"].items()) {
    double log_sum = 0, count = 0;
    for (const auto& [m, v] : j["cross_matrix"][n].items()) {
      if (v.is_null()) continue;
      log_sum += std::log(j["cross_matrix"]["geomean"][m].get<double>() / v.get<double>());
      ++count;
    }
    EXPECT_NEAR(imp.get<double>(), (std::exp(log_sum / count) - 1) * 100, 1e-9) << n;
  }
}

TEST(StudyCli, SuiteTableAndCsvAndOut) {
  Files f;
  CliResult table = run("suite --models " + f.models() + " --space " + f.space.string());
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("(c) Selected design"), std::string::npos);
  fs::path csv = temp_path("suite.csv");
  CliResult o =
      run("suite --models " + f.models() + " --space " + f.space.string() + " --format csv --out " + csv.string());
  EXPECT_EQ(o.exit_code, 0) << o.err;
  std::string text = slurp(csv);
  EXPECT_EQ(text.rfind("design,tall,wide,geomean_relative,improvement_pct,area_mm2", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
}

TEST(StudyCli, SuiteBadInputExitsTwo) {
  Files f;
  std::string space = " --space " + f.space.string();
  CliResult unknown = run("suite --models " + f.tall.string() + ",no_such_net" + space);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown model 'no_such_net'"), std::string::npos) << unknown.err;
  CliResult weights = run("suite --models " + f.models() + space + " --weights 1,2,3");
  EXPECT_EQ(weights.exit_code, 2);
  EXPECT_NE(weights.err.find("3 weights for 2 networks"), std::string::npos) << weights.err;
  EXPECT_EQ(run("suite --models " + f.models() + space + " --objective pareto").exit_code, 2);
  EXPECT_EQ(run("suite --models " + f.models() + space + " --area-max -3").exit_code, 2);
  EXPECT_EQ(run("suite --models " + f.models() + space + " --format xml").exit_code, 2);
}

TEST(StudyCli, SuiteJsonSaysHowItSearchedAndWhatBoundIt) {
  Files f;
  Json j = run_json("suite --models " + f.models() + " --space " + f.space.string() + " --threads 2");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["objective"], "perf_per_area");  // the paper's study, whatever the space says
  EXPECT_EQ(j["technology"], "45nm");
  EXPECT_EQ(j["search"]["strategy"], "grid");
  EXPECT_EQ(j["search"]["proven"], true);
  EXPECT_EQ(j["search"]["designs_evaluated"], 4);
  ASSERT_EQ(j["constraint_report"].size(), 1u);
  EXPECT_EQ(j["constraint_report"][0]["constraint"], "pes <= 512");
  EXPECT_TRUE(j["constraint_report"][0].contains("verdict"));
  EXPECT_FALSE(j.contains("uncertainty"));
  // --technology moves every design to that node.
  Json at16 = run_json("suite --models " + f.models() + " --space " + f.space.string() + " --technology 16nm");
  EXPECT_EQ(at16["technology"], "16nm");
  EXPECT_LT(at16["designs"]["geomean"]["area_mm2"].get<double>(), j["designs"]["geomean"]["area_mm2"].get<double>());
}

TEST(StudyCli, SuiteUncertaintyZeroKeepsEveryAnswer) {
  Files f;
  Json j = run_json("suite --models " + f.models() + " --space " + f.space.string() + " --uncertainty 0 --samples 2");
  ASSERT_TRUE(j.contains("uncertainty"));
  const Json& u = j["uncertainty"];
  EXPECT_EQ(u["samples"], 2);
  EXPECT_EQ(u["selected_same"].get<double>(), 1.0);
  for (const char* n : {"tall", "wide"}) {
    EXPECT_EQ(u["optimum_same"][n].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(u["improvement_pct"][n]["min"].get<double>(), j["improvement_pct"][n].get<double>());
    EXPECT_DOUBLE_EQ(u["improvement_pct"][n]["max"].get<double>(), j["improvement_pct"][n].get<double>());
  }
  std::string space = " --space " + f.space.string();
  EXPECT_EQ(run("suite --models " + f.models() + space + " --uncertainty 150").exit_code, 2);
  EXPECT_EQ(run("suite --models " + f.models() + space + " --uncertainty 10 --samples 0").exit_code, 2);
}

// The saved design is the chosen one: evaluating it reproduces the study's figures.
TEST(StudyCli, SaveDesignRoundTrips) {
  Files f;
  fs::path saved = temp_path("suite_best.yaml");
  Json j =
      run_json("suite --models " + f.models() + " --space " + f.space.string() + " --save-design " + saved.string());
  ASSERT_TRUE(fs::exists(saved));
  EXPECT_NE(slurp(saved).find("suite-best-shape-test"), std::string::npos) << slurp(saved);
  Json e = run_json("evaluate --arch " + saved.string() + " --model " + f.tall.string());
  ASSERT_TRUE(e.is_object());
  EXPECT_DOUBLE_EQ(e["totals"]["latency_s"].get<double>(),
                   j["designs"]["geomean"]["metrics"]["tall"]["latency_s"].get<double>());
  EXPECT_DOUBLE_EQ(e["totals"]["area_mm2"].get<double>(), j["designs"]["geomean"]["area_mm2"].get<double>());
  // evaluate, explore and corun save theirs too.
  fs::path copy = temp_path("copy.yaml");
  CliResult ev =
      run("evaluate --arch " + saved.string() + " --model " + f.tall.string() + " --save-design " + copy.string());
  EXPECT_EQ(ev.exit_code, 0) << ev.err;
  EXPECT_NE(slurp(copy).find("suite-best-shape-test-copy"), std::string::npos);
  fs::path explored = temp_path("explore_best.yaml");
  Json x = run_json("explore --model " + f.tall.string() + " --space " + f.space.string() +
                    " --objective perf_per_area " + "--no-sensitivity --save-design " + explored.string());
  Json ex = run_json("evaluate --arch " + explored.string() + " --model " + f.tall.string());
  ASSERT_TRUE(x.is_object() && ex.is_object());
  EXPECT_DOUBLE_EQ(ex["totals"]["latency_s"].get<double>(), x["best"]["metrics"]["latency_s"].get<double>());
  EXPECT_NE(slurp(explored).find("explore-best-tall-shape-test"), std::string::npos);
  fs::path corun = temp_path("corun_best.yaml");
  CliResult co = run("corun --models " + f.tall.string() + ":1," + f.wide.string() + ":1 --space " + f.space.string() +
                     " --mode time --save-design " + corun.string());
  EXPECT_EQ(co.exit_code, 0) << co.err;
  EXPECT_EQ(run("evaluate --arch " + corun.string() + " --model " + f.wide.string()).exit_code, 0);
  EXPECT_EQ(run("suite --models " + f.models() + " --space " + f.space.string() + " --save-design /no/such/dir/x.yaml")
                .exit_code,
            2);
}

TEST(StudyCli, ExploreUncertaintyJson) {
  Files f;
  Json j = run_json("explore --model " + f.tall.string() + " --space " + f.space.string() +
                    " --objective perf_per_area --no-sensitivity --uncertainty 0 --samples 2");
  ASSERT_TRUE(j.contains("uncertainty"));
  EXPECT_EQ(j["uncertainty"]["best_same"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["uncertainty"]["objective"]["min"].get<double>(), j["best"]["objective"].get<double>());
}

TEST(StudyCli, CorunJsonAndErrors) {
  Files f;
  std::string models = f.tall.string() + ":1," + f.wide.string() + ":2";
  Json j = run_json("corun --models " + models + " --space " + f.space.string() + " --mode both");
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j["mode"] == "spatial" || j["mode"] == "time");
  EXPECT_TRUE(j["design"]["params"].contains("rows"));
  ASSERT_EQ(j["networks"].size(), 2u);
  for (const Json& n : j["networks"]) {
    for (const char* key : {"name", "target", "throughput_per_s", "latency_s", "share"})
      EXPECT_TRUE(n.contains(key)) << key;
    for (const char* key : {"pes", "buffer_kib", "dram_gb_per_s", "time"}) EXPECT_TRUE(n["share"].contains(key)) << key;
  }
  EXPECT_EQ(j["alternatives"].size(), 2u);
  CliResult unreachable = run("corun --models " + f.tall.string() + ":1e12/s --space " + f.space.string());
  EXPECT_EQ(unreachable.exit_code, 2);
  EXPECT_NE(unreachable.err.find("throughput target"), std::string::npos) << unreachable.err;
  EXPECT_EQ(run("corun --models " + f.tall.string() + ":fast --space " + f.space.string()).exit_code, 2);
  EXPECT_EQ(run("corun --models " + models + " --space " + f.space.string() + " --mode sometimes").exit_code, 2);
}

TEST(StudyCli, FitModelWritesYamlThatEvaluateReproduces) {
  fs::path model = write_file("odd.yaml", R"yaml(
name: odd
inputs:
  - {name: x, shape: [1, 256, 28, 28]}
layers:
  - {name: a, op: conv, out_channels: 65, kernel: 3, pad: 1}
  - {name: ra, op: relu}
  - {name: head, op: conv, out_channels: 10, kernel: 1}
)yaml");
  fs::path arch = write_file("arch64.yaml", R"yaml(
name: square64
tensor_unit: {rows: 64, cols: 64, dataflow: ws}
buffers: {input_kib: 1024, weight_kib: 1024, output_kib: 1024}
dram: {bandwidth_gb_per_s: 1024}
)yaml");
  fs::path out = temp_path("odd_fit.yaml");
  Json fit = run_json("fit-model --arch " + arch.string() + " --model " + model.string() + " --out " + out.string());
  ASSERT_TRUE(fit.is_object());
  ASSERT_EQ(fit["changes"].size(), 1u);
  EXPECT_EQ(fit["changes"][0]["layer"], "a");
  EXPECT_EQ(fit["changes"][0]["new"], 64);
  double speedup = fit["speedup"].get<double>();
  EXPECT_GT(speedup, 1.0);
  ASSERT_TRUE(fs::exists(out));
  Json before = run_json("evaluate --arch " + arch.string() + " --model " + model.string());
  Json after = run_json("evaluate --arch " + arch.string() + " --model " + out.string());
  ASSERT_TRUE(before.contains("totals") && after.contains("totals"));
  double measured = before["totals"]["cycles"].get<double>() / after["totals"]["cycles"].get<double>();
  EXPECT_NEAR(measured, speedup, speedup * 0.01);
}

TEST(StudyCli, FitModelWritesOnnxForAnOnnxInput) {
  fs::path arch = write_file("arch64_onnx.yaml", R"yaml(
name: square64
tensor_unit: {rows: 64, cols: 64, dataflow: ws}
buffers: {input_kib: 1024, weight_kib: 1024, output_kib: 1024}
dram: {bandwidth_gb_per_s: 1024}
)yaml");
  const std::string model = std::string(ACCELDSE_SOURCE_DIR) + "/tests/data/fit_residual.onnx";
  fs::path out = temp_path("residual_fit.onnx");
  Json fit = run_json("fit-model --arch " + arch.string() + " --model " + model + " --out " + out.string());
  ASSERT_TRUE(fit.is_object());
  EXPECT_FALSE(fit["changes"].empty());
  EXPECT_EQ(fit["output"], out.string());
  ASSERT_TRUE(fs::exists(out));
  Json after = run_json("evaluate --arch " + arch.string() + " --model " + out.string());
  ASSERT_TRUE(after.contains("totals"));
  const double predicted = fit["cycles_after"].get<double>();
  EXPECT_NEAR(after["totals"]["cycles"].get<double>(), predicted, predicted * 0.01);
  Json shown = run_json("model show " + out.string());
  ASSERT_TRUE(shown.contains("totals"));
  EXPECT_EQ(shown["totals"]["params"], fit["params_after"]);
  EXPECT_EQ(shown["totals"]["macs"], fit["macs_after"]);
}

TEST(StudyCli, FitModelBadInputExitsTwo) {
  CliResult tolerance = run("fit-model --arch edge_32x32 --model alexnet --tolerance 150");
  EXPECT_EQ(tolerance.exit_code, 2);
  EXPECT_NE(tolerance.err.find("between 0 and 100"), std::string::npos) << tolerance.err;
  EXPECT_EQ(run("fit-model --arch edge_32x32 --model alexnet --tolerance -1").exit_code, 2);
  EXPECT_EQ(run("fit-model --arch edge_32x32 --model no_such_net").exit_code, 2);
  EXPECT_EQ(run("fit-model --model alexnet").exit_code, 2);  // no design to fit to
  // ONNX output needs an ONNX input; refused before the search.
  CliResult onnx_out = run("fit-model --arch edge_32x32 --model alexnet --out " + temp_path("x.onnx").string());
  EXPECT_EQ(onnx_out.exit_code, 2);
  EXPECT_NE(onnx_out.err.find("only for an ONNX input"), std::string::npos) << onnx_out.err;
  EXPECT_FALSE(fs::exists(temp_path("x.onnx")));
  EXPECT_EQ(run("fit-model --arch edge_32x32 --model alexnet --out " + temp_path("x.txt").string()).exit_code, 2);
}

TEST(StudyCli, SuggestArrayJson) {
  Files f;
  Json j = run_json("fit-model --suggest-array --models " + f.models() + " --pes 512 --exact --top 3");
  ASSERT_TRUE(j.is_object());
  ASSERT_EQ(j["candidates"].size(), 3u);
  for (const Json& c : j["candidates"]) EXPECT_EQ(c["pes"], 512);
  EXPECT_EQ(run("fit-model --suggest-array --models " + f.models() + " --pes 4").exit_code, 2);
}

}  // namespace
}  // namespace acceldse::dse
