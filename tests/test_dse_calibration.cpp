// The cost model against published chips (calibration/published.yaml): the checks the
// model meets must keep meeting their targets; the file's errors name their place.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "arch/arch.h"
#include "common/data_dir.h"
#include "common/error.h"
#include "cost/cost.h"
#include "dse/calibration.h"
#include "workload/workload.h"

namespace acceldse::dse {
namespace {

std::string key(const CalibrationCheck& c) { return c.chip + " " + c.model + " " + c.metric; }

TEST(Calibration, PublishedChipsWithinTheirTargets) {
  const auto rows = run_calibration(load_calibration_checks());
  ASSERT_GE(rows.size(), 10u);
  // Known misses carry their reason in the file (docs/validation.md, "Calibration"
  // explains each); every other check with a target must meet it.
  int met = 0, known_misses = 0;
  for (const CalibrationRow& r : rows) {
    SCOPED_TRACE(key(r.check));
    EXPECT_TRUE(std::isfinite(r.modelled) && r.modelled > 0);
    EXPECT_FALSE(r.check.source.empty());
    if (!r.check.target_pct) continue;
    EXPECT_EQ(r.within_target(), r.check.known_miss.empty()) << r.modelled << " vs " << r.check.published;
    (r.check.known_miss.empty() ? met : known_misses) += 1;
  }
  EXPECT_EQ(known_misses, 7);
  EXPECT_EQ(met, 11);  // every other check with a target
}

// A check's figure is the cost model's own, for the spec and network it names:
// recomputed here from the cost model directly.
TEST(Calibration, FiguresComeFromTheCostModel) {
  CalibrationCheck check{"TPU v1", "tpu_v1", "tpu_mlp0", "tops", 10.0, 15.0, std::nullopt, "s", ""};
  CalibrationCheck area = check;
  area.metric = "die_area_mm2";
  const auto rows = run_calibration({check, area});
  ASSERT_EQ(rows.size(), 2u);
  const arch::Accelerator tpu = arch::load_accelerator("tpu_v1");
  const cost::NetworkCost cost = cost::evaluate_network(
      workload::load_network((data_path("calibration") / "models" / "tpu_mlp0.yaml").string()), tpu);
  const double tops = 2.0 * static_cast<double>(cost.totals.macs) / cost.latency_s * 1e-12;
  EXPECT_DOUBLE_EQ(rows[0].modelled, tops);
  EXPECT_DOUBLE_EQ(rows[0].diff_pct, 10.0 * (tops - 10.0));  // (tops - 10) / 10, in percent
  EXPECT_EQ(rows[0].within_target(), std::abs(tops - 10.0) <= 1.5);
  EXPECT_DOUBLE_EQ(rows[1].modelled, cost.area.total_mm2());
}

// Eyeriss per layer (C17 Tables IV and V: processing latency at 200 MHz, AlexNet at
// batch 4, VGG-16 at batch 3). The layers the chip runs at 69-86% of its peak agree
// within 20%. VGG-16's CONV1-CONV3 (56+ pixels wide) are left out: the chip runs them at
// its global buffer's ~3 GB/s, which the model's stand-in dataflow does not reproduce
// (docs/validation.md, "Calibration").
TEST(Calibration, EyerissLayersTheChipRunsNearPeak) {
  const arch::Accelerator eyeriss = arch::load_accelerator("eyeriss");
  const auto processing_ms = [&](const char* model, int64_t batch) {
    const workload::Network net = workload::with_batch(
        workload::load_network((data_path("calibration") / "models" / (std::string(model) + ".yaml")).string()), batch,
        model);
    const cost::NetworkCost cost = cost::evaluate_network(net, eyeriss);
    std::map<std::string, double> ms;
    for (size_t i = 0; i < net.ops.size(); ++i) {
      ms[net.ops[i].name] = static_cast<double>(cost.layers[i].cycles) / (eyeriss.clock_ghz * 1e6);
    }
    return ms;
  };
  const std::map<std::string, double> alexnet = processing_ms("eyeriss_alexnet_conv", 4);
  const std::map<std::string, double> vgg = processing_ms("eyeriss_vgg16_conv", 3);
  const std::vector<std::tuple<const std::map<std::string, double>*, const char*, double>> published = {
      {&alexnet, "conv1", 16.5}, {&alexnet, "conv2", 39.2}, {&alexnet, "conv3", 21.3}, {&alexnet, "conv4", 16.0},
      {&alexnet, "conv5", 10.0}, {&vgg, "conv4_1", 105.1},  {&vgg, "conv4_2", 210.0},  {&vgg, "conv4_3", 210.0},
      {&vgg, "conv5_1", 48.3},   {&vgg, "conv5_2", 48.5},   {&vgg, "conv5_3", 48.5}};
  for (const auto& [layers, name, chip_ms] : published) {
    ASSERT_TRUE(layers->count(name)) << name;
    EXPECT_NEAR(layers->at(name) / chip_ms, 1.0, 0.20) << name << ": " << layers->at(name) << " ms vs " << chip_ms;
  }
}

TEST(Calibration, BadEntriesNameFileAndPlace) {
  const auto dir = std::filesystem::temp_directory_path() / ("acceldse_cal_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "checks.yaml").string();
  const auto expect_error = [&](const std::string& text, const std::string& place, const std::string& words) {
    std::ofstream(file) << text;
    try {
      load_calibration_checks(file);
      FAIL() << "accepted: " << text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), file);
      EXPECT_EQ(e.place(), place);
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  const std::string good = "{chip: X, arch: tpu_v1, model: tpu_mlp0, source: s, ";
  expect_error("checks: []\n", "checks", "list of checks");
  expect_error("checks:\n  - " + good + "metric: speed, published: 1}\n", "checks[0].metric", "unknown metric 'speed'");
  expect_error("checks:\n  - " + good + "metric: tops, published: -1}\n", "checks[0].published", "> 0");
  expect_error("checks:\n  - {chip: X, arch: a, metric: tops, published: 1, source: s}\n", "checks[0].model", "text");
  expect_error("checks:\n  - " + good + "metric: tops, published: 1, known_miss: why}\n", "checks[0].known_miss",
               "without target_pct");
  expect_error("checks: [\n", "line 2, column 1", "malformed YAML");
  expect_error("checks:\n  - " + good + "metric: tops, published: 1, published: 2}\n", "line 2", "twice");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace acceldse::dse
