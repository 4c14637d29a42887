#pragma once
// SCALE-Sim's own configuration and topology files live beside the repository
// (../shared/scalesim), not in it. Tests that read them skip, saying so, in a checkout
// without that folder, so the test command passes on any machine; CI has the folder.
#include <gtest/gtest.h>

#include <filesystem>

namespace acceldse::test {

inline std::filesystem::path scalesim_inputs() { return std::filesystem::path(ACCELDSE_SHARED_DIR) / "scalesim"; }

}  // namespace acceldse::test

#define SKIP_WITHOUT_SCALESIM_INPUTS()                                                   \
  if (!std::filesystem::is_directory(::acceldse::test::scalesim_inputs()))              \
  GTEST_SKIP() << "SCALE-Sim's inputs are not at " << ::acceldse::test::scalesim_inputs()
