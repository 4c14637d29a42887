// `--save-design FILE` (design_file.h).
#include "design_file.h"

#include <cctype>
#include <fstream>
#include <iostream>

#include "common/error.h"

namespace acceldse::cli {

std::string design_name(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '.' || c == '_' || c == '-')
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "design" : out;
}

void save_design(const std::string& path, arch::Accelerator accel, const std::string& name,
                 const std::string& provenance) {
  accel.name = design_name(name);
  const std::string text = arch::to_yaml(accel);
  {
    std::ofstream file(path);
    if (!file || !(file << "# " << accel.name << ": " << provenance << "\n" << text) || !file.flush()) {
      throw InputError(path, "--save-design", "cannot write the design file");
    }
  }
  if (arch::to_yaml(arch::load_accelerator(path)) != text) {
    throw InputError(path, "--save-design", "the written design does not read back as the same accelerator");
  }
  std::cerr << "wrote design '" << accel.name << "' to " << path << "\n";
}

}  // namespace acceldse::cli
