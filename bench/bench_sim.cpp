// Throughput of the reference simulator: one whole network per iteration, one core.
// The requirement is resnet50 on a 32x32 weight-stationary array in under a minute.
#include <benchmark/benchmark.h>

#include "arch/arch.h"
#include "sim/sim.h"
#include "workload/workload.h"

namespace {

using acceldse::arch::Accelerator;
using acceldse::arch::Dataflow;

Accelerator array(int64_t rows, int64_t cols, Dataflow dataflow) {
  Accelerator accel;  // default buffers (64 KiB each), 25.6 GB/s at 1 GHz
  accel.tensor.rows = rows;
  accel.tensor.cols = cols;
  accel.tensor.dataflow = dataflow;
  return accel;
}

void simulate(benchmark::State& state, const char* model, Dataflow dataflow) {
  const acceldse::workload::Network net = acceldse::workload::load_network(model);
  const Accelerator accel = array(state.range(0), state.range(1), dataflow);
  int64_t cycles = 0;
  for (auto _ : state) {
    acceldse::sim::NetworkResult r = acceldse::sim::simulate_network(net, accel);
    cycles = r.totals.cycles;
    benchmark::DoNotOptimize(cycles);
  }
  state.counters["simulated_cycles"] = static_cast<double>(cycles);
  state.counters["cycles_per_s"] =
      benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SimResnet50Ws(benchmark::State& state) { simulate(state, "resnet50", Dataflow::kWs); }
void BM_SimResnet50Os(benchmark::State& state) { simulate(state, "resnet50", Dataflow::kOs); }
void BM_SimResnet50Is(benchmark::State& state) { simulate(state, "resnet50", Dataflow::kIs); }
void BM_SimBertBaseWs(benchmark::State& state) { simulate(state, "bert_base", Dataflow::kWs); }

BENCHMARK(BM_SimResnet50Ws)->Args({32, 32})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SimResnet50Os)->Args({32, 32})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SimResnet50Is)->Args({32, 32})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SimBertBaseWs)->Args({32, 32})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
