// Accelerator specs: built-ins, technology tables, overrides, round trip, parameters.
#include <gtest/gtest.h>
#include <fstream>

#include <algorithm>
#include <cmath>

#include "arch/arch.h"
#include "test_arch_util.h"

namespace acceldse::arch {
namespace {

using testing::expect_input_error;
using testing::TempDir;

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(ArchBuiltins, AllListedAndLoadable) {
  const auto names = builtin_accelerators();
  for (const char* expected :
       {"cloud_bf16", "diannao", "edge_32x32", "eyeriss", "nvdla_small", "shidiannao", "tpu_v1"}) {
    EXPECT_TRUE(contains(names, expected)) << expected;
  }
  for (const auto& name : names) {
    const Accelerator a = load_accelerator(name);
    EXPECT_EQ(a.name, name);
    EXPECT_NO_THROW(validate(a, name));
  }
}

TEST(ArchBuiltins, TpuV1MatchesJouppi2017) {
  const Accelerator a = load_accelerator("tpu_v1");
  EXPECT_EQ(a.tensor.rows, 256);
  EXPECT_EQ(a.tensor.cols, 256);
  EXPECT_EQ(a.pes(), 65536);
  EXPECT_EQ(a.tensor.dataflow, Dataflow::kWs);
  EXPECT_FALSE(a.buffers.unified);
  EXPECT_EQ(a.buffers.input_kib, 24 * 1024);
  EXPECT_EQ(a.buffers.weight_kib, 256);
  EXPECT_EQ(a.buffers.output_kib, 4 * 1024);
  EXPECT_DOUBLE_EQ(a.dram.bandwidth_gb_per_s, 34);
  EXPECT_DOUBLE_EQ(a.clock_ghz, 0.7);
  EXPECT_EQ(a.precision.mac_type(), "int8");
  EXPECT_EQ(a.precision.accumulator_bytes, 4);
  EXPECT_EQ(a.technology_name, "28nm");
  EXPECT_EQ(a.technology.name, "28nm");
  EXPECT_NEAR(a.dram_bytes_per_cycle(), 34 / 0.7, 1e-9);
}

TEST(ArchBuiltins, EyerissMatchesChen2016) {
  const Accelerator a = load_accelerator("eyeriss");
  EXPECT_EQ(a.tensor.rows, 12);
  EXPECT_EQ(a.tensor.cols, 14);
  EXPECT_EQ(a.pes(), 168);
  EXPECT_EQ(a.tensor.dataflow, Dataflow::kAuto);
  EXPECT_TRUE(a.buffers.unified);
  EXPECT_EQ(a.buffers.unified_kib, 108);
  EXPECT_EQ(a.buffers.input_kib, 0);
  EXPECT_DOUBLE_EQ(a.clock_ghz, 0.2);
  EXPECT_EQ(a.precision.input_bytes, 2);
  EXPECT_EQ(a.precision.weight_bytes, 2);
  EXPECT_EQ(a.precision.accumulator_bytes, 2);
  EXPECT_EQ(a.precision.mac_type(), "int16");
  EXPECT_EQ(a.technology_name, "65nm");
}

TEST(ArchBuiltins, NvdlaSmallMatchesSpec) {
  const Accelerator a = load_accelerator("nvdla_small");
  EXPECT_EQ(a.pes(), 64);
  EXPECT_EQ(a.tensor.dataflow, Dataflow::kWs);
  EXPECT_TRUE(a.buffers.unified);
  EXPECT_EQ(a.buffers.unified_kib, 128);
  EXPECT_EQ(a.vector.lanes, 1);
  EXPECT_DOUBLE_EQ(a.dram.bandwidth_gb_per_s, 8);
  EXPECT_DOUBLE_EQ(a.clock_ghz, 1.0);
  EXPECT_EQ(a.precision.mac_type(), "int8");
}

TEST(ArchBuiltins, EdgeIsTheTemplateDefault) {
  const Accelerator edge = load_accelerator("edge_32x32");
  Accelerator defaults;
  defaults.name = "edge_32x32";
  set_parameter(defaults, "technology", defaults.technology_name);  // resolves table and interfaces
  EXPECT_TRUE(edge == defaults) << to_yaml(edge) << "---\n" << to_yaml(defaults);
  EXPECT_EQ(edge.buffers.input_kib, 64);
  EXPECT_DOUBLE_EQ(edge.dram.bandwidth_gb_per_s, 25.6);
}

TEST(ArchBuiltins, CloudBf16) {
  const Accelerator a = load_accelerator("cloud_bf16");
  EXPECT_EQ(a.tensor.rows, 128);
  EXPECT_EQ(a.tensor.cols, 128);
  EXPECT_EQ(a.tensor.arrays, 4);
  EXPECT_EQ(a.pes(), 4 * 128 * 128);
  EXPECT_EQ(a.precision.mac_type(), "bf16");
  EXPECT_TRUE(a.precision.is_float);
  EXPECT_TRUE(a.precision.is_bfloat16);
  EXPECT_DOUBLE_EQ(a.dram.bandwidth_gb_per_s, 900);
  EXPECT_EQ(a.technology_name, "7nm");
  // HBM2 from tech/interfaces/hbm2.yaml: 3.1 pJ/bit at the stacks + 0.9 at the PHY
  // (O'Connor et al., MICRO 2017: ~4 pJ/bit); 900 GB/s needs four 256 GB/s stacks.
  EXPECT_EQ(a.dram.type, "hbm2");
  EXPECT_DOUBLE_EQ(a.technology.dram.device_energy_pj_per_bit + a.technology.dram.phy_energy_pj_per_bit, 4.0);
  EXPECT_EQ(dram_channels(a), 4);
  EXPECT_EQ(a.host_interface, "pcie3_x16");
}

TEST(ArchBuiltins, DispatchByNamePathAndExtension) {
  const Accelerator by_name = load_accelerator("tpu_v1");
  const Accelerator by_path = load_accelerator(std::string(ACCELDSE_SOURCE_DIR) + "/archs/tpu_v1.yaml");
  EXPECT_TRUE(by_name == by_path);
  expect_input_error([] { load_accelerator("no_such_accelerator"); }, "<accelerator>",
                     {"no_such_accelerator", "tpu_v1", "edge_32x32"});
}

TEST(ArchPrecision, MacTypesAndNames) {
  EXPECT_STREQ(to_string(Dataflow::kWs), "ws");
  EXPECT_STREQ(to_string(Dataflow::kOs), "os");
  EXPECT_STREQ(to_string(Dataflow::kIs), "is");
  EXPECT_STREQ(to_string(Dataflow::kAuto), "auto");
  Precision p;
  EXPECT_EQ(p.mac_type(), "int8");
  p.weight_bytes = 2;  // the wider operand decides
  EXPECT_EQ(p.mac_type(), "int16");
  p = Precision{4, 4, 4, 4, false, false};
  EXPECT_EQ(p.mac_type(), "int32");
  p = Precision{2, 2, 2, 4, true, false};
  EXPECT_EQ(p.mac_type(), "fp16");
  p.is_bfloat16 = true;
  EXPECT_EQ(p.mac_type(), "bf16");
  p = Precision{4, 4, 4, 4, true, false};
  EXPECT_EQ(p.mac_type(), "fp32");
}

// --- technology tables -------------------------------------------------------------

TEST(ArchTechnology, EveryNumberHasASource) {
  const auto names = technology_names();
  for (const char* expected : {"45nm", "28nm", "16nm", "7nm"}) EXPECT_TRUE(contains(names, expected)) << expected;
  for (const auto& name : names) {
    const Technology t = load_technology(name);
    EXPECT_EQ(t.name, name);
    for (const auto& field : technology_numeric_fields()) {
      if (field == "mac_area_um2" || field == "mac_energy_pj") {
        const auto& values = field == "mac_area_um2" ? t.mac_area_um2 : t.mac_energy_pj;
        for (const char* type : {"int8", "int16", "int32", "fp16", "bf16", "fp32"}) {
          ASSERT_TRUE(values.count(type)) << name << " " << field << "." << type;
          EXPECT_GT(values.at(type), 0);
        }
        for (const auto& [type, value] : values) {
          const bool cited = t.sources.count(field + "." + type) || t.sources.count(field);
          EXPECT_TRUE(cited) << name << ": no source for " << field << "." << type;
        }
      } else if (field != "dram" && field != "host") {  // interfaces: their own files, below
        ASSERT_TRUE(t.sources.count(field)) << name << ": no source for " << field;
        EXPECT_FALSE(t.sources.at(field).empty());
      }
    }
  }
  // Every DRAM type and host link cites every figure (the loader refuses one that does not).
  for (const std::string kind : {"dram", "host"}) {
    for (const auto& name : interface_names(kind)) {
      Accelerator a;
      if (kind == "dram")
        a.dram.type = name;
      else
        a.host_interface = name;
      set_parameter(a, "technology", "28nm");
      const OffChipInterface& link = kind == "dram" ? a.technology.dram : a.technology.host;
      EXPECT_EQ(link.name, name);
      EXPECT_GT(link.area_mm2, 0) << name;
      for (const char* field : {"area_mm2", "static_mw"}) EXPECT_FALSE(link.sources.at(field).empty()) << name;
    }
  }
  for (const char* type : {"ddr3", "ddr4", "lpddr4", "lpddr5", "hbm2", "hbm3"}) {
    EXPECT_TRUE(contains(interface_names("dram"), type)) << type;
  }
}

TEST(ArchTechnology, Horowitz45nmFigures) {
  const Technology t = load_technology("45nm");
  EXPECT_DOUBLE_EQ(t.node_nm, 45);
  EXPECT_DOUBLE_EQ(t.mac_energy_pj.at("int8"), 0.2 + 0.1);  // 8b mult + 32b add
  EXPECT_DOUBLE_EQ(t.mac_energy_pj.at("fp32"), 3.7 + 0.9);  // fp32 mult + fp32 add
  EXPECT_DOUBLE_EQ(t.mac_energy_pj.at("fp16"), 1.1 + 0.9);
  EXPECT_DOUBLE_EQ(t.mac_area_um2.at("int8"), 282 + 137);
  EXPECT_DOUBLE_EQ(t.mac_area_um2.at("fp32"), 7700 + 4184);
  // The SRAM fit reproduces Horowitz's 8 KB / 32 KB / 1 MB reads (10 / 20 / 100 pJ per
  // 64 bits) within 3%.
  const auto per_byte = [&](double kib) {
    return t.sram_energy_pj_per_byte_ref * std::pow(kib / t.sram_ref_kib, t.sram_energy_exponent);
  };
  EXPECT_NEAR(per_byte(8) * 8, 10, 0.3);
  EXPECT_NEAR(per_byte(32) * 8, 20, 0.6);
  EXPECT_NEAR(per_byte(1024) * 8, 100, 3);
}

TEST(ArchTechnology, Bf16BetweenInt16AndFp16AndNodesShrink) {
  for (const auto& name : technology_names()) {
    const Technology t = load_technology(name);
    EXPECT_GT(t.mac_energy_pj.at("bf16"), t.mac_energy_pj.at("int16")) << name;
    EXPECT_LT(t.mac_energy_pj.at("bf16"), t.mac_energy_pj.at("fp16")) << name;
  }
  const Technology t45 = load_technology("45nm");
  const Technology t28 = load_technology("28nm");
  const Technology t16 = load_technology("16nm");
  const Technology t7 = load_technology("7nm");
  EXPECT_GT(t45.mac_energy_pj.at("int8"), t28.mac_energy_pj.at("int8"));
  EXPECT_GT(t28.mac_energy_pj.at("int8"), t16.mac_energy_pj.at("int8"));
  EXPECT_GT(t16.mac_energy_pj.at("int8"), t7.mac_energy_pj.at("int8"));
  EXPECT_GT(t45.sram_area_mm2_per_kib, t28.sram_area_mm2_per_kib);
  EXPECT_GT(t16.sram_area_mm2_per_kib, t7.sram_area_mm2_per_kib);
}

TEST(ArchTechnology, TableWithoutSourceIsRejected) {
  TempDir dir;
  // The 45 nm table with its sources cut down to three.
  std::string text;
  {
    std::ifstream in(std::string(ACCELDSE_SOURCE_DIR) + "/tech/45nm.yaml");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("sources:", 0) == 0) break;
      if (line.rfind("name:", 0) == 0) line = "name: bad";
      text += line + "\n";
    }
  }
  text += "sources: {node_nm: x, mac_area_um2: x, mac_energy_pj: x}\n";
  const std::string file = dir.write("tech/bad.yaml", text);
  dir.write("archs/.keep", "");
  ::setenv("ACCELDSE_DATA_DIR", dir.path().c_str(), 1);
  expect_input_error([] { load_technology("bad"); }, file, {"sources", "no source for register_area_um2_per_byte"});
  ::unsetenv("ACCELDSE_DATA_DIR");
}

