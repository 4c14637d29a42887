// Throughput of the analytical model: op evaluations per second with the full mapping
// search, and whole-network evaluation with a cold and a warm cache.
#include <benchmark/benchmark.h>

#include "arch/arch.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace {

using namespace acceldse;

// 128x128 array, dataflow auto (all three searched), default buffers and DRAM, 45 nm.
arch::Accelerator big_array() {
  arch::Accelerator a;
  a.name = "bench_128x128";
  a.tensor.rows = a.tensor.cols = 128;
  a.tensor.dataflow = arch::Dataflow::kAuto;
  a.buffers.input_kib = a.buffers.weight_kib = 512;
  a.buffers.output_kib = 256;
  a.technology = arch::load_technology("45nm");
  return a;
}

// ResNet-50's conv2_x 3x3 conv: 56x56x64 -> 64, pad 1.
workload::Network resnet_conv() {
  workload::NetworkBuilder b("conv", "<bench>");
  b.add_input("x", {1, 64, 56, 56});
  workload::Attrs attrs;
  attrs.out_channels = 64;
  attrs.kernel = {3, 3};
  attrs.pads = {1, 1, 1, 1};
  b.add_op("conv", "conv", {"x"}, attrs);
  return b.finish();
}

// Argument 1: the convolution's input fetched unique (buffers.im2col_fetch, as TPU v1
// and Eyeriss do), which adds what the tiles' taps share to every tiling tried.
void BM_OpEvaluationFullSearch(benchmark::State& state) {
  const workload::Network net = resnet_conv();
  arch::Accelerator accel = big_array();
  if (state.range(0) == 1) accel.buffers.im2col_fetch = arch::Im2colFetch::kUnique;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cost::evaluate_op(net, net.ops[0], accel));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OpEvaluationFullSearch)->Arg(0)->Arg(1);

void BM_ResNet50NoCache(benchmark::State& state) {
  const workload::Network net = workload::load_network("resnet50");
  const arch::Accelerator accel = big_array();
  for (auto _ : state) {
    benchmark::DoNotOptimize(cost::evaluate_network(net, accel));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(net.ops.size()));
}
BENCHMARK(BM_ResNet50NoCache)->Unit(benchmark::kMicrosecond);

void BM_ResNet50ColdCache(benchmark::State& state) {
  const workload::Network net = workload::load_network("resnet50");
  const arch::Accelerator accel = big_array();
  for (auto _ : state) {
    cost::CostCache cache;
    benchmark::DoNotOptimize(cost::evaluate_network(net, accel, &cache));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(net.ops.size()));
}
BENCHMARK(BM_ResNet50ColdCache)->Unit(benchmark::kMicrosecond);

// Argument: the batch. Above 1 the network is also costed in micro-batches (batch 8:
// 2 passes of 4, 4 of 2 and 8 of 1), built once as a search does (PreparedNetwork).
void BM_ResNet50WarmCache(benchmark::State& state) {
  const cost::PreparedNetwork net(workload::with_batch(workload::load_network("resnet50"), state.range(0), "resnet50"));
  const arch::Accelerator accel = big_array();
  cost::CostCache cache;
  cost::evaluate_network(net, accel, &cache);
  for (auto _ : state) {
    benchmark::DoNotOptimize(cost::evaluate_network(net, accel, &cache));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(net.network().ops.size()));
}
BENCHMARK(BM_ResNet50WarmCache)->Arg(1)->Arg(8)->Unit(benchmark::kMicrosecond);

// The same with the bare network, whose micro-batched copies are rebuilt on every call
// (what a one-off `evaluate` does).
void BM_ResNet50WarmCacheUnprepared(benchmark::State& state) {
  const workload::Network net = workload::with_batch(workload::load_network("resnet50"), state.range(0), "resnet50");
  const arch::Accelerator accel = big_array();
  cost::CostCache cache;
  cost::evaluate_network(net, accel, &cache);
  for (auto _ : state) {
    benchmark::DoNotOptimize(cost::evaluate_network(net, accel, &cache));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(net.ops.size()));
}
BENCHMARK(BM_ResNet50WarmCacheUnprepared)->Arg(8)->Unit(benchmark::kMicrosecond);

}  // namespace
