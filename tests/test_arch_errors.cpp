// Every class of bad accelerator YAML gives one InputError naming the file and key.
#include <gtest/gtest.h>

#include "arch/arch.h"
#include "test_arch_util.h"

namespace acceldse::arch {
namespace {

using testing::expect_input_error;
using testing::TempDir;

const char* kFile = "bad.yaml";

void expect_bad(const std::string& text, const std::vector<std::string>& mentions) {
  expect_input_error([&] { load_accelerator_yaml_text(text, kFile); }, kFile, mentions);
}

TEST(ArchErrors, UnknownKeys) {
  expect_bad("name: x\nfrequency_ghz: 1\n", {"frequency_ghz", "line 2", "clock_ghz"});
  expect_bad("tensor_unit:\n  rows: 8\n  colums: 8\n", {"tensor_unit.colums", "line 3", "cols"});
  expect_bad("dram: {bandwidth: 10}\n", {"dram.bandwidth", "bandwidth_gb_per_s"});
  expect_bad("precision: {input_bytes: 1, kind: int}\n", {"precision.kind"});
  expect_bad("technology_overrides: {sram_kib_area: 1}\n",
             {"technology_overrides.sram_kib_area", "sram_area_mm2_per_kib"});
  expect_bad("technology_overrides: {mac_energy_pj: {int4: 0.1}}\n", {"technology_overrides.mac_energy_pj.int4"});
  expect_bad("clock_ghz: 1\nclock_ghz: 2\n", {"clock_ghz", "twice"});
}

TEST(ArchErrors, WrongTypes) {
  expect_bad("tensor_unit: {rows: abc}\n", {"tensor_unit.rows", "line 1", "whole number", "abc"});
  expect_bad("tensor_unit: {rows: 8.5}\n", {"tensor_unit.rows", "whole number"});
  expect_bad("tensor_unit: {rows: [8, 8]}\n", {"tensor_unit.rows", "single value"});
  expect_bad("tensor_unit: 32\n", {"tensor_unit", "map"});
  expect_bad("clock_ghz: fast\n", {"clock_ghz", "number", "fast"});
  expect_bad("clock_ghz: .inf\n", {"clock_ghz", "finite"});
  expect_bad("buffers: {double_buffered: maybe}\n", {"buffers.double_buffered", "true or false"});
  expect_bad("technology: [45nm]\n", {"technology", "single value"});
  expect_bad("technology_overrides: {leakage_mw_per_mm2: lots}\n", {"technology_overrides.leakage_mw_per_mm2"});
}

TEST(ArchErrors, ZeroOrNegativeSizes) {
  expect_bad("tensor_unit: {rows: 0}\n", {"tensor_unit.rows", "line 1", "from 1"});
  expect_bad("tensor_unit:\n  cols: -4\n", {"tensor_unit.cols", "line 2", "-4"});
  expect_bad("tensor_unit: {arrays: 0}\n", {"tensor_unit.arrays"});
  expect_bad("vector_unit: {lanes: 0}\n", {"vector_unit.lanes"});
  expect_bad("vector_unit: {ops_per_lane_per_cycle: -1}\n", {"vector_unit.ops_per_lane_per_cycle"});
  expect_bad("buffers: {input_kib: 0}\n", {"buffers.input_kib", "from 1"});
  expect_bad("buffers: {unified_kib: -8}\n", {"buffers.unified_kib"});
  expect_bad("buffers: {read_bytes_per_cycle: -1}\n", {"buffers.read_bytes_per_cycle"});
  expect_bad("dram: {bandwidth_gb_per_s: 0}\n", {"dram.bandwidth_gb_per_s", "> 0"});
  expect_bad("dram: {latency_ns: -5}\n", {"dram.latency_ns"});
  expect_bad("clock_ghz: 0\n", {"clock_ghz", "> 0"});
  expect_bad("tensor_unit: {rows: 100000}\n", {"tensor_unit.rows", "65536"});
}

TEST(ArchErrors, UnknownDataflowAndTechnology) {
  expect_bad("tensor_unit: {dataflow: rs}\n", {"tensor_unit.dataflow", "ws, os, is or auto", "rs"});
  expect_bad("name: x\ntechnology: 3nm\n", {"technology (line 2)", "3nm", "45nm", "28nm", "16nm", "7nm"});
}

TEST(ArchErrors, PrecisionProblems) {
  expect_bad("precision: int4\n", {"precision", "int8, int16, bf16, fp16, fp32", "int4"});
  expect_bad("precision: {input_bytes: 3}\n", {"precision.input_bytes", "1, 2 or 4"});
  expect_bad("precision: {accumulator_bytes: 8}\n", {"precision.accumulator_bytes", "1, 2 or 4"});
  expect_bad("precision: {type: double}\n", {"precision.type", "int, float or bfloat16"});
  expect_bad("precision: {input_bytes: 4, weight_bytes: 4, type: bfloat16}\n", {"precision.type", "bfloat16"});
  // A 1-byte float is fp8, which no table lists unless overridden.
  expect_bad("precision:\n  type: float\n", {"precision (line 1)", "fp8", "45nm"});
}

TEST(ArchErrors, BuffersTooSmallForAMinimalTile) {
  // 1024 rows of 2-byte inputs, double buffered: 4096 bytes > 2 KiB.
  expect_bad("tensor_unit: {rows: 1024}\nprecision: int16\nbuffers: {input_kib: 2}\n",
             {"buffers.input_kib (line 3)", "minimal tile", "4096"});
  expect_bad("tensor_unit: {cols: 1024}\nbuffers: {output_kib: 4}\n", {"buffers.output_kib", "cols*accumulator_bytes"});
  expect_bad("tensor_unit: {rows: 512, cols: 512}\nbuffers: {unified_kib: 4}\n",
             {"buffers.unified_kib", "minimal tile"});
  // Without double buffering half the space suffices.
  EXPECT_NO_THROW(load_accelerator_yaml_text(
      "tensor_unit: {rows: 1024}\nprecision: int16\nbuffers: {input_kib: 2, double_buffered: false}\n", kFile));
}

TEST(ArchErrors, UnifiedAndSplitTogether) {
  expect_bad("buffers:\n  input_kib: 64\n  unified_kib: 256\n", {"buffers.unified_kib (line 3)", "not both"});
}

TEST(ArchErrors, NegativeOverride) {
  expect_bad("name: x\ntechnology_overrides:\n  dram:\n    device_energy_pj_per_bit: -3\n",
             {"technology_overrides.dram.device_energy_pj_per_bit", "negative"});
  expect_bad("technology_overrides: {mac_energy_pj: {int8: 0}}\n",
             {"technology_overrides.mac_energy_pj.int8", "greater than 0"});
}

TEST(ArchErrors, MalformedAndEmptyDocuments) {
  expect_bad("tensor_unit: {rows: 8\n", {"malformed YAML"});
  expect_bad("", {"empty"});
  expect_bad("# only a comment\n", {"empty"});
  expect_bad("- rows: 8\n", {"map"});
  expect_bad("just text\n", {"map"});
}

TEST(ArchErrors, MissingEmptyAndMalformedFiles) {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.yaml").string();
  expect_input_error([&] { load_accelerator(missing); }, missing, {"no such file"});
  const std::string empty = dir.write("empty.yaml", "");
  expect_input_error([&] { load_accelerator(empty); }, empty, {"empty"});
  const std::string broken = dir.write("broken.yaml", "buffers: [\n");
  expect_input_error([&] { load_accelerator(broken); }, broken, {"malformed YAML"});
  const std::string bad_key = dir.write("bad_key.yaml", "name: x\n\ntensor_unit:\n  rows: 0\n");
  expect_input_error([&] { load_accelerator(bad_key); }, bad_key, {"tensor_unit.rows (line 4)"});
  const std::string missing_cfg = (dir.path() / "missing.cfg").string();
  expect_input_error([&] { load_accelerator(missing_cfg); }, missing_cfg, {"no such file"});
}

TEST(ArchErrors, ValidateNamesTheKey) {
  Accelerator a = load_accelerator("edge_32x32");
  a.tensor.cols = 0;
  expect_input_error([&] { validate(a, "mem"); }, "mem", {"tensor_unit.cols"});
  a = load_accelerator("edge_32x32");
  a.precision.output_bytes = 3;
  expect_input_error([&] { validate(a, "mem"); }, "mem", {"precision.output_bytes"});
  a = load_accelerator("edge_32x32");
  a.dram.bandwidth_gb_per_s = -1;
  expect_input_error([&] { validate(a, "mem"); }, "mem", {"dram.bandwidth_gb_per_s"});
}

TEST(ArchErrors, MinimalSpecUsesDefaults) {
  const Accelerator a = load_accelerator_yaml_text("name: tiny\n", "tiny.yaml");
  EXPECT_EQ(a.tensor.rows, 32);
  EXPECT_EQ(a.technology_name, "45nm");
  const Accelerator unnamed = load_accelerator_yaml_text("clock_ghz: 1.2\n", "dir/unnamed.yaml");
  EXPECT_EQ(unnamed.name, "unnamed");
}

}  // namespace
}  // namespace acceldse::arch