// --- overrides ----------------------------------------------------------------------

TEST(ArchOverrides, ApplyToScalarsAndMacEntries) {
  const Accelerator a = load_accelerator_yaml_text(
      "precision: bf16\ntechnology: 16nm\ntechnology_overrides:\n  sram_area_mm2_per_kib: 0.002\n"
      "  leakage_mw_per_mm2: 0\n  mac_energy_pj: {bf16: 0.5}\n  mac_area_um2: {bf16: 700, fp8: 100}\n",
      "ovr.yaml");
  const Technology base = load_technology("16nm");
  EXPECT_DOUBLE_EQ(a.technology.sram_area_mm2_per_kib, 0.002);
  EXPECT_DOUBLE_EQ(a.technology.leakage_mw_per_mm2, 0);
  EXPECT_DOUBLE_EQ(a.technology.mac_energy_pj.at("bf16"), 0.5);
  EXPECT_DOUBLE_EQ(a.technology.mac_area_um2.at("bf16"), 700);
  EXPECT_DOUBLE_EQ(a.technology.mac_area_um2.at("fp8"), 100);
  EXPECT_DOUBLE_EQ(a.technology.mac_energy_pj.at("int8"), base.mac_energy_pj.at("int8"));  // untouched
  EXPECT_EQ(a.technology_overrides.size(), 5u);
  EXPECT_NE(a.technology.sources.at("mac_energy_pj.bf16").find("override"), std::string::npos);
}

