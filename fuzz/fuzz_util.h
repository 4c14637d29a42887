#pragma once
// Shared by the libFuzzer harnesses: the contract every reader keeps is "an InputError
// or a correct result"; anything else escaping (another exception, a crash, a sanitizer
// report) is a finding. Results are checked for the numbers the issue forbids.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "arch/arch.h"
#include "common/error.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace acceldse::fuzz {

// Readers that take a path get the input through this per-process file.
inline std::string write_input(const uint8_t* data, size_t size, const std::string& extension) {
  const std::string path = "/tmp/acceldse_fuzz_" + std::to_string(::getpid()) + extension;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

[[noreturn]] inline void finding(const char* what) {
  std::fprintf(stderr, "acceldse fuzz finding: %s\n", what);
  std::abort();
}

inline void check_cost(const cost::OpCost& c) {
  const int64_t counts[] = {c.cycles, c.compute_cycles,  c.stall_cycles,    c.vector_cycles,
                            c.macs,   c.dram_read_bytes, c.dram_write_bytes};
  for (int64_t v : counts) {
    if (v < 0) finding("negative count");
  }
  if (!std::isfinite(c.utilization) || c.utilization < 0 || c.utilization > 1 + 1e-9)
    finding("utilisation out of [0, 1]");
  if (!std::isfinite(c.energy.total_pj()) || c.energy.total_pj() < 0) finding("energy not finite");
}

// The network through the analytical model on `accel`: refused, or sane numbers.
inline void evaluate(const workload::Network& net, const arch::Accelerator& accel) {
  try {
    const cost::NetworkCost nc = cost::evaluate_network(net, accel);
    for (const cost::OpCost& layer : nc.layers) check_cost(layer);
    check_cost(nc.totals);
    if (!std::isfinite(nc.latency_s) || nc.latency_s < 0) finding("latency not finite");
  } catch (const InputError&) {}
}

inline const arch::Accelerator& edge_accelerator() {
  static const arch::Accelerator accel = arch::load_accelerator("edge_32x32");
  return accel;
}

}  // namespace acceldse::fuzz
