// Properties every evaluation must satisfy, over ~1000 seeded random layers x designs:
// physical lower bounds on cycles, monotonicity in bandwidth and buffer size, and
// utilisation in (0, 1].
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "common/error.h"
#include "test_cost_util.h"

namespace acceldse::cost::test {
namespace {

using arch::Dataflow;

class Random {
 public:
  explicit Random(uint64_t seed) : gen_(seed) {}
  int64_t between(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(gen_); }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen_); }
  template <class T>
  T pick(std::initializer_list<T> values) {
    return *(values.begin() + between(0, static_cast<int64_t>(values.size()) - 1));
  }
  bool coin() { return between(0, 1) == 1; }

 private:
  std::mt19937_64 gen_;
};

// A conv (plain, strided, grouped or depthwise), a linear layer or an attention matmul.
workload::Network random_layer(Random& r) {
  switch (r.between(0, 3)) {
    case 0: {
      const int64_t c = r.pick<int64_t>({3, 16, 32, 64, 96, 256});
      const int64_t hw = r.pick<int64_t>({7, 14, 28, 56});
      const int64_t kernel = r.pick<int64_t>({1, 3, 5});
      return conv_net(c, hw, hw, r.pick<int64_t>({16, 64, 100, 512}), kernel, r.pick<int64_t>({1, 2}), kernel / 2);
    }
    case 1: {
      const int64_t c = r.pick<int64_t>({32, 64, 144});
      return conv_net(c, 28, 28, c, 3, r.pick<int64_t>({1, 2}), 1, c);  // depthwise
    }
    case 2: return linear_net(r.between(1, 2048), r.between(1, 4096), r.between(1, 4096));
    default: {
      const int64_t heads = r.between(1, 16), seq = r.between(1, 512), d = r.pick<int64_t>({32, 64, 128});
      return matmul_net({1, heads, seq, d}, {1, heads, d, seq});
    }
  }
}

arch::Accelerator random_design(Random& r) {
  arch::Accelerator a = make_accel(r.pick<int64_t>({1, 4, 8, 16, 30, 32, 64, 128, 256}),
                                   r.pick<int64_t>({1, 4, 8, 16, 32, 50, 64, 128, 256}),
                                   r.pick({Dataflow::kWs, Dataflow::kOs, Dataflow::kIs, Dataflow::kAuto}));
  a.tensor.arrays = r.pick<int64_t>({1, 1, 2, 4});
  a.vector.lanes = r.pick<int64_t>({1, 8, 32, 128});
  a.buffers.double_buffered = r.coin();
  if (r.between(0, 3) == 0) {
    a.buffers.unified = true;
    a.buffers.input_kib = a.buffers.weight_kib = a.buffers.output_kib = 0;
    a.buffers.unified_kib = r.pick<int64_t>({16, 64, 256, 1024, 8192});
  } else {
    a.buffers.input_kib = r.pick<int64_t>({4, 16, 64, 256, 2048});
    a.buffers.weight_kib = r.pick<int64_t>({4, 16, 64, 256, 2048});
    a.buffers.output_kib = r.pick<int64_t>({4, 16, 64, 256, 2048});
  }
  a.dram.bandwidth_gb_per_s = r.real(1, 200);
  a.dram.latency_ns = r.pick<double>({0, 50, 100, 300});
  a.clock_ghz = r.pick<double>({0.5, 1.0, 1.5});
  if (r.coin()) {
    a.precision.input_bytes = a.precision.weight_bytes = a.precision.output_bytes = 2;
    a.precision.is_float = r.coin();
  }
  return a;
}

bool valid(const arch::Accelerator& a) {
  try {
    arch::validate(a, "<random>");
    return true;
  } catch (const InputError&) {
    return false;
  }
}

arch::Accelerator scaled_buffers(arch::Accelerator a, int64_t factor) {
  a.buffers.input_kib *= factor;
  a.buffers.weight_kib *= factor;
  a.buffers.output_kib *= factor;
  a.buffers.unified_kib *= factor;
  return a;
}

struct Case {
  workload::Network net;
  arch::Accelerator accel;
};

std::vector<Case> random_cases(size_t count) {
  Random r(20210101);
  std::vector<Case> cases;
  while (cases.size() < count) {
    Case c{random_layer(r), random_design(r)};
    if (valid(c.accel)) cases.push_back(std::move(c));
  }
  return cases;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = random_cases(1000);
  return all;
}

std::string describe(const Case& c, const OpCost& cost) {
  const workload::Op& op = c.net.ops[0];
  std::string s = op.type + " in " + workload::shape_to_string(c.net.input_of(op).shape) + " on " +
                  std::to_string(c.accel.tensor.rows) + "x" + std::to_string(c.accel.tensor.cols) + "x" +
                  std::to_string(c.accel.tensor.arrays) + " " + arch::to_string(c.accel.tensor.dataflow) +
                  (c.accel.buffers.unified ? " unified" : " split") +
                  (c.accel.buffers.double_buffered ? " db" : " sb") + " mapping " + cost.mapping.to_string();
  return s;
}

