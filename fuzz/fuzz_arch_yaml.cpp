// Accelerator YAML: the reader, then the cost model of a small network on the design.
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace acceldse;
  static const workload::Network net = workload::load_network("alexnet");
  try {
    const arch::Accelerator accel =
        arch::load_accelerator_yaml_text(std::string(reinterpret_cast<const char*>(data), size), "<fuzz>");
    fuzz::evaluate(net, accel);
  } catch (const InputError&) {}
  return 0;
}