TEST(ArchOverrides, KeptWhenTechnologyChanges) {
  Accelerator a = load_accelerator_yaml_text(
      "technology: 28nm\ntechnology_overrides:\n  dram: {device_energy_pj_per_bit: 3.5}\n", "ovr.yaml");
  set_parameter(a, "technology", "16nm");
  EXPECT_EQ(a.technology.name, "16nm");
  EXPECT_DOUBLE_EQ(a.technology.dram.device_energy_pj_per_bit, 3.5);
  set_parameter(a, "dram_type", "hbm2");  // the override outlives a new memory type too
  EXPECT_DOUBLE_EQ(a.technology.dram.device_energy_pj_per_bit, 3.5);
  EXPECT_DOUBLE_EQ(a.technology.dram.channel_gb_per_s, 256);
  EXPECT_DOUBLE_EQ(a.technology.mac_energy_pj.at("bf16"), load_technology("16nm").mac_energy_pj.at("bf16"));
}

// --- round trip ---------------------------------------------------------------------

void expect_round_trip(const Accelerator& a) {
  const std::string text = to_yaml(a);
  const Accelerator back = load_accelerator_yaml_text(text, "round_trip.yaml");
  EXPECT_TRUE(back == a) << text << "---\n" << to_yaml(back);
  EXPECT_EQ(to_yaml(back), text);
}

