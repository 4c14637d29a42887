#include "output_options.h"

#include <fmt/format.h>

namespace acceldse::cli {

CLI::Option* add_format_option(CLI::App* cmd, std::string& format, const std::vector<std::string>& formats) {
  std::string help = "Output: " + formats.front() + " (default)";
  for (size_t i = 1; i < formats.size(); ++i) help += (i + 1 == formats.size() ? " or " : ", ") + formats[i];
  return cmd->add_option("--format", format, help)->check(CLI::IsMember(formats));
}

}  // namespace acceldse::cli
