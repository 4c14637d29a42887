#pragma once
// SCALE-Sim's own configuration and topology files, copied into the repository
// (tests/data/scalesim, MIT licence, see its README.md) so that every clone runs the
// conformance tests: one folder per configuration x topology, as SCALE-Sim's users
// write them.
#include <filesystem>

namespace acceldse::test {

inline std::filesystem::path scalesim_inputs() {
  return std::filesystem::path(ACCELDSE_SOURCE_DIR) / "tests" / "data" / "scalesim";
}

}  // namespace acceldse::test
