// Property test of issue 14: over extreme-but-valid designs (every numeric field at the
// ends of its validated range) and networks (built-in models and layers near the size
// limits), every output number is finite and non-negative and no utilisation exceeds
// 1 -- or the evaluation is refused with an InputError about 64-bit counts.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "common/error.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace acceldse::cost {
namespace {

using arch::Dataflow;

class Random {
 public:
  explicit Random(uint64_t seed) : gen_(seed) {}
  template <class T>
  T pick(std::initializer_list<T> values) {
    const auto i = std::uniform_int_distribution<size_t>(0, values.size() - 1)(gen_);
    return *(values.begin() + i);
  }
  bool coin() { return std::uniform_int_distribution<int>(0, 1)(gen_) == 1; }

 private:
  std::mt19937_64 gen_;
};

// A design with each field at (or near) an end of its validated range (docs/formats.md,
// "Validated ranges and limits").
arch::Accelerator extreme_design(Random& r, const arch::Accelerator& base) {
  arch::Accelerator a = base;
  a.tensor.rows = r.pick<int64_t>({1, 2, 1024, 65536});
  a.tensor.cols = r.pick<int64_t>({1, 3, 1024, 65536});
  a.tensor.arrays = r.pick<int64_t>({1, 4, 4096});
  a.tensor.dataflow = r.pick({Dataflow::kWs, Dataflow::kOs, Dataflow::kIs, Dataflow::kAuto});
  a.tensor.tiling = r.coin();
  a.vector.lanes = r.pick<int64_t>({1, 16777216});
  a.vector.ops_per_lane_per_cycle = r.pick<int64_t>({1, 1024});
  a.buffers.double_buffered = r.coin();
  a.buffers.keep_activations_on_chip = r.coin();
  const int64_t kib = r.pick<int64_t>({int64_t{1} << 30, int64_t{1} << 20, 1});
  if (r.coin()) {
    a.buffers.unified = true;
    a.buffers.input_kib = a.buffers.weight_kib = a.buffers.output_kib = 0;
    a.buffers.unified_kib = kib;
  } else {
    a.buffers.input_kib = a.buffers.weight_kib = a.buffers.output_kib = kib;
  }
  a.buffers.read_bytes_per_cycle = r.pick<double>({0, 0.01, 1e9});
  a.buffers.write_bytes_per_cycle = r.pick<double>({0, 0.01, 1e9});
  a.dram.bandwidth_gb_per_s = r.pick<double>({1e-3, 25.6, 1e6});
  a.dram.latency_ns = r.pick<double>({0, 1e6});
  a.dram.stall_free = r.pick({false, false, true});
  a.dram.bandwidth_per_operand = r.coin();
  a.clock_ghz = r.pick<double>({1e-3, 1, 1e3});
  return a;
}

bool valid(const arch::Accelerator& a) {
  try {
    arch::validate(a, "<extreme>");
    return true;
  } catch (const InputError&) {
    return false;
  }
}

// Layers near the workload size limits (2^31 - 1 per dimension, 2^40 elements, 2^50 MACs).
std::vector<workload::Network> extreme_networks() {
  std::vector<workload::Network> out;
  {
    workload::NetworkBuilder b("huge_linear", "<extreme>");
    b.add_input("x", {int64_t{1} << 20, int64_t{1} << 20});
    workload::Attrs attrs;
    attrs.out_features = 1000;
    b.add_op("fc", "linear", {"x"}, attrs);
    out.push_back(b.finish());
  }
  {
    workload::NetworkBuilder b("long_vector", "<extreme>");
    b.add_input("x", {1, (int64_t{1} << 31) - 1});
    b.add_op("act", "relu", {"x"}, workload::Attrs{});
    out.push_back(b.finish());
  }
  {
    workload::NetworkBuilder b("one", "<extreme>");
    b.add_input("x", {1, 1});
    workload::Attrs attrs;
    attrs.out_features = 1;
    b.add_op("fc", "linear", {"x"}, attrs);
    out.push_back(b.finish());
  }
  for (const char* name : {"mobilenet_v2", "bert_base", "deepspeech2", "alexnet"})
    out.push_back(workload::load_network(name));
  return out;
}

void expect_sane(const OpCost& c, const std::string& what) {
  const int64_t counts[] = {c.cycles,
                            c.compute_cycles,
                            c.stall_cycles,
                            c.vector_cycles,
                            c.macs,
                            c.input_sram_reads_bytes,
                            c.input_sram_writes_bytes,
                            c.weight_sram_reads_bytes,
                            c.weight_sram_writes_bytes,
                            c.output_sram_reads_bytes,
                            c.output_sram_writes_bytes,
                            c.dram_read_bytes,
                            c.dram_write_bytes};
  for (int64_t v : counts) EXPECT_GE(v, 0) << what;
  const double reals[] = {c.utilization,          c.energy.mac_pj,         c.energy.register_pj,
                          c.energy.input_sram_pj, c.energy.weight_sram_pj, c.energy.output_sram_pj,
                          c.energy.dram_pj,       c.energy.vector_pj,      c.energy.leakage_pj};
  for (double v : reals) {
    EXPECT_TRUE(std::isfinite(v)) << what;
    EXPECT_GE(v, 0) << what;
  }
  EXPECT_LE(c.utilization, 1.0 + 1e-12) << what;
}

TEST(CostExtremes, EveryOutputIsFiniteNonNegativeAndUtilisationAtMostOne) {
  const arch::Accelerator base = arch::load_accelerator("edge_32x32");
  const std::vector<workload::Network> networks = extreme_networks();
  Random r(14);
  int evaluated = 0, refused = 0;
  for (int i = 0; i < 120; ++i) {
    const arch::Accelerator a = extreme_design(r, base);
    if (!valid(a)) continue;
    const workload::Network& net = networks[static_cast<size_t>(i) % networks.size()];
    const std::string what = net.name + " #" + std::to_string(i);
    try {
      const NetworkCost nc = evaluate_network(net, a);
      for (const OpCost& layer : nc.layers) expect_sane(layer, what);
      expect_sane(nc.totals, what);
      for (double v : {nc.latency_s, nc.throughput_per_s, nc.power_w, nc.area.total_mm2()}) {
        EXPECT_TRUE(std::isfinite(v)) << what;
        EXPECT_GE(v, 0) << what;
      }
      ++evaluated;
    } catch (const InputError& e) {
      // The only refusal allowed: a count beyond 64 bits, said so.
      EXPECT_NE(std::string(e.what()).find("2^62"), std::string::npos) << what << ": " << e.what();
      ++refused;
    }
  }
  EXPECT_GT(evaluated, 20);
  RecordProperty("refused", refused);
}

}  // namespace
}  // namespace acceldse::cost
