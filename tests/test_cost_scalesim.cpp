// The SCALE-Sim inputs in shared/scalesim evaluate without error, and with stall-free
// DRAM (SCALE-Sim's CALC mode) every layer's cycles are SCALE-Sim v2's fold formula,
// recomputed here straight from the topology CSV (not from our lowering).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "arch/arch.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace acceldse::cost::test {
namespace {

namespace fs = std::filesystem;

struct Row {
  std::string name;
  int64_t m = 0, k = 0, n = 0;  // ofmap pixels (M), window R*S*C (K), filters (N)
};

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) {
    field.erase(std::remove_if(field.begin(), field.end(), [](unsigned char ch) { return std::isspace(ch); }),
                field.end());
    out.push_back(field);
  }
  return out;
}

// SCALE-Sim's own reading of its topology files (topology_utils.py): conv rows give
// ofmap = ceil((H - R + S) / S) per side, window R*S*C, N filters; GEMM rows are
// M, N, K with the K-long windows.
std::vector<Row> read_topology(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const bool gemm = split_fields(line).size() >= 4 && split_fields(line)[1] == "M";
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = split_fields(line);
    if (f.size() < 4 || f[0].empty()) continue;
    Row r{f[0]};
    if (gemm) {
      r.m = std::stoll(f[1]), r.n = std::stoll(f[2]), r.k = std::stoll(f[3]);
    } else {
      const int64_t h = std::stoll(f[1]), w = std::stoll(f[2]), fh = std::stoll(f[3]), fw = std::stoll(f[4]);
      const int64_t c = std::stoll(f[5]), filters = std::stoll(f[6]), s = std::stoll(f[7]);
      const int64_t sw = f.size() > 8 && !f[8].empty() ? std::stoll(f[8]) : s;
      r.m = ((h - fh + s + s - 1) / s) * ((w - fw + sw + sw - 1) / sw);
      r.k = fh * fw * c;
      r.n = filters;
    }
    rows.push_back(r);
  }
  return rows;
}

// scalesim/compute/systolic_compute_{ws,os,is}.py: folds x (fill + T).
int64_t scalesim_cycles(const Row& r, const arch::Accelerator& a) {
  const int64_t rows = a.tensor.rows, cols = a.tensor.cols;
  auto folds = [](int64_t x, int64_t e) { return (x + e - 1) / e; };
  switch (a.tensor.dataflow) {
    case arch::Dataflow::kOs: return folds(r.m, rows) * folds(r.n, cols) * (rows + cols + r.k - 2);
    case arch::Dataflow::kIs: return folds(r.k, rows) * folds(r.m, cols) * (2 * rows + cols + r.n - 2);
    default: return folds(r.k, rows) * folds(r.n, cols) * (2 * rows + cols + r.m - 2);
  }
}

std::vector<fs::path> scalesim_dirs() {
  std::vector<fs::path> dirs;
  const fs::path root = fs::path(ACCELDSE_SHARED_DIR) / "scalesim";
  if (!fs::is_directory(root)) return dirs;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

fs::path topology_in(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".csv") return entry.path();
  }
  return {};
}

TEST(CostScaleSim, EveryConfigMatchesTheFoldFormula) {
  const std::vector<fs::path> dirs = scalesim_dirs();
  if (dirs.empty()) GTEST_SKIP() << "no " << ACCELDSE_SHARED_DIR << "/scalesim";
  CostCache cache;
  int layers = 0;
  for (const fs::path& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    arch::Accelerator accel = arch::load_scalesim_cfg((dir / "config.cfg").string());
    accel.dram.stall_free = true;  // CALC: the array never waits for DRAM
    const fs::path topology = topology_in(dir);
    const workload::Network net = workload::load_scalesim_csv(topology.string());
    const NetworkCost nc = evaluate_network(net, accel, &cache);
    const std::vector<Row> rows = read_topology(topology);
    // One conv / linear per row, in order (views and inputs add no ops with MACs).
    std::vector<const OpCost*> tensor_layers;
    for (const OpCost& c : nc.layers) {
      if (c.macs > 0) tensor_layers.push_back(&c);
    }
    ASSERT_EQ(tensor_layers.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      SCOPED_TRACE(rows[i].name);
      const OpCost& c = *tensor_layers[i];
      EXPECT_EQ(c.macs, rows[i].m * rows[i].k * rows[i].n);
      EXPECT_EQ(c.compute_cycles, scalesim_cycles(rows[i], accel));
      EXPECT_EQ(c.cycles, c.compute_cycles);
      EXPECT_GT(c.dram_bytes(), 0);
      ++layers;
    }
    EXPECT_GT(nc.totals.energy.total_pj(), 0);
    EXPECT_GT(nc.area.total_mm2(), 0);
  }
  EXPECT_GT(layers, 500);
}

TEST(CostScaleSim, UserBandwidthConfigsStallOnlyWhenDramIsShort) {
  for (const fs::path& dir : scalesim_dirs()) {
    if (dir.filename().string().find("userbw") == std::string::npos) continue;
    SCOPED_TRACE(dir.filename().string());
    const arch::Accelerator accel = arch::load_scalesim_cfg((dir / "config.cfg").string());
    ASSERT_FALSE(accel.dram.stall_free);
    ASSERT_FALSE(accel.tensor.tiling);  // SCALE-Sim's untiled schedule, whatever the bandwidth
    const fs::path topology = topology_in(dir);
    const workload::Network net = workload::load_scalesim_csv(topology.string());
    const std::vector<Row> rows = read_topology(topology);
    size_t row = 0;
    for (const OpCost& c : evaluate_network(net, accel).layers) {
      if (c.macs == 0) continue;
      ASSERT_LT(row, rows.size());
      EXPECT_EQ(c.compute_cycles, scalesim_cycles(rows[row++], accel));
      EXPECT_EQ(c.mapping.loop_order, "stream");
      EXPECT_GE(c.cycles, c.compute_cycles);
      // 10 bytes/cycle per operand stream: no stream can beat its own transfer time.
      EXPECT_GE(static_cast<double>(c.cycles), static_cast<double>(c.dram_write_bytes) / 10.0);
    }
  }
}

}  // namespace
}  // namespace acceldse::cost::test
