// Unit tests of the HTML reports: element counts per plot, self-containment,
// escaping, robustness to missing keys, size of a 10,000-design page.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "common/error.h"
#include "report/report.h"
#include "test_report_fixtures.h"
#include "test_report_util.h"

namespace acceldse::report {
namespace {

using namespace testing;
using nlohmann::json;

bool nonzero(const json& v) { return v.is_number() && v.get<double>() != 0; }

TEST(ReportEvaluation, OnePlotOfEachKindWithOneElementPerValue) {
  json doc = evaluation_doc();
  std::string html = evaluation_html(doc);
  size_t segments = 0, util_bars = 0, roof_points = 0;
  for (const json& l : doc["layers"]) {
    for (const char* k : {"compute_cycles", "stall_cycles", "vector_cycles"}) segments += nonzero(l[k]);
    util_bars += nonzero(l["utilization"]);
    roof_points += nonzero(l["macs"]) && nonzero(l["dram_bytes"]) && nonzero(l["cycles"]);
  }
  ASSERT_EQ(plots(html, "layers").size(), 1u);
  ASSERT_EQ(plots(html, "utilization").size(), 1u);
  ASSERT_EQ(plots(html, "roofline").size(), 1u);
  ASSERT_EQ(plots(html, "breakdown").size(), 1u);
  EXPECT_EQ(bars(plots(html, "layers")[0]), segments);
  EXPECT_EQ(bars(plots(html, "utilization")[0]), util_bars);
  EXPECT_EQ(points(plots(html, "roofline")[0]), roof_points);
  EXPECT_GT(roof_points, 40u);
  // 8 energy components + 7 area components.
  EXPECT_EQ(bars(plots(html, "breakdown")[0]), 15u);
  EXPECT_NE(html.find("resnet50"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"summary\">"), std::string::npos);
  EXPECT_NE(html.find("fused into its producer"), std::string::npos);
}

TEST(ReportEvaluation, RooflineCarriesPeakAndBandwidth) {
  std::string html = evaluation_html(evaluation_doc(32, 32));
  std::string_view roof = plots(html, "roofline").at(0);
  EXPECT_NE(roof.find("data-peak=\"1.02e12\""), std::string::npos) << roof.substr(0, 300);  // 1024 MAC/cycle at 1 GHz
  EXPECT_NE(roof.find("data-bw=\"2.56e10\""), std::string::npos);
  EXPECT_NE(roof.find("MACs per DRAM byte"), std::string::npos);
  EXPECT_NE(roof.find("class=\"roof\""), std::string::npos);
}

TEST(ReportEvaluation, RooflineFallsBackToArrayShapeAndLatency) {
  json doc = evaluation_doc();
  doc.erase("arch_params");
  doc["arch"] = {{"name", "toy"}, {"tensor", {{"rows", 64}, {"cols", 64}}}, {"dram", {{"bandwidth_gb_per_s", 25.6}}}};
  std::string html = evaluation_html(doc);
  ASSERT_EQ(plots(html, "roofline").size(), 1u);
  EXPECT_NE(plots(html, "roofline")[0].find("data-peak=\"4.1e12\""), std::string::npos);
}

TEST(ReportExploration, PointsParetoAndBestAreCounted) {
  json doc = exploration_doc(300);
  std::string html = exploration_html(doc);
  auto pareto = plots(html, "pareto");
  ASSERT_EQ(pareto.size(), 1u);
  size_t n_front = doc["pareto"].size();
  EXPECT_EQ(points(pareto[0]), 300 + n_front + 1);
  EXPECT_EQ(points_with(pareto[0], "pareto"), n_front);
  EXPECT_EQ(points_with(pareto[0], "best"), 1u);
  EXPECT_NE(pareto[0].find("area (mm²)"), std::string::npos);
  EXPECT_NE(pareto[0].find("latency (ms)"), std::string::npos);
  EXPECT_NE(pareto[0].find("log"), std::string::npos);  // area spans more than a decade
  // Hover text names the parameters.
  EXPECT_NE(pareto[0].find(" rows="), std::string::npos);
  EXPECT_NE(pareto[0].find("dataflow="), std::string::npos);
  auto sens = plots(html, "sensitivity");
  ASSERT_EQ(sens.size(), doc["sensitivity"].size());
  size_t samples = 0;
  for (auto s : sens) samples += points(s);
  EXPECT_EQ(samples, 6u + 6u + 6u + 3u);
  EXPECT_NE(html.find("data-param=\"dataflow\""), std::string::npos);
  EXPECT_EQ(plots(html, "breakdown").size(), 1u);  // of the selected design
  EXPECT_NE(html.find("area_mm2 &lt;= 20"), std::string::npos);
  EXPECT_NE(html.find("toy-space"), std::string::npos);
}

TEST(ReportExploration, SensitivityAsAnObjectOfLists) {
  json doc = exploration_doc(20);
  doc["sensitivity"] = {{"rows", {{{"value", 8}, {"objective", 2e-3}}, {{"value", 16}, {"objective", 1e-3}}}},
                        {"dataflow", json::array({json::array({"ws", 1e-3}), json::array({"os", 1.1e-3})})}};
  std::string html = exploration_html(doc);
  auto sens = plots(html, "sensitivity");
  ASSERT_EQ(sens.size(), 2u);
  EXPECT_EQ(points(sens[0]) + points(sens[1]), 4u);
}

TEST(ReportExploration, EmptyFrontLeavesTheEnergyColoursOnTheCloud) {
  json doc = exploration_doc(100, true, false);
  doc["pareto"] = json::array();
  std::string html = exploration_html(doc);
  EXPECT_EQ(occurrences(plots(html, "pareto").at(0), "r=\"2.5\" fill=\"#"), 100u);
}

TEST(ReportStore, ResultsDocumentWithDesigns) {
  json ex = exploration_doc(200, true, false);
  json doc = {{"db", "r.sqlite"}, {"matched", 200}, {"designs", ex["points"]}};
  std::string html = store_html(doc);
  auto pareto = plots(html, "pareto").at(0);
  EXPECT_EQ(points(pareto), 200 + points_with(pareto, "pareto"));
  EXPECT_GT(points_with(pareto, "pareto"), 2u);
}

TEST(ReportExploration, ThroughputObjectiveFlipsTheAxis) {
  json doc = exploration_doc(50);
  doc["objective"] = "throughput";
  std::string html = exploration_html(doc);
  EXPECT_NE(plots(html, "pareto").at(0).find("throughput (inferences/s)"), std::string::npos);
}

TEST(ReportExploration, TenThousandDesignsStayUnderTenMegabytes) {
  json doc = exploration_doc(10000);
  auto start = std::chrono::steady_clock::now();
  std::string html = exploration_html(doc);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(html.size(), 10u * 1000 * 1000);
  auto pareto = plots(html, "pareto");
  ASSERT_EQ(pareto.size(), 1u);
  EXPECT_GE(points(pareto[0]), 10001u);  // every design drawn
  std::cout << "[ info ] 10,000-design exploration page: " << html.size() / 1024 << " KiB, generated in " << ms
            << " ms\n";
}

TEST(ReportStore, HugeStoreIsThinnedAndGetsAComputedFront) {
  json doc = exploration_doc(60000, true, false);
  doc.erase("sensitivity");
  doc["db"] = "runs/resnet.sqlite";
  std::string html = store_html(doc);
  EXPECT_LT(html.size(), 10u * 1000 * 1000);
  auto pareto = plots(html, "pareto").at(0);
  EXPECT_LE(points(pareto), 25000u + points_with(pareto, "pareto") + 1);
  EXPECT_GT(points_with(pareto, "pareto"), 0u);
  EXPECT_NE(html.find("computed from the listed designs"), std::string::npos);
  EXPECT_NE(html.find("runs/resnet.sqlite"), std::string::npos);
  EXPECT_NE(html.find("data-report=\"store\""), std::string::npos);
}

TEST(ReportSuite, HeatMapCellsAndImprovementBars) {
  json doc = suite_doc();
  std::string html = suite_html(doc);
  auto heat = plots(html, "heatmap");
  ASSERT_EQ(heat.size(), 1u);
  EXPECT_EQ(cells(heat[0]), doc["cross_matrix"].size() * doc["networks"].size());
  EXPECT_EQ(occurrences(heat[0], "class=\"cell sel\""), doc["networks"].size());  // the suite design's row
  // Rows in suite order with the suite design last, so the diagonal is each network's own optimum.
  EXPECT_LT(heat[0].find(">resnet50</text>"), heat[0].find(">vgg16</text>"));
  EXPECT_LT(heat[0].find(">vgg16</text>"), heat[0].find(">geomean</text>"));
  EXPECT_NE(heat[0].find("geomean"), std::string::npos);
  auto imp = plots(html, "improvement");
  ASSERT_EQ(imp.size(), 1u);
  EXPECT_EQ(bars(imp[0]), doc["networks"].size());
}

// The colour scale starts at a fixed floor (0), labelled, not at the data's minimum;
// every cell shows the absolute latency beside the relative figure.
TEST(ReportSuite, HeatMapHasAFixedFloorAndAbsoluteLatency) {
  json doc = suite_doc();
  const std::string page = suite_html(doc);
  const std::string heat(plots(page, "heatmap")[0]);
  EXPECT_NE(heat.find("fixed 0 to 1"), std::string::npos);
  EXPECT_NE(heat.find(R"(class="cbt")"), std::string::npos);
  EXPECT_NE(heat.find(">0</text>"), std::string::npos);  // the floor's tick on the colour bar
  EXPECT_EQ(occurrences(heat, R"(class="ca")"), doc["cross_matrix"].size() * doc["networks"].size());
  EXPECT_NE(heat.find(">1.2 ms</text>"), std::string::npos);  // resnet50 on its own optimum
  // A matrix whose worst cell is 0.97 keeps the colour of 0.97 on the fixed scale, so
  // it does not look like a large loss.
  json near = doc;
  for (auto& [label, row] : near["cross_matrix"].items()) {
    for (auto& [net, v] : row.items()) v = std::max(v.get<double>(), 0.97);
  }
  const std::string near_page = suite_html(near);
  const std::string a(plots(near_page, "heatmap")[0]);
  EXPECT_NE(a.find(R"(fill="#eae527")"), std::string::npos);  // viridis at 0.97, near the top
}

// Labels right of the matrix each keep to their own column: the per-row geomean text
// ends before the colour bar, whose tick labels end before its rotated title; row
// labels fit the left margin (11-px sans-serif: at most ~6.5 px per character).
TEST(ReportSuite, HeatMapLabelsDoNotOverlap) {
  json doc = suite_doc();
  doc["networks"].push_back("a_network_with_a_very_long_name_indeed");
  for (auto& [label, row] : doc["cross_matrix"].items()) row["a_network_with_a_very_long_name_indeed"] = 0.5;
  doc["cross_matrix"]["a_network_with_a_very_long_name_indeed"] = doc["cross_matrix"]["geomean"];
  const std::string page = suite_html(doc);
  const std::string heat(plots(page, "heatmap")[0]);
  auto xs = [&](const std::string& pattern) {
    std::vector<double> out;
    std::regex re(pattern);
    for (auto it = std::sregex_iterator(heat.begin(), heat.end(), re); it != std::sregex_iterator(); ++it) {
      out.push_back(std::stod((*it)[1]));
    }
    return out;
  };
  std::vector<double> geomean_x = xs(R"re(<text x="([0-9.]+)" y="[0-9.]+">geomean [0-9.]+</text>)re");
  std::vector<double> bar_x = xs(R"re(<rect class="cb" x="([0-9.]+)")re");
  std::vector<double> tick_x = xs(R"re(<text class="cbt" x="([0-9.]+)")re");
  std::vector<double> title_x = xs(R"re(<text class="al" transform="translate\(([0-9.]+),)re");
  ASSERT_FALSE(geomean_x.empty());
  ASSERT_FALSE(bar_x.empty());
  ASSERT_FALSE(tick_x.empty());
  ASSERT_FALSE(title_x.empty());
  const double kCharPx = 6.5;
  EXPECT_LT(geomean_x[0] + kCharPx * std::string("geomean 0.87").size(), bar_x[0]);
  EXPECT_LT(tick_x[0] + kCharPx * std::string("0.8").size(), title_x.back() - 6);  // the title's glyphs are ~12 px tall
  // Row labels (right-aligned at the matrix's left edge minus 6) fit the left margin.
  std::vector<double> row_x = xs(R"re(<text class="ty" x="([0-9.]+)")re");
  ASSERT_FALSE(row_x.empty());
  EXPECT_GE(row_x[0] - kCharPx * 26, 0.0);
}

TEST(ReportSuite, UncertaintySpreadsOnlyWhenRequested) {
  json doc = suite_doc();
  std::string html = suite_html(doc);
  auto spread = plots(html, "spread");
  ASSERT_EQ(spread.size(), 1u);
  EXPECT_EQ(bars(spread[0]), doc["networks"].size());    // one min-max range per network
  EXPECT_EQ(points(spread[0]), doc["networks"].size());  // and its nominal figure
  EXPECT_NE(html.find("never binds"), std::string::npos);
  doc.erase("uncertainty");
  EXPECT_TRUE(plots(suite_html(doc), "spread").empty());
}

TEST(ReportExploration, UncertaintyInTheSummary) {
  json doc = exploration_doc(50);
  doc["uncertainty"] = {{"pct", 20},
                        {"samples", 10},
                        {"seed", 1},
                        {"best_same", 0.9},
                        {"objective", {{"min", 1.0}, {"median", 1.1}, {"max", 1.3}}}};
  std::string html = exploration_html(doc);
  EXPECT_NE(html.find("under technology uncertainty"), std::string::npos);
  EXPECT_NE(html.find("best design kept in 90%"), std::string::npos);
}

TEST(ReportCorun, ShareSegmentsAndThroughputBars) {
  std::string html = corun_html(corun_doc());
  auto share = plots(html, "share");
  ASSERT_EQ(share.size(), 1u);
  // 3 networks x (PEs, buffers, vector lanes); bandwidth and time are shared, not split.
  EXPECT_EQ(bars(share[0]), 3u * 3u);
  EXPECT_EQ(occurrences(share[0], "class=\"rest\""), 0u);  // the split uses the whole chip
  EXPECT_NE(share[0].find("resnet50: 2048 PEs, 50% of PEs"), std::string::npos);
  EXPECT_NE(html.find("Shared by all networks rather than partitioned: DRAM bandwidth, time."), std::string::npos);
  auto tp = plots(html, "throughput");
  ASSERT_EQ(tp.size(), 1u);
  EXPECT_EQ(bars(tp[0]), 3u);
  EXPECT_EQ(occurrences(tp[0], "class=\"mk\""), 2u);  // the two rate targets; the third is a weight
  EXPECT_NE(html.find("spatial"), std::string::npos);
  EXPECT_NE(html.find("Best plan of each mode"), std::string::npos);
}

TEST(ReportCorun, TimeMultiplexingShowsTheShareOfTime) {
  json doc = corun_doc();
  doc["mode"] = "time";
  double t[] = {0.5, 0.3, 0.1};
  for (size_t i = 0; i < 3; ++i) {
    doc["networks"][i]["share"] = {{"pes", 4096}, {"buffer_kib", 1024}, {"dram_gb_per_s", 25.6}, {"time", t[i]}};
  }
  std::string html = corun_html(doc);
  auto share = plots(html, "share").at(0);
  EXPECT_EQ(bars(share), 3u);
  EXPECT_EQ(occurrences(share, "class=\"rest\""), 1u);  // 10 % idle
  EXPECT_NE(share.find("each network gets (time multiplexing)"), std::string::npos);
}

TEST(ReportCorun, PlainNumberShares) {
  json doc = corun_doc();
  doc["mode"] = "time";
  for (auto& n : doc["networks"]) n["share"] = 30;  // percent
  std::string html = corun_html(doc);
  EXPECT_EQ(bars(plots(html, "share").at(0)), 3u);
  EXPECT_EQ(occurrences(plots(html, "share").at(0), "class=\"rest\""), 1u);
}

TEST(ReportFit, BeforeAfterBarsAndChangesTable) {
  json doc = fit_doc();
  std::string html = fit_html(doc);
  auto util = plots(html, "utilization");
  ASSERT_EQ(util.size(), 1u);
  EXPECT_EQ(bars(util[0]), doc["layers_before"].size() + doc["layers_after"].size());
  for (const json& c : doc["changes"]) EXPECT_NE(html.find(c["layer"].get<std::string>()), std::string::npos);
  EXPECT_NE(html.find("1.270×"), std::string::npos);
  EXPECT_NE(html.find("+3.40%"), std::string::npos);
}

TEST(ReportFit, AcceptsPlainListsAndMaps) {
  json doc = {{"speedup", 1.1}, {"layers_before", {0.5, 0.25}}, {"layers_after", {{"#0", 80}, {"#1", 50}}}};
  std::string html = fit_html(doc);
  EXPECT_EQ(bars(plots(html, "utilization").at(0)), 4u);
}

std::vector<std::string> all_pages() {
  return {evaluation_html(evaluation_doc()), exploration_html(exploration_doc(200)),
          store_html(exploration_doc(100)),  suite_html(suite_doc()),
          corun_html(corun_doc()),           fit_html(fit_doc())};
}

TEST(ReportPages, SelfContained) {
  for (const std::string& html : all_pages()) {
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find(" src="), std::string::npos);
    EXPECT_EQ(html.find(" href="), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("@import"), std::string::npos);
    EXPECT_EQ(html.find("url("), std::string::npos);
    EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("</html>"), std::string::npos);
    EXPECT_EQ(occurrences(html, "<svg"), occurrences(html, "</svg>"));
    // Elements are styled by class: no per-element style attributes.
    EXPECT_EQ(html.find(" style="), std::string::npos);
  }
}

TEST(ReportPages, Deterministic) {
  EXPECT_EQ(exploration_html(exploration_doc(500)), exploration_html(exploration_doc(500)));
  EXPECT_EQ(evaluation_html(evaluation_doc()), evaluation_html(evaluation_doc()));
}

TEST(ReportPages, UserTextIsEscaped) {
  const std::string evil = "<script>alert(\"x\")</script>&'";
  json ev = evaluation_doc();
  ev["model"] = evil;
  ev["layers"][0]["name"] = evil;
  ev["layers"][0]["mapping"] = evil;
  json ex = exploration_doc(20);
  ex["best"]["params"][evil] = evil;
  ex["sensitivity"].push_back({{"parameter", evil}, {"points", {{{"value", evil}, {"objective", 1.0}}}}});
  json su = suite_doc();
  su["networks"].push_back(evil);
  su["cross_matrix"]["geomean"][evil] = 0.5;
  su["improvement_pct"][evil] = -3;
  json co = corun_doc();
  co["networks"][0]["name"] = evil;
  co["mode"] = evil;
  json fi = fit_doc();
  fi["changes"][0]["layer"] = evil;
  fi["layers_before"][0]["name"] = evil;
  for (const std::string& html :
       {evaluation_html(ev), exploration_html(ex), suite_html(su), corun_html(co), fit_html(fi)}) {
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"), std::string::npos);
    EXPECT_EQ(occurrences(html, "<script"), 2u);  // only the page's own two tiny scripts
  }
}

TEST(ReportPages, MissingKeysGiveNotesNotCrashes) {
  const json inputs[] = {
      json::object(),
      json::array(),
      json(nullptr),
      json("text"),
      json{{"layers", "oops"}, {"totals", 5}, {"points", {1, "x", nullptr}}, {"pareto", {{{"metrics", 3}}}}},
      json{{"layers", {{{"name", 5}, {"cycles", "many"}}}}, {"sensitivity", {{"rows", 7}}}},
      json{{"cross_matrix", {{"a", 1}}}, {"networks", {{{"bad", true}}}}, {"improvement_pct", {1, 2}}},
      json{{"networks", {{{"name", "a"}, {"share", "half"}}}}},
      json{{"changes", {1, {{"layer", nullptr}}}}, {"layers_before", "x"}}};
  for (const json& in : inputs) {
    for (auto* fn : {&evaluation_html, &exploration_html, &store_html, &suite_html, &corun_html, &fit_html}) {
      std::string html;
      ASSERT_NO_THROW(html = fn(in)) << in.dump();
      EXPECT_NE(html.find("</html>"), std::string::npos);
    }
  }
  EXPECT_NE(evaluation_html(json::object()).find("class=\"note\""), std::string::npos);
}

TEST(ReportPages, NonFiniteAndNonPositiveValuesAreSkipped) {
  json doc = exploration_doc(30);
  doc["points"][0]["metrics"]["area_mm2"] = 0;
  doc["points"][1]["metrics"]["latency_s"] = -1;
  doc["points"][2]["metrics"].erase("latency_s");
  std::string html = exploration_html(doc);
  EXPECT_EQ(points(plots(html, "pareto").at(0)), 27 + doc["pareto"].size() + 1);
  EXPECT_FALSE(std::regex_search(html, std::regex("=\"-?(inf|nan)")));
  EXPECT_FALSE(std::regex_search(html, std::regex("[ ,>](-?(inf|nan))[ ,<]")));
}

TEST(ReportWrite, WritesAndReportsUnwritablePaths) {
  auto dir = std::filesystem::temp_directory_path() / "acceldse_report_write_test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "r.html").string();
  write_html(path, "<p>x</p>");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "<p>x</p>");
  std::filesystem::remove_all(dir);
  try {
    write_html((dir / "missing" / "r.html").string(), "x");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing/r.html"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("cannot write"), std::string::npos);
  }
}

}  // namespace
}  // namespace acceldse::report
