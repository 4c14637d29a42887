// Constraint and objective expressions (also reached through --constraint/--objective).
#include <vector>

#include "dse/dse.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace acceldse;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string>& names = dse::metric_names();
  const std::vector<double> values(names.size(), 1.5);
  try {
    const dse::Expression e = dse::Expression::parse(text, names, "<fuzz>", "constraint");
    (void)e.evaluate(values);
    (void)e.violation(values);
  } catch (const InputError&) {}
  try {
    (void)dse::Objective::parse(text, "<fuzz>", "objective");
  } catch (const InputError&) {}
  return 0;
}