TEST(CostProperties, CyclesAtLeastMacsOverPes) {
  for (const Case& c : cases()) {
    const OpCost cost = evaluate_first(c.net, c.accel);
    if (cost.mapping.on_vector_unit) continue;  // the vector unit has its own peak
    const double bound = static_cast<double>(cost.macs) / static_cast<double>(c.accel.pes());
    ASSERT_GE(static_cast<double>(cost.compute_cycles), bound) << describe(c, cost);
    ASSERT_GE(cost.cycles, cost.compute_cycles) << describe(c, cost);
  }
}

TEST(CostProperties, CyclesAtLeastDramBytesOverBandwidth) {
  for (const Case& c : cases()) {
    const OpCost cost = evaluate_first(c.net, c.accel);
    const double bound = static_cast<double>(cost.dram_bytes()) / c.accel.dram_bytes_per_cycle();
    ASSERT_GE(static_cast<double>(cost.cycles), bound * (1 - 1e-12)) << describe(c, cost);
  }
}

TEST(CostProperties, UtilisationInZeroOne) {
  for (const Case& c : cases()) {
    const OpCost cost = evaluate_first(c.net, c.accel);
    if (cost.mapping.on_vector_unit) {
      EXPECT_EQ(cost.utilization, 0) << describe(c, cost);
      continue;
    }
    ASSERT_GT(cost.utilization, 0) << describe(c, cost);
    ASSERT_LE(cost.utilization, 1) << describe(c, cost);
  }
}

TEST(CostProperties, MoreBandwidthNeverSlower) {
  for (const Case& c : cases()) {
    arch::Accelerator faster = c.accel;
    faster.dram.bandwidth_gb_per_s *= 2;
    const OpCost slow = evaluate_first(c.net, c.accel);
    const OpCost fast = evaluate_first(c.net, faster);
    ASSERT_LE(fast.cycles, slow.cycles) << describe(c, slow) << " -> " << fast.mapping.to_string();
    arch::Accelerator unlimited = c.accel;
    unlimited.dram.stall_free = true;
    ASSERT_LE(evaluate_first(c.net, unlimited).cycles, fast.cycles) << describe(c, fast);
  }
}

TEST(CostProperties, LargerBuffersNeverSlower) {
  for (const Case& c : cases()) {
    const OpCost small = evaluate_first(c.net, c.accel);
    const OpCost large = evaluate_first(c.net, scaled_buffers(c.accel, 4));
    ASSERT_LE(large.cycles, small.cycles) << describe(c, small) << " -> " << large.mapping.to_string();
  }
}

// A bigger buffer can only cut traffic, unless it lets the mapper trade bytes for
// cycles: tiles cost a fill per fold each, so a faster mapping may refetch more. So the
// larger buffer is faster, or it moves no more bytes. A fixed dataflow, since with auto
// a bigger buffer may let a faster dataflow win that moves more bytes.
TEST(CostProperties, LargerBuffersNeverMoreDramTraffic) {
  int compared = 0;
  for (const Case& c : cases()) {
    if (c.accel.tensor.dataflow == Dataflow::kAuto) continue;
    arch::Accelerator a = c.accel;
    a.dram.latency_ns = 0;
    for (int64_t factor : {2, 4, 64}) {
      const OpCost small = evaluate_first(c.net, a);
      const OpCost large = evaluate_first(c.net, scaled_buffers(a, factor));
      ASSERT_TRUE(large.cycles < small.cycles || large.dram_bytes() <= small.dram_bytes())
          << describe(c, small) << " x" << factor << " -> " << large.mapping.to_string();
      ++compared;
    }
  }
  EXPECT_GT(compared, 1500);
}

TEST(CostProperties, StallFreeMeansComputeOnly) {
  for (const Case& c : cases()) {
    arch::Accelerator a = c.accel;
    a.dram.stall_free = true;
    const OpCost cost = evaluate_first(c.net, a);
    if (cost.mapping.on_vector_unit) {
      ASSERT_EQ(cost.cycles, cost.vector_cycles);
    } else {
      ASSERT_EQ(cost.cycles, cost.compute_cycles) << describe(c, cost);
      ASSERT_EQ(cost.stall_cycles, 0);
    }
    ASSERT_GT(cost.dram_bytes(), 0);  // traffic is still counted
  }
}

TEST(CostProperties, CacheNeverChangesAnswers) {
  CostCache cache;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < cases().size(); i += 10) {
      const Case& c = cases()[i];
      const OpCost a = evaluate_first(c.net, c.accel, &cache);
      const OpCost b = evaluate_first(c.net, c.accel);
      ASSERT_EQ(a.cycles, b.cycles);
      ASSERT_EQ(a.dram_bytes(), b.dram_bytes());
      ASSERT_DOUBLE_EQ(a.energy.total_pj(), b.energy.total_pj());
    }
  }
  EXPECT_GE(cache.hits(), 100u);
}

}  // namespace
}  // namespace acceldse::cost::test
