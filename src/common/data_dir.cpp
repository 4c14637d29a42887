#include "common/data_dir.h"

#include <cstdlib>

namespace acceldse {

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("ACCELDSE_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return ACCELDSE_DATA_DIR;
}

std::filesystem::path data_path(const std::string& sub) { return data_dir() / sub; }

}  // namespace acceldse
