// The SCALE-Sim inputs in tests/data/scalesim evaluate without error, and with stall-free
// DRAM (SCALE-Sim's CALC mode) every layer's cycles are SCALE-Sim v2's fold formula,
// recomputed here straight from the topology CSV (not from our lowering).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "arch/arch.h"
#include "cost/cost.h"
#include "scalesim_inputs.h"
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
  for (const auto& entry : fs::directory_iterator(acceldse::test::scalesim_inputs())) {
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
  ASSERT_GE(dirs.size(), 50u) << "expected the SCALE-Sim inputs under " << acceldse::test::scalesim_inputs();
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

// Cycles of the one layer of each USER-bandwidth folder, derived by hand from the
// streaming schedule (tensor_model.cpp, streaming_traffic()): 10 bytes/cycle per operand
// stream (Bandwidth: 10, 1 GHz, 1-byte words), DRAM latency 1 cycle exposed once, 64 KiB
// buffers of which a double-buffered half (32,768 bytes) holds an operand, 4-byte
// partial sums, im2col words fetched expanded (as SCALE-Sim). Double buffering overlaps
// the streams with compute: cycles = max(compute, ceil(largest stream / 10)) + 1.
//
// gemm_test_mnk_input: M = 128, K = 256, N = 64. A = 32,768 B (fits its half, read
// once), B = 16,384 B, C = 8,192 B, partial sums of one row fold 128 x 32 x 4 = 16,384 B
// (ws) or 64 x 32 x 4 = 8,192 B (is) fit: largest stream A -> 3,277 cycles.
//   ws: 8 x 2 folds x (2*32 + 32 + 128 - 2 = 222) = 3,552 -> 3,553
//   os: 4 x 2 folds x (32 + 32 + 256 - 2 = 318) = 2,544 -> 3,277 + 1 = 3,278 (DRAM-bound)
//   is: 8 x 4 folds x (2*32 + 32 + 64 - 2 = 158) = 5,056 -> 5,057
// conv_test (Inc5b_3x3): M = 25, K = 1,728, N = 384. B = 663,552 B is read once in every
// dataflow (ws: stationary; os: one row fold; is: one column fold) -> 66,356 cycles;
// A (43,200 B expanded) does not fit and is re-read per column fold (ws, os: 12 x) =
// 518,400 B, less than B.
//   ws: 54 x 12 folds x (2*32 + 32 + 25 - 2 = 119) = 77,112 -> 77,113
//   os: 1 x 12 folds x (32 + 32 + 1,728 - 2 = 1,790) = 21,480 -> 66,356 + 1 = 66,357
//   is: 54 x 1 folds x (2*32 + 32 + 384 - 2 = 478) = 25,812 compute, but one row fold's
//       partial sums (384 x 25 x 4 = 38,400 B) do not fit 32,768 B: they spill between
//       the 54 row folds, 53 x 38,400 B written and read back, plus 9,600 B of outputs:
//       4,080,000 B on the output stream -> 408,000 + 1 = 408,001 (DRAM-bound)
TEST(CostScaleSim, UserBandwidthConfigsMatchTheStreamingSchedule) {
  const std::map<std::string, int64_t> expected_cycles{
      {"ws_32x32_userbw10__gemm_test_mnk_input", 3553}, {"os_32x32_userbw10__gemm_test_mnk_input", 3278},
      {"is_32x32_userbw10__gemm_test_mnk_input", 5057}, {"ws_32x32_userbw10__conv_test", 77113},
      {"os_32x32_userbw10__conv_test", 66357},          {"is_32x32_userbw10__conv_test", 408001}};
  size_t folders = 0;
  for (const fs::path& dir : scalesim_dirs()) {
    if (dir.filename().string().find("userbw") == std::string::npos) continue;
    SCOPED_TRACE(dir.filename().string());
    ++folders;
    const arch::Accelerator accel = arch::load_scalesim_cfg((dir / "config.cfg").string());
    ASSERT_FALSE(accel.dram.stall_free);
    ASSERT_FALSE(accel.tensor.tiling);  // SCALE-Sim's untiled schedule, whatever the bandwidth
    const fs::path topology = topology_in(dir);
    const workload::Network net = workload::load_scalesim_csv(topology.string());
    const std::vector<Row> rows = read_topology(topology);
    ASSERT_EQ(rows.size(), 1u);
    std::vector<OpCost> tensor_layers;
    for (const OpCost& c : evaluate_network(net, accel).layers) {
      if (c.macs > 0) tensor_layers.push_back(c);
    }
    ASSERT_EQ(tensor_layers.size(), 1u);
    const OpCost& c = tensor_layers[0];
    EXPECT_EQ(c.compute_cycles, scalesim_cycles(rows[0], accel));
    EXPECT_EQ(c.mapping.loop_order, "stream");
    EXPECT_EQ(c.cycles, expected_cycles.at(dir.filename().string()));
  }
  EXPECT_EQ(folders, expected_cycles.size());
}

}  // namespace
}  // namespace acceldse::cost::test
