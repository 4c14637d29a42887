// SCALE-Sim v2 config.cfg import: every real config loads with SCALE-Sim's meaning.
#include <gtest/gtest.h>

#include <filesystem>

#include "arch/arch.h"
#include "scalesim_inputs.h"
#include "test_arch_util.h"

namespace acceldse::arch {
namespace {

namespace fs = std::filesystem;
using testing::expect_input_error;
using testing::TempDir;

std::vector<fs::path> shared_configs() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(acceldse::test::scalesim_inputs())) {
    if (fs::is_regular_file(entry.path() / "config.cfg")) out.push_back(entry.path() / "config.cfg");
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Folder names say what the config holds: "<df>_<N>x<N>[_userbw10]__<topology>", and
// default_scale is SCALE-Sim's own example (os, 32x32, CALC).
struct Expected {
  Dataflow dataflow;
  int64_t edge;
  bool user_bandwidth;
};

Expected expected_from_folder(const std::string& folder) {
  if (folder.rfind("default_scale", 0) == 0) return {Dataflow::kOs, 32, false};
  // No std::regex: GCC 12 warns inside it under the sanitizer build.
  const std::string config = folder.substr(0, folder.find("__"));  // e.g. "ws_32x32_userbw10"
  const std::string df = config.substr(0, 2);
  EXPECT_TRUE(df == "ws" || df == "os" || df == "is") << folder;
  const Dataflow dataflow = df == "ws" ? Dataflow::kWs : df == "os" ? Dataflow::kOs : Dataflow::kIs;
  const int64_t edge = std::stoll(config.substr(3, config.find('x') - 3));
  return {dataflow, edge, config.find("_userbw10") != std::string::npos};
}

TEST(ArchScaleSim, EverySharedConfigLoads) {
  const auto configs = shared_configs();
  ASSERT_GE(configs.size(), 50u) << "expected the SCALE-Sim inputs under " << acceldse::test::scalesim_inputs();
  for (const auto& path : configs) {
    const std::string folder = path.parent_path().filename().string();
    SCOPED_TRACE(folder);
    const Accelerator a = load_accelerator(path.string());  // chosen by the .cfg extension
    const Expected e = expected_from_folder(folder);
    EXPECT_EQ(a.tensor.rows, e.edge);
    EXPECT_EQ(a.tensor.cols, e.edge);
    EXPECT_EQ(a.tensor.arrays, 1);
    EXPECT_EQ(a.tensor.dataflow, e.dataflow);
    EXPECT_FALSE(a.buffers.unified);
    // 32x32 configs use 64/64/64 KB, 128x128 ones 1024/1024/512 KB (KB of 1-byte words).
    EXPECT_EQ(a.buffers.input_kib, e.edge == 32 ? 64 : 1024);
    EXPECT_EQ(a.buffers.weight_kib, e.edge == 32 ? 64 : 1024);
    EXPECT_EQ(a.buffers.output_kib, e.edge == 32 ? 64 : 512);
    EXPECT_TRUE(a.buffers.double_buffered);
    // Bandwidth 10 words/cycle x 1 byte x 1 GHz; CALC mode is stall-free.
    EXPECT_DOUBLE_EQ(a.dram.bandwidth_gb_per_s, 10);
    EXPECT_EQ(a.dram.stall_free, !e.user_bandwidth);
    EXPECT_TRUE(a.dram.bandwidth_per_operand);
    EXPECT_DOUBLE_EQ(a.dram.latency_ns, 1);
    EXPECT_DOUBLE_EQ(a.clock_ghz, 1);
    EXPECT_EQ(a.precision.mac_type(), "int8");
    EXPECT_EQ(a.precision.input_bytes, 1);
    EXPECT_EQ(a.technology_name, "45nm");
    EXPECT_FALSE(a.name.empty());
    // The import can be saved as native YAML and read back unchanged.
    EXPECT_TRUE(load_accelerator_yaml_text(to_yaml(a), "cfg.yaml") == a);
  }
}

TEST(ArchScaleSim, RunNameAndDirectCall) {
  const fs::path path = acceldse::test::scalesim_inputs() / "ws_32x32_userbw10__conv_test" / "config.cfg";
  const Accelerator a = load_scalesim_cfg(path.string());
  EXPECT_EQ(a.name, "ws_32x32_userbw10");
  EXPECT_FALSE(a.dram.stall_free);
}

const char* kGood = R"([general]
run_name = mine

[architecture_presets]
ArrayHeight:    16
ArrayWidth:     8
IfmapSramSzkB:   32
FilterSramSzkB:  16
OfmapSramSzkB:   8
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 4,4
Dataflow : is
MemoryBanks:   2

[run_presets]
InterfaceBandwidth: USER
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ArchScaleSim, FieldMeanings) {
  TempDir dir;
  const Accelerator a = load_accelerator(dir.write("ok.cfg", kGood));
  EXPECT_EQ(a.name, "mine");
  EXPECT_EQ(a.tensor.rows, 16);  // ArrayHeight
  EXPECT_EQ(a.tensor.cols, 8);   // ArrayWidth
  EXPECT_EQ(a.tensor.dataflow, Dataflow::kIs);
  EXPECT_FALSE(a.tensor.tiling);  // SCALE-Sim runs whole layers fold by fold
  EXPECT_EQ(a.buffers.input_kib, 32);
  EXPECT_EQ(a.buffers.weight_kib, 16);
  EXPECT_EQ(a.buffers.output_kib, 8);
  EXPECT_DOUBLE_EQ(a.dram.bandwidth_gb_per_s, 4);
  EXPECT_FALSE(a.dram.stall_free);
  // Keys are case-insensitive and '=' works as ':' (configparser); comments are skipped.
  const std::string variant =
      replace(replace(kGood, "ArrayHeight:", "# a comment\narrayheight ="), "Dataflow :", "DATAFLOW=");
  EXPECT_TRUE(load_accelerator(dir.write("variant.cfg", variant)) == a);
  // Without run_name the file name is used; extension sections are accepted.
  const std::string extra = replace(kGood, "[general]\nrun_name = mine\n", "") +
                            "[sparsity]\nSparsitySupport : false\n[layout]\nIfmapCustomLayout: False\n";
  EXPECT_EQ(load_accelerator(dir.write("unnamed.cfg", extra)).name, "unnamed");
}

TEST(ArchScaleSim, BadConfigs) {
  TempDir dir;
  const auto bad = [&](const std::string& name, const std::string& text, const std::vector<std::string>& mentions) {
    const std::string path = dir.write(name, text);
    expect_input_error([&] { load_accelerator(path); }, path, mentions);
  };
  bad("zero.cfg", replace(kGood, "ArrayHeight:    16", "ArrayHeight:    0"), {"ArrayHeight (line 5)"});
  bad("text.cfg", replace(kGood, "ArrayWidth:     8", "ArrayWidth:     wide"), {"ArrayWidth (line 6)", "whole number"});
  bad("df.cfg", replace(kGood, "Dataflow : is", "Dataflow : rs"), {"Dataflow", "os, ws or is"});
  bad("mode.cfg", replace(kGood, "InterfaceBandwidth: USER", "InterfaceBandwidth: AUTO"),
      {"InterfaceBandwidth", "USER or CALC"});
  bad("banks.cfg", replace(kGood, "Bandwidth : 4,4", "Bandwidth : 4"), {"Bandwidth", "MemoryBanks is 2"});
  bad("nobw.cfg", replace(kGood, "Bandwidth : 4,4\n", ""), {"[architecture_presets]", "Bandwidth"});
  bad("nosize.cfg", replace(kGood, "OfmapSramSzkB:   8\n", ""), {"missing key OfmapSramSzkB"});
  bad("section.cfg", std::string(kGood) + "[gpu]\nx = 1\n", {"[gpu]", "unknown section"});
  bad("key.cfg", replace(kGood, "MemoryBanks:   2", "MemoryBanks:   2\nClockGHz: 1"), {"ClockGHz", "unknown key"});
  bad("dup.cfg", replace(kGood, "ArrayWidth:     8", "ArrayWidth:     8\narraywidth: 9"), {"given twice"});
  bad("nosection.cfg", std::string("run_name = x\n") + kGood, {"line 1", "section"});
  bad("line.cfg", replace(kGood, "MemoryBanks:   2", "MemoryBanks 2"), {"Key: value"});
  bad("sparse.cfg", std::string(kGood) + "[sparsity]\nSparsitySupport : true\n", {"SparsitySupport", "not modelled"});
  bad("offset.cfg", replace(kGood, "IfmapOffset:    0", "IfmapOffset:    -1"), {"IfmapOffset"});
  bad("tile.cfg",
      replace(replace(kGood, "ArrayHeight:    16", "ArrayHeight:    2048"), "IfmapSramSzkB:   32",
              "IfmapSramSzkB:   1"),
      {"IfmapSramSzkB (line 7)", "minimal tile"});
  bad("empty.cfg", "", {"empty"});
}

}  // namespace
}  // namespace acceldse::arch
