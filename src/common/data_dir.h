#pragma once
// Locates the data folders (models/, archs/, spaces/, tech/) shipped with acceldse.
#include <filesystem>
#include <string>

namespace acceldse {

// $ACCELDSE_DATA_DIR if set, else the source tree the program was built from.
std::filesystem::path data_dir();

// data_dir()/sub, e.g. data_path("models").
std::filesystem::path data_path(const std::string& sub);

}  // namespace acceldse
