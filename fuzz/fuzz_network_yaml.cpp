// Network YAML: the reader, then the cost model on the network it accepted.
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace acceldse;
  try {
    const workload::Network net =
        workload::load_yaml_text(std::string(reinterpret_cast<const char*>(data), size), "<fuzz>");
    fuzz::evaluate(net, fuzz::edge_accelerator());
  } catch (const InputError&) {}
  return 0;
}
