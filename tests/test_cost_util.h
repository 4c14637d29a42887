#pragma once
// Helpers for the cost-model tests: accelerators and one-op networks built in code, so
// every expected number can be derived by hand from the values written here.
#include <string>
#include <vector>

#include "arch/arch.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace acceldse::cost::test {

// A technology with round numbers (not a real node): energies are easy to check.
inline arch::Technology round_technology() {
  arch::Technology t;
  t.name = "round";
  t.node_nm = 45;
  t.mac_area_um2 = {{"int8", 400}, {"int16", 1000}, {"int32", 3600}, {"fp16", 5000}, {"bf16", 5000}, {"fp32", 12000}};
  t.mac_energy_pj = {{"int8", 0.25}, {"int16", 1}, {"int32", 3}, {"fp16", 2}, {"bf16", 2}, {"fp32", 4}};
  t.register_area_um2_per_byte = 40;
  t.register_energy_pj_per_byte = 0.03;
  t.sram_area_mm2_per_kib = 0.005;
  t.sram_energy_pj_per_byte_ref = 1;
  t.sram_ref_kib = 8;
  t.sram_energy_exponent = 0.5;
  t.dram.device_energy_pj_per_bit = 12.5;  // 100 pJ per byte; no PHY, no channels
  // The fields the calibrated model adds (clock, banks, voltage, I/O) keep their
  // neutral defaults here, so the hand-derived figures below stay the classic ones.
  t.vector_lane_area_um2 = 10000;
  t.vector_op_energy_pj = 5;
  t.interconnect_area_fraction = 0.1;
  t.leakage_mw_per_mm2 = 10;
  return t;
}

// A rows x cols int8 array at 1 GHz with 64 KiB split double buffers, 32 lanes.
inline arch::Accelerator make_accel(int64_t rows, int64_t cols, arch::Dataflow dataflow) {
  arch::Accelerator a;
  a.name = "test";
  a.tensor.rows = rows;
  a.tensor.cols = cols;
  a.tensor.dataflow = dataflow;
  a.technology = round_technology();
  a.technology_name = "round";
  return a;
}

// DRAM that never limits (SCALE-Sim CALC mode): cycles are the array's alone.
inline arch::Accelerator stall_free(arch::Accelerator a) {
  a.dram.stall_free = true;
  return a;
}

// x[m, k] -> linear(out_features = n): one GEMM m x k x n with weights.
inline workload::Network linear_net(int64_t m, int64_t k, int64_t n) {
  workload::NetworkBuilder b("linear", "<test>");
  b.add_input("x", {m, k});
  workload::Attrs attrs;
  attrs.out_features = n;
  b.add_op("fc", "linear", {"x"}, attrs);
  return b.finish();
}

// x[1, c, h, w] -> conv(k filters, kernel r x r, stride, pad, groups).
inline workload::Network conv_net(int64_t c, int64_t h, int64_t w, int64_t k, int64_t r, int64_t stride = 1,
                                  int64_t pad = 0, int64_t groups = 1) {
  workload::NetworkBuilder b("conv", "<test>");
  b.add_input("x", {1, c, h, w});
  workload::Attrs attrs;
  attrs.out_channels = k;
  attrs.kernel = {r, r};
  attrs.stride = {stride, stride};
  attrs.pads = {pad, pad, pad, pad};
  attrs.groups = groups;
  b.add_op("conv", "conv", {"x"}, attrs);
  return b.finish();
}

// Batched matmul of two activations a[batch..., m, k] x b[batch..., k, n].
inline workload::Network matmul_net(const workload::Shape& a, const workload::Shape& b_shape) {
  workload::NetworkBuilder b("matmul", "<test>");
  b.add_input("a", a);
  b.add_input("b", b_shape);
  b.add_op("mm", "matmul", {"a", "b"}, workload::Attrs{});
  return b.finish();
}

inline OpCost evaluate_first(const workload::Network& net, const arch::Accelerator& accel, CostCache* cache = nullptr) {
  return evaluate_op(net, net.ops.at(0), accel, cache);
}

}  // namespace acceldse::cost::test
