// The reports fed with what the real CLI prints, so a renamed key in `evaluate` /
// `explore` / `results` JSON shows up here as a missing plot rather than in a user's
// browser. A command that fails fails the test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli_run.h"
#include "report/report.h"
#include "test_report_util.h"

namespace acceldse::report {
namespace {

namespace fs = std::filesystem;
using namespace testing;
using nlohmann::json;

// Runs the acceldse binary with `args`; returns its stdout parsed. A command that fails
// or prints something other than JSON fails the test (with its stderr) and gives null.
json run_cli(const std::string& args) {
  const fs::path scratch = fs::temp_directory_path() / ("acceldse_report_cli_run_" + std::to_string(::getpid()));
  const acceldse::test::CliResult r = acceldse::test::run_acceldse(args, scratch);
  fs::remove(scratch.string() + ".stdout");
  fs::remove(scratch.string() + ".stderr");
  if (r.exit_code != 0) {
    ADD_FAILURE() << "`acceldse " << args << "` exited with " << r.exit_code << ":\n" << r.err;
    return nullptr;
  }
  json doc = json::parse(r.out, nullptr, false);
  if (doc.is_discarded()) ADD_FAILURE() << "`acceldse " << args << "` printed no JSON:\n" << r.out;
  return doc.is_discarded() ? json(nullptr) : doc;
}

TEST(ReportCli, EvaluateJsonFillsEveryPlot) {
  json doc = run_cli("evaluate --arch edge_32x32 --model resnet50 --format json");
  ASSERT_FALSE(doc.is_null());
  std::string html = evaluation_html(doc);
  for (const char* kind : {"layers", "utilization", "roofline", "breakdown"}) {
    EXPECT_EQ(plots(html, kind).size(), 1u) << kind << " plot missing: has the evaluate JSON changed?";
  }
  size_t util = 0, roof = 0;
  for (const json& l : doc["layers"]) {
    util += l.value("utilization", 0.0) != 0;
    roof += l.value("macs", 0) > 0 && l.value("dram_bytes", 0) > 0 && l.value("cycles", 0) > 0;
  }
  EXPECT_EQ(bars(plots(html, "utilization").at(0)), util);
  EXPECT_EQ(points(plots(html, "roofline").at(0)), roof);
  EXPECT_GT(roof, 10u);
}

TEST(ReportCli, ExploreAndResultsJsonFillEveryPlot) {
  fs::path db = fs::temp_directory_path() / ("acceldse_report_cli_" + std::to_string(::getpid()) + ".sqlite");
  fs::remove(db);
  json doc = run_cli("explore --model resnet50 --space small --threads 2 --format json --db '" + db.string() + "'");
  ASSERT_FALSE(doc.is_null());
  std::string html = exploration_html(doc);
  auto pareto = plots(html, "pareto");
  ASSERT_EQ(pareto.size(), 1u) << "has the explore JSON changed?";
  EXPECT_EQ(points_with(pareto[0], "pareto"), doc["pareto"].size());
  EXPECT_EQ(points_with(pareto[0], "best"), 1u);
  EXPECT_EQ(plots(html, "sensitivity").size(), doc["sensitivity"].size());
  EXPECT_EQ(plots(html, "breakdown").size(), 1u);

  json results = run_cli("results --db '" + db.string() + "' --top 1000000 --format json");
  fs::remove(db);
  ASSERT_FALSE(results.is_null());
  std::string store = store_html(results);
  auto all = plots(store, "pareto");
  ASSERT_EQ(all.size(), 1u) << "has the results JSON changed?";
  EXPECT_EQ(points(all[0]) - points_with(all[0], "pareto"), results["designs"].size());
}

TEST(ReportCli, SuiteAndFitJsonFillEveryPlot) {
  json suite = run_cli("suite --models resnet50,mobilenet_v2 --space small --threads 2 --format json");
  ASSERT_FALSE(suite.is_null());
  std::string html = suite_html(suite);
  ASSERT_EQ(plots(html, "heatmap").size(), 1u) << "has the suite JSON changed?";
  EXPECT_EQ(cells(plots(html, "heatmap")[0]), suite["cross_matrix"].size() * suite["networks"].size());
  EXPECT_EQ(plots(html, "improvement").size(), 1u);

  json fit = run_cli("fit-model --arch edge_32x32 --model resnet50 --format json");
  ASSERT_FALSE(fit.is_null());
  std::string page = fit_html(fit);
  ASSERT_EQ(plots(page, "utilization").size(), 1u) << "has the fit-model JSON changed?";
  size_t bars_expected = 0;
  for (const char* key : {"layers_before", "layers_after"}) {
    for (const json& l : fit[key]) bars_expected += l.value("utilization", 0.0) != 0;
  }
  EXPECT_EQ(bars(plots(page, "utilization")[0]), bars_expected);
}

}  // namespace
}  // namespace acceldse::report
