// Design-space YAML (parameters, constraints, objective), then the first designs.
#include "dse/dse.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace acceldse;
  try {
    const dse::DesignSpace space =
        dse::DesignSpace::from_yaml_text(std::string(reinterpret_cast<const char*>(data), size), "<fuzz>");
    const uint64_t designs = space.size();
    for (uint64_t i = 0; i < designs && i < 4; ++i) {
      const dse::Design design = space.design_at(i);
      try {
        arch::Accelerator accel = space.accelerator(design);
        arch::validate(accel, "<fuzz>");
      } catch (const InputError&) {}
      (void)space.key(design);
    }
  } catch (const InputError&) {}
  return 0;
}
