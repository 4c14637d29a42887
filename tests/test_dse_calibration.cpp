// The cost model against published chips (calibration/published.yaml): the checks the
// model meets must keep meeting their targets; the file's errors name their place.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/error.h"
#include "dse/calibration.h"

namespace acceldse::dse {
namespace {

std::string key(const CalibrationCheck& c) { return c.chip + " " + c.model + " " + c.metric; }

TEST(Calibration, PublishedChipsWithinTheirTargets) {
  const auto rows = run_calibration(load_calibration_checks());
  ASSERT_GE(rows.size(), 10u);
  // Known misses, explained in docs/validation.md ("Calibration"): CNN0's layers are a guess that
  // fills 85% of the array, LSTM1's dependent steps and weight-shift stalls are not
  // modelled, and Eyeriss's row-stationary mapping of VGG-16 is slower than the
  // ws/os/is stand-in (which also runs it at higher power).
  const std::set<std::string> known_misses = {
      "TPU v1 tpu_cnn0 tops", "TPU v1 tpu_lstm1 tops",
      "Eyeriss v1 eyeriss_vgg16_conv inferences_per_s", "Eyeriss v1 eyeriss_vgg16_conv core_energy_per_mac_pj",
      "Eyeriss v1 eyeriss_vgg16_conv core_power_w"};
  int met = 0;
  for (const CalibrationRow& r : rows) {
    SCOPED_TRACE(key(r.check));
    EXPECT_TRUE(std::isfinite(r.modelled) && r.modelled > 0);
    EXPECT_NEAR(r.diff_pct, 100 * (r.modelled - r.check.published) / r.check.published, 1e-9);
    EXPECT_FALSE(r.check.source.empty());
    if (!r.check.target_pct || known_misses.count(key(r.check))) continue;
    EXPECT_TRUE(r.within_target()) << r.modelled << " vs " << r.check.published;
    ++met;
  }
  EXPECT_EQ(met, 7);  // every other check with a target
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
  expect_error("checks: [\n", "line 2", "malformed YAML");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace acceldse::dse
