// SCALE-Sim v2 config.cfg import, with SCALE-Sim's meaning for every field
// (scalesim/scale_config.py, single_layer_sim.py, memory/*.py):
//  - SRAM sizes are in KB of 1024 bytes and the word is 1 byte, so KiB of int8 values;
//  - the three SRAMs are double buffered (half active, half prefetching);
//  - Bandwidth is in words/cycle and each of the ifmap, filter and ofmap SRAMs gets its
//    own DRAM interface of that width (USER mode); CALC mode never stalls and reports
//    the bandwidth it would need instead;
//  - the DRAM port answers after 1 cycle.
// SCALE-Sim has no clock, precision, vector unit or technology: those take the defaults
// documented in docs/formats.md (1 GHz, int8, 45nm).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "arch/arch.h"
#include "arch/arch_internal.h"
#include "arch/yaml_util.h"
#include "common/error.h"
#include "common/input_limits.h"

namespace acceldse::arch {
namespace {

namespace fs = std::filesystem;

constexpr double kClockGhz = 1.0;            // SCALE-Sim counts cycles only
constexpr double kWordBytes = 1.0;           // single_layer_sim: word_size = 1
constexpr int64_t kCalcBandwidthWords = 10;  // CALC mode's starting prefetch rate
constexpr double kPortLatencyCycles = 1.0;   // memory/read_port.py latency

struct Entry {
  std::string key;  // as written, for messages
  std::string value;
  int line = 0;
};
using Section = std::map<std::string, Entry>;  // lower-case key, as configparser

struct Ini {
  std::string file;
  std::map<std::string, Section> sections;
};

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string line_place(int line) { return fmt::format("line {}", line); }

// configparser rules: '#'/';' comment lines, [section], key = value or key: value
// (first delimiter wins), case-insensitive keys, duplicates are errors (strict mode).
Ini parse_ini(const std::string& text, const std::string& file) {
  Ini ini{file, {}};
  Section* current = nullptr;
  std::istringstream in(text);
  std::string raw;
  for (int line = 1; std::getline(in, raw); ++line) {
    const std::string s = trim(raw);
    if (s.empty() || s[0] == '#' || s[0] == ';') continue;
    if (s.front() == '[' && s.back() == ']') {
      const std::string name = s.substr(1, s.size() - 2);
      if (ini.sections.count(name)) throw InputError(file, line_place(line), "section [" + name + "] given twice");
      current = &ini.sections[name];
      continue;
    }
    if (current == nullptr) throw InputError(file, line_place(line), "expected a [section] header before '" + s + "'");
    const auto delim = s.find_first_of(":=");
    if (delim == std::string::npos || trim(s.substr(0, delim)).empty()) {
      throw InputError(file, line_place(line), "expected 'Key: value' or 'Key = value', got '" + s + "'");
    }
    const std::string key = trim(s.substr(0, delim));
    if (current->count(lower(key))) throw InputError(file, line_place(line), "key " + key + " given twice");
    (*current)[lower(key)] = Entry{key, trim(s.substr(delim + 1)), line};
  }
  return ini;
}

std::string entry_place(const std::string& section, const Entry& e) {
  return fmt::format("[{}] {} (line {})", section, e.key, e.line);
}

// Sections SCALE-Sim knows; the keys we read, or an empty list for "ignored entirely".
const std::map<std::string, std::vector<std::string>>& known_sections() {
  static const std::map<std::string, std::vector<std::string>> known = {
      {"general", {"run_name"}},
      {"architecture_presets",
       {"arrayheight", "arraywidth", "ifmapsramszkb", "filtersramszkb", "ofmapsramszkb", "ifmapoffset", "filteroffset",
        "ofmapoffset", "bandwidth", "dataflow", "memorybanks", "readrequestbuffer", "writerequestbuffer"}},
      {"run_presets", {"interfacebandwidth"}},
      {"network_presets", {"topologycsvloc"}},                                        // workload's business
      {"memory_map_files", {"memorymapifmap", "memorymapfilter", "memorymapofmap"}},  // trace addresses
      {"layout", {}},
      {"sparsity", {}},
  };
  return known;
}

void check_known(const Ini& ini) {
  const auto& known = known_sections();
  std::vector<std::string> names;
  for (const auto& [name, keys] : known) names.push_back(name);
  for (const auto& [name, section] : ini.sections) {
    auto it = known.find(name);
    if (it == known.end()) {
      throw InputError(ini.file, "[" + name + "]",
                       "unknown section; SCALE-Sim sections are " + detail::join(names, ", "));
    }
    if (it->second.empty()) continue;
    for (const auto& [key, entry] : section) {
      if (std::find(it->second.begin(), it->second.end(), key) == it->second.end()) {
        throw InputError(ini.file, entry_place(name, entry), "unknown key in [" + name + "]");
      }
    }
  }
}

// Features that change SCALE-Sim's numbers but that acceldse does not model.
void reject_unmodelled(const Ini& ini) {
  const std::pair<const char*, const char*> switches[] = {
      {"sparsity", "sparsitysupport"}, {"layout", "ifmapcustomlayout"}, {"layout", "filtercustomlayout"}};
  for (const auto& [section, key] : switches) {
    auto s = ini.sections.find(section);
    if (s == ini.sections.end()) continue;
    auto e = s->second.find(key);
    if (e != s->second.end() && lower(e->second.value) == "true") {
      throw InputError(ini.file, entry_place(section, e->second), "not modelled by acceldse; expected False");
    }
  }
}

const Entry* find(const Ini& ini, const std::string& section, const std::string& key) {
  auto s = ini.sections.find(section);
  if (s == ini.sections.end()) return nullptr;
  auto e = s->second.find(key);
  return e == s->second.end() ? nullptr : &e->second;
}

const Entry& require(const Ini& ini, const std::string& section, const std::string& key, const std::string& shown) {
  const Entry* e = find(ini, section, key);
  if (e == nullptr) throw InputError(ini.file, "[" + section + "]", "missing key " + shown);
  return *e;
}

int64_t to_int(const Ini& ini, const std::string& section, const Entry& e, int64_t min_value) {
  int64_t value = 0;
  if (!detail::parse_int(e.value, value)) {
    throw InputError(ini.file, entry_place(section, e), "expected a whole number, got '" + e.value + "'");
  }
  if (value < min_value) {
    throw InputError(ini.file, entry_place(section, e),
                     fmt::format("expected a whole number >= {}, got {}", min_value, value));
  }
  return value;
}

// Offsets, request buffers and banks only shape SCALE-Sim's traces; checked, not used.
void check_unused_numbers(const Ini& ini) {
  for (const char* key : {"ifmapoffset", "filteroffset", "ofmapoffset"}) {
    if (const Entry* e = find(ini, "architecture_presets", key)) to_int(ini, "architecture_presets", *e, 0);
  }
  for (const char* key : {"readrequestbuffer", "writerequestbuffer"}) {
    if (const Entry* e = find(ini, "architecture_presets", key)) to_int(ini, "architecture_presets", *e, 1);
  }
}

std::vector<int64_t> bandwidth_list(const Ini& ini, const Entry& e) {
  std::vector<int64_t> words;
  std::istringstream in(e.value);
  for (std::string item; std::getline(in, item, ',');) {
    words.push_back(to_int(ini, "architecture_presets", Entry{e.key, trim(item), e.line}, 1));
  }
  if (words.empty())
    throw InputError(ini.file, entry_place("architecture_presets", e), "expected words per cycle, e.g. 10");
  return words;
}

// USER: the first bank's Bandwidth, as single_layer_sim uses; CALC: stall-free.
void read_bandwidth(const Ini& ini, Dram& dram) {
  const Entry& mode = require(ini, "run_presets", "interfacebandwidth", "InterfaceBandwidth (USER or CALC)");
  if (mode.value != "USER" && mode.value != "CALC") {
    throw InputError(ini.file, entry_place("run_presets", mode), "expected USER or CALC, got '" + mode.value + "'");
  }
  const bool user = mode.value == "USER";
  const Entry* banks_entry = find(ini, "architecture_presets", "memorybanks");
  const int64_t banks = banks_entry ? to_int(ini, "architecture_presets", *banks_entry, 1) : 1;
  const Entry* bw = user ? &require(ini, "architecture_presets", "bandwidth", "Bandwidth (words/cycle, USER mode)")
                         : find(ini, "architecture_presets", "bandwidth");
  const std::vector<int64_t> words = bw ? bandwidth_list(ini, *bw) : std::vector<int64_t>{kCalcBandwidthWords};
  if (user && static_cast<int64_t>(words.size()) != banks) {
    throw InputError(ini.file, entry_place("architecture_presets", *bw),
                     fmt::format("USER mode needs one bandwidth per memory bank: MemoryBanks is {}, got {} value(s)",
                                 banks, words.size()));
  }
  dram.bandwidth_gb_per_s = static_cast<double>(words.front()) * kWordBytes * kClockGhz;
  dram.latency_ns = kPortLatencyCycles / kClockGhz;
  dram.stall_free = !user;
  dram.bandwidth_per_operand = true;
}

void read_array(const Ini& ini, Accelerator& a) {
  const std::string arch = "architecture_presets";
  a.tensor.rows = to_int(ini, arch, require(ini, arch, "arrayheight", "ArrayHeight"), 1);
  a.tensor.cols = to_int(ini, arch, require(ini, arch, "arraywidth", "ArrayWidth"), 1);
  a.tensor.arrays = 1;
  a.tensor.tiling = false;  // SCALE-Sim walks the folds of whole layers
  const Entry& df = require(ini, arch, "dataflow", "Dataflow (os, ws or is)");
  if (!detail::parse_dataflow(df.value, a.tensor.dataflow) || a.tensor.dataflow == Dataflow::kAuto) {
    throw InputError(ini.file, entry_place(arch, df), "expected os, ws or is, got '" + df.value + "'");
  }
  a.buffers.unified = false;
  a.buffers.unified_kib = 0;
  a.buffers.input_kib = to_int(ini, arch, require(ini, arch, "ifmapsramszkb", "IfmapSramSzkB"), 1);
  a.buffers.weight_kib = to_int(ini, arch, require(ini, arch, "filtersramszkb", "FilterSramSzkB"), 1);
  a.buffers.output_kib = to_int(ini, arch, require(ini, arch, "ofmapsramszkb", "OfmapSramSzkB"), 1);
  a.buffers.read_bytes_per_cycle = 0;  // SCALE-Sim's SRAMs serve every demand in one cycle
  a.buffers.write_bytes_per_cycle = 0;
  a.buffers.double_buffered = true;
  // SCALE-Sim runs each layer alone, its operands coming from and going to DRAM.
  a.buffers.keep_activations_on_chip = false;
  a.buffers.im2col_fetch = Im2colFetch::kExpanded;  // SCALE-Sim prefetches im2col words
}

// Problems found by validate() point at the cfg key they came from.
std::string cfg_place(const Ini& ini, const std::string& key_path) {
  static const std::map<std::string, std::pair<std::string, std::string>> origin = {
      {"tensor_unit.rows", {"architecture_presets", "arrayheight"}},
      {"tensor_unit.cols", {"architecture_presets", "arraywidth"}},
      {"buffers.input_kib", {"architecture_presets", "ifmapsramszkb"}},
      {"buffers.weight_kib", {"architecture_presets", "filtersramszkb"}},
      {"buffers.output_kib", {"architecture_presets", "ofmapsramszkb"}},
      {"dram.bandwidth_gb_per_s", {"architecture_presets", "bandwidth"}},
  };
  auto it = origin.find(key_path);
  if (it == origin.end()) return key_path;
  const Entry* e = find(ini, it->second.first, it->second.second);
  return e ? entry_place(it->second.first, *e) : key_path;
}

}  // namespace

Accelerator load_scalesim_cfg(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw InputError(path, "", "no such file");
  const Ini ini = parse_ini(read_input_file(path, kMaxTextInputBytes, "a SCALE-Sim .cfg file"), path);
  if (ini.sections.empty())
    throw InputError(path, "", "empty SCALE-Sim config; expected [architecture_presets] and [run_presets]");
  check_known(ini);
  reject_unmodelled(ini);
  check_unused_numbers(ini);

  Accelerator a;
  const Entry* run_name = find(ini, "general", "run_name");
  a.name = run_name ? run_name->value : fs::path(path).stem().string();
  read_array(ini, a);
  read_bandwidth(ini, a.dram);
  a.clock_ghz = kClockGhz;
  detail::precision_from_shorthand("int8", a.precision);
  a.technology_name = "45nm";
  try {
    detail::resolve_technology(a, path);
    validate(a, path);
  } catch (const InputError& e) {
    throw InputError(e.file(), cfg_place(ini, e.place()), e.detail());
  }
  return a;
}

}  // namespace acceldse::arch