TEST(ArchRoundTrip, Builtins) {
  for (const auto& name : builtin_accelerators()) {
    SCOPED_TRACE(name);
    expect_round_trip(load_accelerator(name));
  }
}

TEST(ArchRoundTrip, EditedSpecs) {
  Accelerator a = load_accelerator("edge_32x32");
  set_parameter(a, "unified_kib", "300");
  set_parameter(a, "accumulator_bytes", "2");  // no shorthand: written as a map
  set_parameter(a, "clock_ghz", "0.123456789012345");
  set_parameter(a, "dram_gb_per_s", "1e-3");
  set_parameter(a, "dram_stall_free", "true");
  set_parameter(a, "tiling", "false");
  EXPECT_FALSE(a.tensor.tiling);
  set_parameter(a, "tech.mac_energy_pj.int8", "0.25");
  set_parameter(a, "tech.vector_op_energy_pj", "1.5");
  set_parameter(a, "dataflow", "is");
  set_parameter(a, "buffer_read_bytes_per_cycle", "12.5");
  validate(a, "edited");
  expect_round_trip(a);
  set_parameter(a, "precision", "fp16");
  expect_round_trip(a);
}

TEST(ArchRoundTrip, NameWithSpecialCharacters) {
  Accelerator a = load_accelerator("edge_32x32");
  a.name = "my: design #1";
  expect_round_trip(a);
}

