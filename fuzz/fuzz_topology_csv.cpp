// SCALE-Sim topology CSV files, then the cost model on the network.
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace acceldse;
  const std::string path = fuzz::write_input(data, size, ".csv");
  try {
    fuzz::evaluate(workload::load_scalesim_csv(path), fuzz::edge_accelerator());
  } catch (const InputError&) {}
  return 0;
}
