// SCALE-Sim .cfg files.
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace acceldse;
  static const workload::Network net = workload::load_network("alexnet");
  const std::string path = fuzz::write_input(data, size, ".cfg");
  try {
    fuzz::evaluate(net, arch::load_scalesim_cfg(path));
  } catch (const InputError&) {}
  return 0;
}