// --- parameters ---------------------------------------------------------------------

std::string good_value(const std::string& name) {
  if (name == "dataflow") return "os";
  if (name == "im2col_fetch") return "unique";
  if (name == "precision") return "bf16";
  if (name == "technology") return "16nm";
  if (name == "double_buffered" || name == "keep_activations_on_chip" || name == "tiling") return "false";
  if (name == "dram_stall_free" || name == "dram_bandwidth_per_operand" || name == "pipelined_folds") return "true";
  if (name == "clock_ghz") return "0.5";
  if (name == "dram_type") return "hbm2";
  if (name == "host_interface") return "pcie3_x16";
  if (name == "supply_v") return "1.0";
  if (name == "tech.vth_v" || name == "tech.vdd_min_v") return "0.5";
  if (name == "tech.vdd_nominal_v") return "1.0";
  if (name == "tech.cell_utilization" || name == "tech.whitespace_fraction") return "0.5";
  if (name.rfind("tech.", 0) == 0) return "1.5";
  return "2";
}

TEST(ArchParameters, EveryNameSetsItsField) {
  const Accelerator base = load_accelerator("edge_32x32");
  ASSERT_FALSE(parameter_names().empty());
  for (const auto& name : parameter_names()) {
    SCOPED_TRACE(name);
    Accelerator a = base;
    set_parameter(a, name, good_value(name));
    EXPECT_FALSE(a == base) << "set_parameter changed nothing";
    EXPECT_NO_THROW(validate(a, "params"));
    expect_round_trip(a);
    Accelerator b = base;
    expect_input_error([&] { set_parameter(b, name, "abc"); }, "<parameter>", {name});
    EXPECT_TRUE(b == base) << "a rejected value changed the spec";
  }
}

TEST(ArchParameters, SpecificEffects) {
  Accelerator a = load_accelerator("edge_32x32");
  set_parameter(a, "rows", "128");
  set_parameter(a, "arrays", "2");
  EXPECT_EQ(a.pes(), 128 * 32 * 2);
  set_parameter(a, "precision", "fp32");
  EXPECT_EQ(a.precision.mac_type(), "fp32");
  set_parameter(a, "dram_gb_per_s", "51.2");
  EXPECT_DOUBLE_EQ(a.dram_bytes_per_cycle(), 51.2);
  set_parameter(a, "unified_kib", "512");
  EXPECT_TRUE(a.buffers.unified);
  EXPECT_EQ(a.buffers.input_kib, 0);
  expect_input_error([&] { set_parameter(a, "input_kib", "64"); }, "<parameter>", {"input_kib", "unified"});
  expect_input_error([&] { set_parameter(a, "rows", "0"); }, "<parameter>", {"rows", ">= 1"});
  expect_input_error([&] { set_parameter(a, "clock_ghz", "-1"); }, "<parameter>", {"clock_ghz"});
  expect_input_error([&] { set_parameter(a, "input_bytes", "3"); }, "<parameter>", {"input_bytes", "1, 2 or 4"});
  expect_input_error([&] { set_parameter(a, "technology", "3nm"); }, "<parameter>", {"3nm", "45nm"});
  expect_input_error([&] { set_parameter(a, "tech.sram_area_mm2_per_kib", "-1"); }, "<parameter>",
                     {"tech.sram_area_mm2_per_kib", "negative"});
  expect_input_error([&] { set_parameter(a, "no_such", "1"); }, "<parameter>", {"no_such", "rows"});
  expect_input_error([&] { set_parameter(a, "no_such", "1", "space.yaml"); }, "space.yaml", {"no_such"});
}

TEST(ArchParameters, Fp8NeedsAnOverride) {
  Accelerator a = load_accelerator("edge_32x32");
  a.precision.is_float = true;  // 1-byte float: fp8
  expect_input_error([&] { validate(a, "fp8.yaml"); }, "fp8.yaml", {"precision", "fp8", "technology_overrides"});
  set_parameter(a, "tech.mac_area_um2.fp8", "150");
  set_parameter(a, "tech.mac_energy_pj.fp8", "0.2");
  EXPECT_NO_THROW(validate(a, "fp8.yaml"));
  expect_round_trip(a);
}

}  // namespace
}  // namespace acceldse::arch
