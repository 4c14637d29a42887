#pragma once
// The accelerator template as plain data: a systolic tensor unit, a vector unit,
// on-chip buffers, off-chip memory, clock, precision and a technology table.
// Loading validates everything; the rest of the program may assume a valid spec.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace acceldse::arch {

enum class Dataflow { kWs, kOs, kIs, kAuto };
const char* to_string(Dataflow dataflow);  // "ws", "os", "is", "auto"

// Area and energy of one technology node. Every field's citation is in `sources`
// (field name -> source), loaded from tech/NAME.yaml.
struct Technology {
  std::string name;  // e.g. "45nm"
  double node_nm = 45;
  // Per-MAC area/energy by operand type: "int8", "int16", "int32", "fp16", "bf16", "fp32".
  std::map<std::string, double> mac_area_um2;
  std::map<std::string, double> mac_energy_pj;
  double register_area_um2_per_byte = 0;   // PE-local pipeline/operand registers
  double register_energy_pj_per_byte = 0;
  // SRAM macro: area_mm2 = sram_area_mm2_per_kib * kib (+ periphery share below);
  // access energy per byte = sram_energy_pj_per_byte_ref * (kib / sram_ref_kib)^sram_energy_exponent
  double sram_area_mm2_per_kib = 0;
  double sram_energy_pj_per_byte_ref = 0;
  double sram_ref_kib = 8;
  double sram_energy_exponent = 0.5;
  double dram_energy_pj_per_byte = 0;
  double vector_lane_area_um2 = 0;     // one lane, one op/cycle, incl. its registers
  double vector_op_energy_pj = 0;
  double interconnect_area_fraction = 0;  // wiring/control as a fraction of PE+SRAM area
  double leakage_mw_per_mm2 = 0;
  std::map<std::string, std::string> sources;
};

struct TensorUnit {
  int64_t rows = 32;
  int64_t cols = 32;
  int64_t arrays = 1;  // identical arrays working on independent tiles
  Dataflow dataflow = Dataflow::kWs;
};

struct VectorUnit {
  int64_t lanes = 32;
  int64_t ops_per_lane_per_cycle = 1;
};

struct Buffers {
  bool unified = false;      // one buffer of unified_kib shared by all operands
  int64_t input_kib = 64;
  int64_t weight_kib = 64;
  int64_t output_kib = 64;   // output / accumulator buffer
  int64_t unified_kib = 0;
  double read_bytes_per_cycle = 0;   // per buffer; 0 = as wide as the array edge needs
  double write_bytes_per_cycle = 0;
  bool double_buffered = true;       // DRAM transfers overlap compute
};

struct Dram {
  double bandwidth_gb_per_s = 25.6;
  double latency_ns = 100;
};

struct Precision {
  int input_bytes = 1;
  int weight_bytes = 1;
  int output_bytes = 1;
  int accumulator_bytes = 4;
  bool is_float = false;  // bf16/fp16/fp32 arithmetic instead of integer
  std::string mac_type() const;  // key into Technology::mac_*: "int8", "bf16", ...
};

struct Accelerator {
  std::string name;
  TensorUnit tensor;
  VectorUnit vector;
  Buffers buffers;
  Dram dram;
  double clock_ghz = 1.0;
  Precision precision;
  std::string technology_name = "45nm";
  Technology technology;  // resolved table, with the spec's overrides applied

  double dram_bytes_per_cycle() const { return dram.bandwidth_gb_per_s / clock_ghz; }
  int64_t pes() const { return tensor.rows * tensor.cols * tensor.arrays; }
};

// A built-in name (archs/NAME.yaml), a YAML file, or a SCALE-Sim .cfg file.
// Throws acceldse::InputError naming the file, key and what was expected.
Accelerator load_accelerator(const std::string& name_or_path);
Accelerator load_accelerator_yaml_text(const std::string& text, const std::string& file_label);
Accelerator load_scalesim_cfg(const std::string& path);
std::string to_yaml(const Accelerator& accel);
std::vector<std::string> builtin_accelerators();  // names in archs/

// Technology tables in tech/NAME.yaml.
Technology load_technology(const std::string& name);
std::vector<std::string> technology_names();

// Design-space parameters: set one field by its name ("rows", "cols", "arrays",
// "dataflow", "input_kib", "weight_kib", "output_kib", "unified_kib", "dram_gb_per_s",
// "vector_lanes", "clock_ghz", "precision" (int8|int16|bf16|fp16|fp32), "technology",
// "double_buffered", ...). Throws InputError for an unknown name or a bad value.
void set_parameter(Accelerator& accel, const std::string& name, const std::string& value);
const std::vector<std::string>& parameter_names();
// Throws InputError (file = `file_label`) if the spec is unusable (zero rows, ...).
void validate(const Accelerator& accel, const std::string& file_label);

}  // namespace acceldse::arch
