#include <fstream>

#include "common/error.h"
#include "report/report.h"

namespace acceldse::report {

void write_html(const std::string& path, const std::string& html) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(html.data(), static_cast<std::streamsize>(html.size()));
  if (out) out.close();
  if (!out) throw InputError(path, "", "cannot write the HTML report (does the folder exist and is it writable?)");
}

}  // namespace acceldse::report
