// SCALE-Sim style trace files (scalesim/memory/double_buffered_scratchpad_mem.py writes
// them with numpy.savetxt: comma separated integers, the cycle first).
#include <charconv>
#include <filesystem>

#include "common/error.h"
#include "sim/internal.h"

namespace acceldse::sim::detail {
namespace {

std::string sanitize(const std::string& name) {
  std::string out = name.empty() ? "layer" : name;
  for (char& ch : out) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                      ch == '-' || ch == '_';
    if (!keep) ch = '_';
  }
  return out;
}

}  // namespace

TraceWriter::TraceWriter(const std::string& dir, const std::string& layer)
    : path_((std::filesystem::path(dir) / sanitize(layer)).string()) {
  std::error_code ec;
  std::filesystem::create_directories(path_, ec);
  if (ec) throw InputError(path_, "", "cannot create the trace directory: " + ec.message());
  ifmap_sram = open("IFMAP_SRAM_TRACE.csv");
  filter_sram = open("FILTER_SRAM_TRACE.csv");
  ofmap_sram = open("OFMAP_SRAM_TRACE.csv");
  ifmap_dram = open("IFMAP_DRAM_TRACE.csv");
  filter_dram = open("FILTER_DRAM_TRACE.csv");
  ofmap_dram = open("OFMAP_DRAM_TRACE.csv");
}

std::ofstream TraceWriter::open(const std::string& file) const {
  const std::string path = (std::filesystem::path(path_) / file).string();
  std::ofstream out(path);
  if (!out) throw InputError(path, "", "cannot open the trace file for writing");
  return out;
}

std::ofstream& TraceWriter::ofmap_dram_read() {
  if (!ofmap_dram_read_.is_open()) ofmap_dram_read_ = open("OFMAP_DRAM_READ_TRACE.csv");
  return ofmap_dram_read_;
}

void TraceWriter::row(std::ofstream& out, int64_t cycle, const std::vector<int64_t>& addrs) {
  std::string line;
  line.reserve(12 * (addrs.size() + 1));
  char buf[24];
  auto put = [&](int64_t v) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    line.append(buf, end);
  };
  put(cycle);
  for (int64_t a : addrs) {
    line.push_back(',');
    put(a);
  }
  line.push_back('\n');
  out << line;
}

}  // namespace acceldse::sim::detail
