// Hand-derived cases for the analytical model. Every expected number is worked out in
// the comment next to it from the formulas in docs/model.md ("The analytical model").
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "cost/hw_params.h"
#include "cost/tensor_model.h"
#include "test_cost_util.h"

namespace acceldse::cost::test {
namespace {

using arch::Dataflow;

// SCALE-Sim v2 fold timing on an R x C = 32 x 32 array:
//   ws: 2R + C + T - 2 per fold, T = m     (k on rows, n on columns)
//   os:  R + C + T - 2 per fold, T = k     (m on rows, n on columns)
//   is: 2R + C + T - 2 per fold, T = n     (k on rows, m on columns)
TEST(CostTiming, GemmFillingTheArrayExactlyWs) {
  // m=64, k=32, n=32: one fold, 2*32 + 32 + 64 - 2 = 158.
  const OpCost c = evaluate_first(linear_net(64, 32, 32), stall_free(make_accel(32, 32, Dataflow::kWs)));
  EXPECT_EQ(c.compute_cycles, 158);
  EXPECT_EQ(c.cycles, 158);
  EXPECT_EQ(c.stall_cycles, 0);
  EXPECT_EQ(c.macs, 64 * 32 * 32);
  EXPECT_DOUBLE_EQ(c.utilization, 65536.0 / (1024.0 * 158.0));
  EXPECT_EQ(c.mapping.dataflow, Dataflow::kWs);
  EXPECT_EQ(c.bound, Bound::kCompute);
}

TEST(CostTiming, GemmFillingTheArrayExactlyOs) {
  // m=32, k=64, n=32: one fold, 32 + 32 + 64 - 2 = 126.
  const OpCost c = evaluate_first(linear_net(32, 64, 32), stall_free(make_accel(32, 32, Dataflow::kOs)));
  EXPECT_EQ(c.compute_cycles, 126);
  EXPECT_EQ(c.cycles, 126);
  EXPECT_EQ(c.mapping.dataflow, Dataflow::kOs);
}

TEST(CostTiming, GemmFillingTheArrayExactlyIs) {
  // m=32, k=32, n=64: one fold, 2*32 + 32 + 64 - 2 = 158.
  const OpCost c = evaluate_first(linear_net(32, 32, 64), stall_free(make_accel(32, 32, Dataflow::kIs)));
  EXPECT_EQ(c.compute_cycles, 158);
  EXPECT_EQ(c.cycles, 158);
  EXPECT_EQ(c.mapping.dataflow, Dataflow::kIs);
}

TEST(CostTiming, PartialFoldsInBothDimensions) {
  // m=100, k=70, n=40 on 32x32.
  const workload::Network net = linear_net(100, 70, 40);
  // ws: ceil(70/32)=3 row folds x ceil(40/32)=2 column folds, each 94 + 100: 6*194.
  EXPECT_EQ(evaluate_first(net, stall_free(make_accel(32, 32, Dataflow::kWs))).cycles, 1164);
  // os: ceil(100/32)=4 x ceil(40/32)=2 folds, each 62 + 70: 8*132.
  EXPECT_EQ(evaluate_first(net, stall_free(make_accel(32, 32, Dataflow::kOs))).cycles, 1056);
  // is: ceil(70/32)=3 x ceil(100/32)=4 folds, each 94 + 40: 12*134.
  EXPECT_EQ(evaluate_first(net, stall_free(make_accel(32, 32, Dataflow::kIs))).cycles, 1608);
  // auto picks the fastest: os.
  const OpCost best = evaluate_first(net, stall_free(make_accel(32, 32, Dataflow::kAuto)));
  EXPECT_EQ(best.cycles, 1056);
  EXPECT_EQ(best.mapping.dataflow, Dataflow::kOs);
  // The edge folds idle part of the array: utilisation = 280000 / (1024 * 1164).
  const OpCost ws = evaluate_first(net, stall_free(make_accel(32, 32, Dataflow::kWs)));
  EXPECT_NEAR(ws.utilization, 280000.0 / (1024.0 * 1164.0), 1e-12);
}

TEST(CostTiming, SeveralArraysSplitFolds) {
  const workload::Network net = linear_net(100, 70, 40);  // ws: 6 folds of 194 cycles
  auto with_arrays = [&](int64_t arrays) {
    arch::Accelerator a = stall_free(make_accel(32, 32, Dataflow::kWs));
    a.tensor.arrays = arrays;
    return evaluate_first(net, a).cycles;
  };
  EXPECT_EQ(with_arrays(4), 2 * 194);  // ceil(6/4) rounds of whole folds
  EXPECT_EQ(with_arrays(6), 194);
  // 16 arrays, 6 folds: each fold's 100 streamed rows split over 16/6 = 2 arrays.
  EXPECT_EQ(with_arrays(16), 94 + 50);
}

TEST(CostTiming, DramOverlapWithDoubleBuffering) {
  // ws m=64, k=32, n=32 (158 compute cycles); everything fits in one tile:
  // A 2048 + B 1024 bytes read, C 2048 bytes written = 5120 bytes at 25.6 B/cycle
  // = 200 DRAM cycles > 158, so DRAM paces: max(158, 200) + 100 (the first load's
  // latency; double buffering keeps later requests in flight) = 300.
  arch::Accelerator a = make_accel(32, 32, Dataflow::kWs);
  const OpCost c = evaluate_first(linear_net(64, 32, 32), a);
  EXPECT_EQ(c.dram_read_bytes, 3072);
  EXPECT_EQ(c.dram_write_bytes, 2048);
  EXPECT_EQ(c.compute_cycles, 158);
  EXPECT_EQ(c.cycles, 300);
  EXPECT_EQ(c.stall_cycles, 300 - 158);
  EXPECT_EQ(c.bound, Bound::kMemory);
  // Without double buffering transfers and compute alternate, and each transfer waits
  // for its own latency: 158 + 200 + 100.
  a.buffers.double_buffered = false;
  EXPECT_EQ(evaluate_first(linear_net(64, 32, 32), a).cycles, 458);
}

TEST(CostTiming, DramTimeDominates) {
  // A GEMV (batch-1 fully connected layer) streams 16 MiB of weights once at
  // 1 byte/cycle; the array needs only 128*128 folds of 2*32+32+1-2 = 95 cycles (1.6M).
  arch::Accelerator a = make_accel(32, 32, Dataflow::kWs);
  a.dram.bandwidth_gb_per_s = 1.0;  // 1 byte per cycle at 1 GHz
  const OpCost c = evaluate_first(linear_net(1, 4096, 4096), a);
  const double bytes = static_cast<double>(c.dram_bytes());
  EXPECT_GE(c.dram_read_bytes, 4096 * 4096);
  EXPECT_EQ(c.compute_cycles, 128 * 128 * 95);
  EXPECT_EQ(c.bound, Bound::kMemory);
  EXPECT_GE(static_cast<double>(c.cycles), bytes);
  EXPECT_LE(static_cast<double>(c.cycles), bytes * 1.01);  // latency of the bursts < 1%
  EXPECT_LT(c.utilization, 0.01);
}

TEST(CostTiming, StallFreeDramCountsTrafficButNoTime) {
  arch::Accelerator a = stall_free(make_accel(32, 32, Dataflow::kWs));
  a.dram.bandwidth_gb_per_s = 1.0;
  const OpCost c = evaluate_first(linear_net(1, 4096, 4096), a);
  EXPECT_EQ(c.cycles, c.compute_cycles);
  EXPECT_GE(c.dram_read_bytes, 4096 * 4096);
  EXPECT_GT(c.energy.dram_pj, 0);
}

// Pipelined folds (TPU v1's double-buffered weight tiles): a fold's preload (ws, is) or
// drain (os) of R cycles runs beside its neighbour's stream, so folds start every
// max(T, R) cycles and only the last pays the whole fill:
//   (folds - 1) * max(T, R) + fill + T.
arch::Accelerator pipelined(arch::Accelerator a) {
  a.tensor.pipelined_folds = true;
  return a;
}

// Buffer ports: os on 8x8, m=64 k=256 n=8 int8: 8 row folds of m re-read B, one column
// fold reads A once: 16,384 B of A and 16,384 B of B (outputs, 512 B, go to the other
// port). At 4 B/cycle split buffers read A and B side by side (4,096 cycles); one
// unified buffer reads both through its one port (8,192). The array alone needs less.
TEST(CostTiming, BufferPortsLimitComputeUnifiedSharesOnePort) {
  const workload::Network net = linear_net(64, 256, 8);
  arch::Accelerator split = stall_free(make_accel(8, 8, Dataflow::kOs));
  split.tensor.tiling = false;
  split.buffers.read_bytes_per_cycle = 4;
  const OpCost free_ports = evaluate_first(net, stall_free(make_accel(8, 8, Dataflow::kOs)));
  ASSERT_LT(free_ports.compute_cycles, 4096);
  EXPECT_EQ(evaluate_first(net, split).compute_cycles, 4096);
  arch::Accelerator unified = split;
  unified.buffers.unified = true;
  unified.buffers.unified_kib = unified.buffers.input_kib + unified.buffers.weight_kib + unified.buffers.output_kib;
  unified.buffers.input_kib = unified.buffers.weight_kib = unified.buffers.output_kib = 0;
  EXPECT_EQ(evaluate_first(net, unified).compute_cycles, 8192);
}

TEST(CostTiming, PipelinedFoldsHideThePreload) {
  const workload::Network net = linear_net(100, 70, 40);  // as PartialFoldsInBothDimensions
  // ws: 6 folds of T = 100 >= 32: 5 * 100 + (94 + 100) = 694 (not 6 * 194 = 1164).
  EXPECT_EQ(evaluate_first(net, pipelined(stall_free(make_accel(32, 32, Dataflow::kWs)))).cycles, 694);
  // os: 8 folds of T = 70, fill 62: 7 * 70 + 132 = 622.
  EXPECT_EQ(evaluate_first(net, pipelined(stall_free(make_accel(32, 32, Dataflow::kOs)))).cycles, 622);
  // is: 12 folds of T = 40: 11 * 40 + 134 = 574, now the fastest.
  const OpCost best = evaluate_first(net, pipelined(stall_free(make_accel(32, 32, Dataflow::kAuto))));
  EXPECT_EQ(best.cycles, 574);
  EXPECT_EQ(best.mapping.dataflow, Dataflow::kIs);
  // Four arrays: ceil(6 / 4) = 2 folds each, 100 + 194.
  arch::Accelerator four = pipelined(stall_free(make_accel(32, 32, Dataflow::kWs)));
  four.tensor.arrays = 4;
  EXPECT_EQ(evaluate_first(net, four).cycles, 294);
}

TEST(CostTiming, PipelinedFoldsShorterThanThePreloadWaitForIt) {
  // ws, m = 8 < R = 32: the next preload takes 32 cycles, so folds start every 32:
  // 5 * 32 + 94 + 8 = 262 (not 6 * 102 = 612).
  EXPECT_EQ(evaluate_first(linear_net(8, 70, 40), pipelined(stall_free(make_accel(32, 32, Dataflow::kWs)))).cycles,
            262);
  // Recurrent steps need the previous step's output: no overlap across steps, 3 * 262.
  // Independent instances pipeline through: 18 folds, 17 * 32 + 102 = 646.
  const detail::HwParams hw = detail::make_hw_params(pipelined(stall_free(make_accel(32, 32, Dataflow::kWs))));
  workload::Gemm steps{.m = 8, .k = 70, .n = 40, .count = 3, .sequential = true};
  EXPECT_EQ(detail::array_cycles(steps, Dataflow::kWs, hw), 3 * 262);
  steps.sequential = false;
  EXPECT_EQ(detail::array_cycles(steps, Dataflow::kWs, hw), 646);
  // m tiles of 4, 4 (last): every tile is a fold of T = 4 < 32 after its neighbour:
  // 2 tiles x 6 folds = 12 folds, 11 * 32 + 94 + 4 = 450.
  EXPECT_EQ(detail::tiled_array_cycles(workload::Gemm{.m = 8, .k = 70, .n = 40}, Dataflow::kWs, hw, 4, 70, 40), 450);
}

TEST(CostArea, PipelinedFoldsPayASecondStationaryRegister) {
  // ws int8: 1 + 1 + 4 bytes of pipeline registers + 1 byte of shadow weight per PE.
  EXPECT_NEAR(area(pipelined(make_accel(32, 32, Dataflow::kWs))).register_mm2, 1024 * 7 * 40e-6, 1e-12);
  // os: the shadow is a 4-byte accumulator; auto must hold all three (1 + 1 + 4).
  EXPECT_NEAR(area(pipelined(make_accel(32, 32, Dataflow::kOs))).register_mm2, 1024 * 10 * 40e-6, 1e-12);
  EXPECT_NEAR(area(pipelined(make_accel(32, 32, Dataflow::kAuto))).register_mm2, 1024 * 12 * 40e-6, 1e-12);
}

TEST(CostDepthwise, VectorUnitChosenWhenFaster) {
  // 32 channels, 112x112, 3x3, pad 1: 32 GEMMs of m=12544, k=9, n=1.
  // Array (ws, 128x128): one fold each, 2*128 + 128 + 12544 - 2 = 12926 cycles, x32
  // = 413632. Vector unit, 32 lanes: 12544*9*32 MACs / 32 = 112896 cycles.
  const workload::Network net = conv_net(32, 112, 112, 32, 3, 1, 1, 32);
  arch::Accelerator a = stall_free(make_accel(128, 128, Dataflow::kWs));
  const OpCost v = evaluate_first(net, a);
  EXPECT_TRUE(v.mapping.on_vector_unit);
  EXPECT_EQ(v.vector_cycles, 112896);
  EXPECT_EQ(v.cycles, 112896);
  EXPECT_EQ(v.compute_cycles, 0);
  EXPECT_EQ(v.macs, 12544 * 9 * 32);
  EXPECT_EQ(v.bound, Bound::kVector);
  // With one lane the vector unit needs 3.6M cycles: the array wins.
  a.vector.lanes = 1;
  const OpCost t = evaluate_first(net, a);
  EXPECT_FALSE(t.mapping.on_vector_unit);
  EXPECT_EQ(t.compute_cycles, 413632);
  EXPECT_EQ(t.cycles, 413632);
}

TEST(CostTiling, EveryTileRunsItsOwnFolds) {
  const detail::HwParams hw = detail::make_hw_params(make_accel(32, 32, Dataflow::kWs));
  const workload::Gemm g{.m = 1000, .k = 64, .n = 96, .count = 1};
  // ws: k on rows (2 folds), n on columns (3 folds), m streamed; fill 2R + C - 2 = 94.
  EXPECT_EQ(detail::tiled_array_cycles(g, Dataflow::kWs, hw, 1000, 64, 96), 6 * (94 + 1000));
  // Four m-tiles: every fold pays its fill four times.
  EXPECT_EQ(detail::tiled_array_cycles(g, Dataflow::kWs, hw, 250, 64, 96), 6 * (4 * 94 + 1000));
  // n-tiles of 48 on 32 columns: each tile needs 2 column folds, the second half idle.
  EXPECT_EQ(detail::tiled_array_cycles(g, Dataflow::kWs, hw, 1000, 64, 48), 2 * 4 * (94 + 1000));
  // k-tiles of 32 (multiples of the rows) cost nothing extra.
  EXPECT_EQ(detail::tiled_array_cycles(g, Dataflow::kWs, hw, 1000, 32, 96), 6 * (94 + 1000));
  // os: m on rows, k streamed (fill R + C - 2 = 62): m-tiles of 50 need 2 row folds each
  // (20 tiles, 40 folds) where the whole m needs 32.
  EXPECT_EQ(detail::tiled_array_cycles(g, Dataflow::kOs, hw, 1000, 64, 96), 32 * 3 * (62 + 64));
  EXPECT_EQ(detail::tiled_array_cycles(g, Dataflow::kOs, hw, 50, 64, 96), 40 * 3 * (62 + 64));
}

// A 3x3 valid convolution of 1x4x10x10 (int8) into 4 channels: GEMM m = 64 pixels,
// k = 36, n = 4. Expanded im2col (SCALE-Sim) reads 64 x 36 = 2,304 input bytes; fetched
// unique (buffers.im2col_fetch) the whole input once, 4 x 10 x 10 = 400, plus 144 of
// weights. Tiles of 16 pixels (2 output rows) each read 4 input rows, their halo row
// above and below included: 4 x 4 rows x 10 x 4 channels = 640.
TEST(CostTiling, ConvolutionFetchesUniqueInputsWithHalos) {
  const workload::Network net = conv_net(4, 10, 10, 4, 3);
  arch::Accelerator a = stall_free(make_accel(16, 16, Dataflow::kWs));
  EXPECT_EQ(evaluate_first(net, a).dram_read_bytes, 2304 + 144);
  a.buffers.im2col_fetch = arch::Im2colFetch::kUnique;
  EXPECT_EQ(evaluate_first(net, a).dram_read_bytes, 400 + 144);
  const detail::HwParams hw = detail::make_hw_params(a);
  const workload::Gemm g = workload::gemms(net, net.ops[0]).at(0);
  EXPECT_DOUBLE_EQ(detail::tile_traffic(g, hw, 16, 36, 4, "mkn").a_reads, 640);
  // k cut into tiles of 4 columns (one tap of the 4 channels each), k inside m: one tap
  // of the m-tile (16 x 4 bytes) stays in the 32 KiB half until the next, so the taps
  // still share and each m-tile reads its 4 input rows once: 640 again.
  EXPECT_DOUBLE_EQ(detail::tile_traffic(g, hw, 16, 4, 4, "mkn").a_reads, 640);
}

TEST(CostTiling, UntiledScheduleRefetchesWhatDoesNotFit) {
  // ws on 32x32, int8, 64 KiB buffers (32 KiB halves), acc 4 bytes.
  arch::Accelerator a = make_accel(32, 32, Dataflow::kWs);
  detail::HwParams hw = detail::make_hw_params(a);
  // A = 256 x 64 = 16 KiB fits: read once; partial sums 256 x 32 x 4 = 32 KiB fit.
  detail::TileTraffic t = detail::streaming_tile_traffic({.m = 256, .k = 64, .n = 96, .count = 1}, Dataflow::kWs, hw);
  EXPECT_EQ(t.a_reads, 256 * 64);
  EXPECT_EQ(t.b_reads, 64 * 96);
  EXPECT_EQ(t.c_reads, 0);
  EXPECT_EQ(t.c_writes, 256 * 96);
  // m = 1024: A (64 KiB) no longer fits, so it is read once per column fold (3); the
  // partial sums of a column fold (128 KiB) spill between the 2 row folds.
  t = detail::streaming_tile_traffic({.m = 1024, .k = 64, .n = 96, .count = 1}, Dataflow::kWs, hw);
  EXPECT_EQ(t.a_reads, 3 * 1024 * 64);
  EXPECT_EQ(t.b_reads, 64 * 96);
  EXPECT_EQ(t.c_reads, 1024 * 96 * 4);
  EXPECT_EQ(t.c_writes, 1024 * 96 + 1024 * 96 * 4);
  // os: outputs finish in the PEs; B's 64 x 32 column slice fits, A is re-read per column fold.
  t = detail::streaming_tile_traffic({.m = 1024, .k = 64, .n = 96, .count = 1}, Dataflow::kOs, hw);
  EXPECT_EQ(t.a_reads, 3 * 1024 * 64);
  EXPECT_EQ(t.b_reads, 64 * 96);
  EXPECT_EQ(t.c_writes, 1024 * 96);
}

TEST(CostAttention, ActivationTimesActivation) {
  // Q K^T of 12 heads: 12 GEMMs of m=128, k=64, n=128 whose B is an activation, so it
  // is read at input precision (2 bytes), not weight precision (1 byte).
  const workload::Network net = matmul_net({1, 12, 128, 64}, {1, 12, 64, 128});
  arch::Accelerator a = stall_free(make_accel(32, 32, Dataflow::kWs));
  a.precision.input_bytes = 2;
  a.precision.weight_bytes = 1;
  a.precision.output_bytes = 2;
  a.buffers.input_kib = a.buffers.weight_kib = a.buffers.output_kib = 4096;  // every tile whole
  const OpCost c = evaluate_first(net, a);
  EXPECT_EQ(c.macs, 12 * 128 * 64 * 128);
  // ws per head: ceil(64/32)=2 x ceil(128/32)=4 folds of 94 + 128; 12 heads.
  EXPECT_EQ(c.compute_cycles, 12 * 8 * 222);
  EXPECT_EQ(c.dram_read_bytes, 12 * 128 * 64 * 2 + 12 * 64 * 128 * 2);
  EXPECT_EQ(c.dram_write_bytes, 12 * 128 * 128 * 2);
}

TEST(CostTiling, SmallBuffersCostMoreTrafficThanCompulsory) {
  const workload::Network net = linear_net(1024, 1024, 1024);
  arch::Accelerator big = make_accel(32, 32, Dataflow::kWs);
  big.buffers.input_kib = big.buffers.weight_kib = 4096;
  big.buffers.output_kib = 16384;
  const OpCost whole = evaluate_first(net, big);
  // Everything fits: each operand moves exactly once.
  EXPECT_EQ(whole.dram_read_bytes, 2 * 1024 * 1024);
  EXPECT_EQ(whole.dram_write_bytes, 1024 * 1024);
  EXPECT_EQ(whole.mapping.tile_k, 1024);
  arch::Accelerator small = make_accel(32, 32, Dataflow::kWs);
  small.buffers.input_kib = small.buffers.weight_kib = small.buffers.output_kib = 8;
  const OpCost tiled = evaluate_first(net, small);
  EXPECT_GT(tiled.dram_bytes(), whole.dram_bytes());
  // Every tile runs its own folds: cutting the streamed m adds one fill (2R + C - 2 =
  // 94 cycles) per fold per extra m-tile; k and n tiles are multiples of the array.
  const auto& t = tiled.mapping;
  ASSERT_EQ(t.tile_k % 32, 0);
  ASSERT_EQ(t.tile_n % 32, 0);
  const int64_t folds = (1024 / 32) * (1024 / 32), m_tiles = (1024 + t.tile_m - 1) / t.tile_m;
  EXPECT_EQ(whole.compute_cycles, folds * (94 + 1024));
  EXPECT_EQ(tiled.compute_cycles, folds * (m_tiles * 94 + 1024));
  EXPECT_GT(m_tiles, 1) << t.to_string();  // tiles beat refetching A per column fold
  EXPECT_GT(tiled.cycles, whole.cycles);
  // The chosen tile fits half of each 8 KiB buffer (double buffered).
  const auto& m = tiled.mapping;
  EXPECT_LE(m.tile_m * m.tile_k, 4096);
  EXPECT_LE(m.tile_k * m.tile_n, 4096);
  EXPECT_LE(m.tile_m * m.tile_n * 4, 4096);
  EXPECT_EQ(m.loop_order.size(), 3u);
}

TEST(CostTiling, LoopOrderDecidesRefetches) {
  // m=100, k=64, n=96 (int8, 4-byte accumulators) in tiles 50 x 32 x 32:
  // 2 m-steps, 2 k-steps, 3 n-steps, 12 stages. A = 6400 B, B = 6144 B, C = 9600 B.
  // 6 KiB input and weight buffers (3 KiB halves) hold a tile (1600 and 1024 B) but not
  // what an outer loop sweeps past before it comes back (an m-tile over all of k, 3200 B;
  // all of A or B), so that is fetched again (CostTiling.WhatStaysInTheBufferIsNotRefetched:
  // the opposite).
  const workload::Gemm g{.m = 100, .k = 64, .n = 96};
  arch::Accelerator a = make_accel(32, 32, Dataflow::kWs);
  a.buffers.input_kib = a.buffers.weight_kib = 6;
  const detail::HwParams hw = detail::make_hw_params(a);
  // mkn: A's loops (m, k) are outside n, so A stays; B is indexed by (k, n) inside m:
  // fetched again for each of the 2 m-steps; C (m, n) sits inside k: partial sums
  // spill once (2 k-steps) at 4 bytes: 38400 B out and back.
  detail::TileTraffic t = detail::tile_traffic(g, hw, 50, 32, 32, "mkn");
  EXPECT_DOUBLE_EQ(t.a_reads, 6400);
  EXPECT_DOUBLE_EQ(t.b_reads, 2 * 6144);
  EXPECT_DOUBLE_EQ(t.c_reads, 38400);
  EXPECT_DOUBLE_EQ(t.c_writes, 9600 + 38400);
  EXPECT_DOUBLE_EQ(t.bursts, 12);
  // nkm: n outermost refetches A 3 times; B stays across the inner m loop.
  t = detail::tile_traffic(g, hw, 50, 32, 32, "nkm");
  EXPECT_DOUBLE_EQ(t.a_reads, 3 * 6400);
  EXPECT_DOUBLE_EQ(t.b_reads, 6144);
  EXPECT_DOUBLE_EQ(t.c_reads, 38400);
  // mnk: k innermost keeps each C tile until it is complete: no spill; A is refetched
  // for each n-step and B for each m-step.
  t = detail::tile_traffic(g, hw, 50, 32, 32, "mnk");
  EXPECT_DOUBLE_EQ(t.a_reads, 3 * 6400);
  EXPECT_DOUBLE_EQ(t.b_reads, 2 * 6144);
  EXPECT_DOUBLE_EQ(t.c_reads, 0);
  EXPECT_DOUBLE_EQ(t.c_writes, 9600);
  // A loop that runs once never forces a refetch: whole m, so B is read once.
  t = detail::tile_traffic(g, hw, 100, 32, 32, "mkn");
  EXPECT_DOUBLE_EQ(t.b_reads, 6144);
  EXPECT_DOUBLE_EQ(t.bursts, 6);
  // Instances multiply everything.
  t = detail::tile_traffic(workload::Gemm{.m = 100, .k = 64, .n = 96, .count = 3}, hw, 50, 32, 32, "mnk");
  EXPECT_DOUBLE_EQ(t.a_reads, 3 * 3 * 6400);
  EXPECT_DOUBLE_EQ(t.bursts, 36);
}

TEST(CostTiling, WhatStaysInTheBufferIsNotRefetched) {
  // The GEMM and tiles of LoopOrderDecidesRefetches. An outer loop that does not index an
  // operand refetches it only if what the operand reads until the loop's next step does
  // not stay in its buffer (LRU, as in the simulator).
  const workload::Gemm g{.m = 100, .k = 64, .n = 96};
  arch::Accelerator a = make_accel(32, 32, Dataflow::kWs);
  // nkm: between two n-steps A reads all of itself (k and m are inside n): 6,400 B.
  a.buffers.input_kib = 12;  // 6 KiB half: refetched for each of the 3 n-steps
  EXPECT_DOUBLE_EQ(detail::tile_traffic(g, detail::make_hw_params(a), 50, 32, 32, "nkm").a_reads, 3 * 6400);
  a.buffers.input_kib = 14;  // 7 KiB half: stays, read once
  EXPECT_DOUBLE_EQ(detail::tile_traffic(g, detail::make_hw_params(a), 50, 32, 32, "nkm").a_reads, 6400);
  // mnk: between two n-steps A reads one m-tile over all of k, 50 x 64 = 3,200 B; B,
  // between two m-steps, all of itself (n and k inside m), 6,144 B.
  a.buffers.input_kib = 6;    // 3 KiB half
  a.buffers.weight_kib = 10;  // 5 KiB half
  detail::TileTraffic t = detail::tile_traffic(g, detail::make_hw_params(a), 50, 32, 32, "mnk");
  EXPECT_DOUBLE_EQ(t.a_reads, 3 * 6400);
  EXPECT_DOUBLE_EQ(t.b_reads, 2 * 6144);
  a.buffers.input_kib = 8;    // 4 KiB half holds the 3,200 B
  a.buffers.weight_kib = 14;  // 7 KiB half holds B
  t = detail::tile_traffic(g, detail::make_hw_params(a), 50, 32, 32, "mnk");
  EXPECT_DOUBLE_EQ(t.a_reads, 6400);
  EXPECT_DOUBLE_EQ(t.b_reads, 6144);
  EXPECT_DOUBLE_EQ(t.c_reads, 0);  // partial sums are a separate rule (k innermost: none)
}

// Input bytes the model fetches for a convolution fetched unique on 16x16 ws, k cut
// into single taps of its 64 channels inside tiles of `tile_m` pixels, all 8 filters.
double tap_tiles_a_reads(const workload::Network& net, int64_t input_kib, int64_t tile_m) {
  arch::Accelerator a = make_accel(16, 16, Dataflow::kWs);
  a.buffers.im2col_fetch = arch::Im2colFetch::kUnique;
  a.buffers.input_kib = input_kib;
  const workload::Gemm g = workload::gemms(net, net.ops[0]).at(0);
  return detail::tile_traffic(g, detail::make_hw_params(a), tile_m, 64, 8, "mkn").a_reads;
}

TEST(CostTiling, ConvolutionTapsShareWhenTheTilesInputRowsStay) {
  // 3x3 valid convolution of 1x64x12x12 (int8) into 8 channels: m = 10 x 10 = 100
  // pixels, k = 64 x 9 = 576, n = 8. An m-tile of 20 pixels (2 output rows) needs 4 input
  // rows: 4 x 12 x 64 = 3,072 unique bytes; 5 m-tiles. With k cut into single taps (64
  // columns) and k inside m, the taps of one tile share its input rows when those stay
  // in the 4 KiB half of an 8 KiB input buffer until the last tap, which they do (3,072
  // B): 5 x 3,072 = 15,360 B.
  const workload::Network net = conv_net(64, 12, 12, 8, 3);
  const workload::Gemm g = workload::gemms(net, net.ops[0]).at(0);
  ASSERT_EQ(g.m, 100);
  ASSERT_EQ(g.k, 576);
  EXPECT_DOUBLE_EQ(tap_tiles_a_reads(net, 8, 20), 15360);
  // A 2 KiB half does not hold the rows, but an element read by kernel row r is read
  // again by row r + 1 (one output row down) after one kernel row's footprint of the
  // tile: 2 output rows x 12 x 64 = 1,536 B, which stays; so 15,360 again.
  EXPECT_DOUBLE_EQ(tap_tiles_a_reads(net, 4, 20), 15360);
  // A 3-row tile (30 pixels): its kernel row footprint, 3 x 12 x 64 = 2,304 B, does not
  // stay in 2 KiB, but one tap of it does (30 x 64 = 1,920 B) until the tap to its right
  // reads the same elements: each kernel row reads its own 3 input rows, 3 x 3 x 12 x 64
  // = 6,912 B of the tile's 30 x 576 = 17,280 im2col bytes (0.4 of A).
  EXPECT_DOUBLE_EQ(tap_tiles_a_reads(net, 4, 30), 0.4 * 57600);
  // A 1 KiB half holds not even one tap of a 2-row tile (20 x 64 = 1,280 B): every tap
  // reads its own input, the im2col matrix, 100 x 576 B.
  EXPECT_DOUBLE_EQ(tap_tiles_a_reads(net, 2, 20), 57600);
}

// With stride 2 an element comes back two taps (or two kernel rows) later, not one. 3x3
// convolution, stride 2, of 1x64x13x13 (int8): 6 x 6 = 36 pixels, k = 576. A tile of 12
// pixels (2 output rows) reads 5 input rows: 5 x 13 x 64 = 4,160 B, more than a 2 KiB
// half (4 KiB input buffer). Kernel row r + 2 reads what row r read one output row down,
// two kernel rows' footprint later: 2 x (2 rows x 13 x 64) = 3,328 B, which does not
// stay either; the tap two to the right reads what a tap read one pixel on, two taps'
// worth later, 2 x 12 x 64 = 1,536 B, which stays. So each kernel row reads its own
// input rows: 3 x 2 x 13 x 64 = 4,992 B per tile of 12 x 576 = 6,912 im2col bytes.
TEST(CostTiling, StridedConvolutionTapsShareTwoTapsApart) {
  const workload::Network net = conv_net(64, 13, 13, 8, 3, 2);
  const workload::Gemm g = workload::gemms(net, net.ops[0]).at(0);
  ASSERT_EQ(g.m, 36);
  ASSERT_EQ(g.k, 576);
  EXPECT_DOUBLE_EQ(tap_tiles_a_reads(net, 4, 12), 36 * 576 * 4992.0 / 6912.0);
}

// SCALE-Sim's untiled os schedule under unique fetch: 3x3 valid convolution of
// 1x64x12x12 (int8) into 8 channels on a 4x4 array: folds of 4 output pixels with all of
// k = 576, in pixel order, re-read for each of the 2 column folds (n = 8). All of the
// input (9,216 B) never stays, so what is fetched depends on what does:
// - 8 KiB input buffer (4 KiB half) holds an output row's band of 3 input rows
//   (3 x 12 x 64 = 2,304 B): each element once per column fold, 2 x 9,216 = 18,432 B;
// - 4 KiB (2 KiB half) holds a fold's windows (3 rows x 6 columns x 64 = 1,152 B) but not
//   the band: neighbouring folds share columns, each of the 10 output rows reads its 3
//   input rows, 2 x 10 x 2,304 = 46,080;
// - 2 KiB (1 KiB half) holds no fold's windows, but a fold sweeps k tap by tap and one
//   kernel row's footprint of it (1 row x 6 columns x 64 = 384 B) stays until the next
//   kernel row reads it: each of the 25 folds reads its windows once, 2 x 25 x 1,152 =
//   57,600 B (the simulator's LRU, which keeps part of a fold for the next, 51,200).
TEST(CostTiling, UntiledOutputStationarySharesWhatStaysBetweenFolds) {
  const workload::Network net = conv_net(64, 12, 12, 8, 3);
  arch::Accelerator a = make_accel(4, 4, Dataflow::kOs);
  a.buffers.im2col_fetch = arch::Im2colFetch::kUnique;
  const workload::Gemm g = workload::gemms(net, net.ops[0]).at(0);
  const auto a_reads = [&](int64_t input_kib) {
    a.buffers.input_kib = input_kib;
    return detail::streaming_tile_traffic(g, Dataflow::kOs, detail::make_hw_params(a)).a_reads;
  };
  EXPECT_DOUBLE_EQ(a_reads(8), 18432);
  EXPECT_DOUBLE_EQ(a_reads(4), 46080);
  EXPECT_DOUBLE_EQ(a_reads(2), 57600);
}

TEST(CostEnergy, ComponentsOfAnExactFold) {
  // ws m=64, k=32, n=32, stall-free, 64 KiB buffers: SRAM energy 1 * sqrt(64/8) pJ/B.
  const OpCost c = evaluate_first(linear_net(64, 32, 32), stall_free(make_accel(32, 32, Dataflow::kWs)));
  const double macs = 65536;
  const double sram = std::sqrt(8.0);
  EXPECT_DOUBLE_EQ(c.energy.mac_pj, macs * 0.25);
  EXPECT_DOUBLE_EQ(c.energy.register_pj, macs * (1 + 1 + 4) * 0.03);
  // Input SRAM: the array reads A once (one column fold), DRAM writes it once.
  EXPECT_NEAR(c.energy.input_sram_pj, (2048 + 2048) * sram, 1e-9);
  EXPECT_EQ(c.input_sram_reads_bytes, 2048);
  EXPECT_EQ(c.input_sram_writes_bytes, 2048);
  EXPECT_DOUBLE_EQ(c.energy.dram_pj, (3072 + 2048) * 100.0);
  // Leakage: 10 mW/mm^2 over the design's area for 158 ns.
  const double area_mm2 = area(make_accel(32, 32, Dataflow::kWs)).total_mm2();
  EXPECT_NEAR(c.energy.leakage_pj, 10 * area_mm2 * 158, 1e-9);
}

TEST(CostArea, ByComponent) {
  const Area a = area(make_accel(32, 32, Dataflow::kWs));
  EXPECT_NEAR(a.pe_mm2, 1024 * 400e-6, 1e-12);
  EXPECT_NEAR(a.register_mm2, 1024 * 6 * 40e-6, 1e-12);  // 1 + 1 + 4 bytes per PE
  EXPECT_NEAR(a.input_sram_mm2, 64 * 0.005, 1e-12);
  EXPECT_NEAR(a.weight_sram_mm2, 64 * 0.005, 1e-12);
  EXPECT_NEAR(a.output_sram_mm2, 64 * 0.005, 1e-12);
  EXPECT_NEAR(a.vector_mm2, 32 * 10000e-6, 1e-12);
  EXPECT_NEAR(a.interconnect_mm2, 0.1 * (0.4096 + 0.24576 + 0.96), 1e-12);
  EXPECT_NEAR(a.total_mm2(), 0.4096 + 0.24576 + 0.96 + 0.32 + 0.161536, 1e-9);
}

workload::Network unary_net(const std::string& type, const workload::Shape& shape) {
  workload::NetworkBuilder b("unary", "<test>");
  b.add_input("x", shape);
  workload::Attrs attrs;
  if (type == "transpose") attrs.dims = {0, 1, 3, 2};
  if (type == "reshape") attrs.dims = {0, -1};
  b.add_op("op", type, {"x"}, attrs);
  return b.finish();
}

TEST(CostVector, ElementwiseStreamingThroughDram) {
  // relu on 64x56x56 = 200704 int8 elements: 200704 / 32 lanes = 6272 cycles. In + out
  // = 401408 bytes exceed the 128 KiB of activation buffers, so they stream via DRAM:
  // 401408 / 25.6 = 15680 cycles; double buffered: max(6272, 15680) + 100 (the first
  // latency) = 15780.
  const OpCost c = evaluate_first(unary_net("relu", {1, 64, 56, 56}), make_accel(32, 32, Dataflow::kWs));
  EXPECT_EQ(c.vector_cycles, 6272);
  EXPECT_EQ(c.dram_bytes(), 401408);
  EXPECT_EQ(c.cycles, 15780);
  EXPECT_EQ(c.bound, Bound::kMemory);
  EXPECT_EQ(c.compute_cycles, 0);
  EXPECT_DOUBLE_EQ(c.utilization, 0);
}

TEST(CostVector, ElementwiseOnChip) {
  // 4096 elements: 8 KiB in + out stay on chip; 4096 / 32 = 128 cycles, no DRAM.
  const OpCost c = evaluate_first(unary_net("relu", {1, 16, 16, 16}), make_accel(32, 32, Dataflow::kWs));
  EXPECT_EQ(c.cycles, 128);
  EXPECT_EQ(c.dram_bytes(), 0);
  EXPECT_EQ(c.bound, Bound::kVector);
  EXPECT_DOUBLE_EQ(c.energy.vector_pj, 4096 * 5.0);
}

TEST(CostDataMove, ViewsAreFreeCopiesAreNot) {
  const arch::Accelerator a = make_accel(32, 32, Dataflow::kWs);
  const OpCost view = evaluate_first(unary_net("reshape", {1, 16, 16, 16}), a);
  EXPECT_EQ(view.cycles, 0);
  EXPECT_EQ(view.dram_bytes(), 0);
  EXPECT_EQ(view.bound, Bound::kNone);
  // transpose of 4096 bytes on chip: read and write at the array-edge width of 32 B/cycle.
  const OpCost copy = evaluate_first(unary_net("transpose", {1, 16, 16, 16}), a);
  EXPECT_EQ(copy.cycles, 4096 / 32);
  EXPECT_EQ(copy.input_sram_reads_bytes, 4096);
  EXPECT_EQ(copy.output_sram_writes_bytes, 4096);
  EXPECT_EQ(copy.bound, Bound::kMemory);
}

TEST(CostNetwork, ActivationFusedIntoConv) {
  workload::NetworkBuilder b("convrelu", "<test>");
  b.add_input("x", {1, 64, 56, 56});
  workload::Attrs conv;
  conv.out_channels = 64;
  conv.kernel = {3, 3};
  conv.pads = {1, 1, 1, 1};
  b.add_op("conv", "conv", {"x"}, conv);
  b.add_op("relu", "relu", {"conv"}, workload::Attrs{});
  const workload::Network net = b.finish();
  const arch::Accelerator a = make_accel(32, 32, Dataflow::kWs);
  const NetworkCost nc = evaluate_network(net, a);
  ASSERT_EQ(nc.layers.size(), 2u);
  const OpCost& relu = nc.layers[1];
  EXPECT_TRUE(relu.fused);
  EXPECT_EQ(relu.vector_cycles, 200704 / 32);
  EXPECT_EQ(relu.cycles, 0);  // hidden behind the conv's cycles
  EXPECT_EQ(relu.dram_bytes(), 0);
  EXPECT_EQ(nc.totals.cycles, nc.layers[0].cycles);
  EXPECT_EQ(nc.totals.macs, 56 * 56 * 64 * 9 * 64);
  EXPECT_NEAR(nc.totals.utilization,
              static_cast<double>(nc.totals.macs) / (1024.0 * static_cast<double>(nc.totals.cycles)), 1e-12);
  EXPECT_NEAR(nc.latency_s, static_cast<double>(nc.totals.cycles) * 1e-9, 1e-15);
  EXPECT_NEAR(nc.throughput_per_s, 1.0 / nc.latency_s, 1e-6);
  EXPECT_NEAR(nc.power_w, nc.totals.energy.chip_pj() * 1e-12 / nc.latency_s, 1e-9);
  EXPECT_NEAR(nc.dram_power_w, nc.totals.energy.dram_pj * 1e-12 / nc.latency_s, 1e-9);  // no background here
  EXPECT_NEAR(nc.area.total_mm2(), area(a).total_mm2(), 1e-12);
  // Leakage is charged for the op's own cycles: none for the hidden relu.
  EXPECT_DOUBLE_EQ(relu.energy.leakage_pj, 0);
}

TEST(CostCacheTest, SameResultsAndHits) {
  const workload::Network net = conv_net(64, 56, 56, 64, 3, 1, 1);
  const arch::Accelerator a = make_accel(32, 32, Dataflow::kAuto);
  CostCache cache;
  const OpCost cold = evaluate_first(net, a, &cache);
  const OpCost warm = evaluate_first(net, a, &cache);
  const OpCost none = evaluate_first(net, a);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.size(), 1u);
  for (const OpCost* c : {&warm, &none}) {
    EXPECT_EQ(c->cycles, cold.cycles);
    EXPECT_EQ(c->dram_bytes(), cold.dram_bytes());
    EXPECT_DOUBLE_EQ(c->energy.total_pj(), cold.energy.total_pj());
    EXPECT_EQ(c->mapping.to_string(), cold.mapping.to_string());
  }
  // A different array is a different key for a conv...
  evaluate_first(net, make_accel(64, 64, Dataflow::kAuto), &cache);
  EXPECT_EQ(cache.misses(), 2u);
  // ...but not for an element-wise op, which does not use the array.
  const workload::Network relu = unary_net("relu", {1, 64, 56, 56});
  evaluate_first(relu, make_accel(32, 32, Dataflow::kWs), &cache);
  evaluate_first(relu, make_accel(128, 16, Dataflow::kOs), &cache);
  EXPECT_EQ(cache.misses(), 3u);
  EXPECT_EQ(cache.hits(), 2u);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(CostCacheTest, SharedAcrossThreads) {
  // Several workers evaluating different designs through one cache get exactly what a
  // lone, cache-less evaluation gets.
  workload::NetworkBuilder b("mix", "<test>");
  b.add_input("x", {1, 32, 28, 28});
  workload::Attrs conv;
  conv.out_channels = 32;
  conv.kernel = {3, 3};
  conv.pads = {1, 1, 1, 1};
  b.add_op("c1", "conv", {"x"}, conv);
  b.add_op("r1", "relu", {"c1"}, workload::Attrs{});
  b.add_op("c2", "conv", {"r1"}, conv);
  b.add_op("add", "add", {"c2", "x"}, workload::Attrs{});
  const workload::Network net = b.finish();
  std::vector<arch::Accelerator> designs;
  for (int64_t rows : {8, 16, 32}) {
    for (Dataflow d : {Dataflow::kWs, Dataflow::kOs, Dataflow::kAuto}) designs.push_back(make_accel(rows, 16, d));
  }
  std::vector<int64_t> expected;
  for (const auto& a : designs) expected.push_back(evaluate_network(net, a).totals.cycles);
  CostCache cache;
  std::vector<std::thread> workers;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < designs.size(); ++i) {
          if (evaluate_network(net, designs[i], &cache).totals.cycles != expected[i])
            ++mismatches[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
  // One look-up per op, and a second for each op whose activations are resident (its
  // all-DRAM cost is looked up first): count them in one lone pass.
  CostCache once;
  for (const auto& a : designs) evaluate_network(net, a, &once);
  const uint64_t lookups = once.hits() + once.misses();
  EXPECT_GE(lookups, designs.size() * net.ops.size());
  EXPECT_EQ(cache.hits() + cache.misses(), 4u * 50u * lookups);
  EXPECT_LE(cache.size(), lookups);
}

TEST(CostMapping, Strings) {
  Mapping m;
  m.dataflow = Dataflow::kWs;
  m.tile_m = 3136, m.tile_k = 576, m.tile_n = 64;
  m.loop_order = "nkm";
  EXPECT_EQ(m.to_string(), "ws m=3136 k=576 n=64 nkm");
  m.on_vector_unit = true;
  EXPECT_EQ(m.to_string(), "vector unit");
  EXPECT_STREQ(to_string(Bound::kMemory), "memory");
  EXPECT_STREQ(to_string(Bound::kNone), "none");
}

}  // namespace
}  // namespace acceldse::cost::test
