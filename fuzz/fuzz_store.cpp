// Result stores: an arbitrary file opened as a store, read whole and looked up.
#include <cstdio>

#include "dse/dse.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace acceldse;
  const std::string path = fuzz::write_input(data, size, ".db");
  for (const char* suffix : {"-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
  try {
    dse::ResultStore store(path);
    for (const dse::StoredDesign& d : store.all()) {
      if (d.error.empty() && !(d.metrics.latency_s > 0)) fuzz::finding("stored design without a latency");
      (void)store.find(d.space_hash, d.model_hash, d.key);
    }
    (void)store.count();
  } catch (const InputError&) {}
  return 0;
}
