#include "common/error.h"

namespace acceldse {

static std::string compose(const std::string& file, const std::string& place, const std::string& detail) {
  std::string out = file;
  if (!place.empty()) out += (out.empty() ? "" : ": ") + place;
  return out.empty() ? detail : out + ": " + detail;
}

InputError::InputError(std::string file, std::string place, std::string what_expected)
    : std::runtime_error(compose(file, place, what_expected)),
      file_(std::move(file)),
      place_(std::move(place)),
      detail_(std::move(what_expected)) {}

}  // namespace acceldse
