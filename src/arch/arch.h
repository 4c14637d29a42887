#pragma once
// The accelerator template as plain data: a systolic tensor unit, a vector unit,
// on-chip buffers, off-chip memory, clock, precision and a technology table.
// Loading validates everything; the rest of the program may assume a valid spec.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace acceldse::arch {

enum class Dataflow { kWs, kOs, kIs, kAuto };
const char* to_string(Dataflow dataflow);  // "ws", "os", "is", "auto"

// What a convolution fetches from DRAM for its im2col input: each input element once
// per tile (neighbouring windows share it; a tile's halo is fetched again by the next
// tile), or every im2col element as its own word, as SCALE-Sim's prefetch matrices do.
enum class Im2colFetch { kUnique, kExpanded };
const char* to_string(Im2colFetch fetch);  // "unique", "expanded"

// An off-chip interface (tech/interfaces/NAME.yaml): a DRAM type (one channel = one
// PHY + controller) or a host link. Every field's citation is in `sources`.
struct OffChipInterface {
  std::string name = "none";            // "ddr4", "hbm2", "pcie3_x16", "none"
  std::string kind = "none";            // "dram", "host" or "none"
  double channel_gb_per_s = 0;          // dram: peak bandwidth of one channel
  double area_mm2 = 0;                  // per channel (dram) or whole link (host): PHY + controller
  double static_mw = 0;                 // per channel: PHY bias, DLL, termination, controller idle
  double phy_energy_pj_per_bit = 0;     // on-chip side, per bit moved
  double device_energy_pj_per_bit = 0;  // dram: the DRAM devices (core + their I/O), per bit
  double device_background_mw = 0;      // dram: per channel, devices' standby + refresh
  std::map<std::string, std::string> sources;
  bool operator==(const OffChipInterface&) const = default;
};

// Area and energy of one technology node. Every field's citation is in `sources`
// (field name -> source), loaded from tech/NAME.yaml.
struct Technology {
  std::string name;  // e.g. "45nm"
  double node_nm = 45;
  // Per-MAC area/energy by operand type: "int8", "int16", "int32", "fp16", "bf16", "fp32".
  // One MAC = multiplier of that type + 32-bit accumulator adder (int32 / fp32).
  std::map<std::string, double> mac_area_um2;
  std::map<std::string, double> mac_energy_pj;
  double register_area_um2_per_byte = 0;  // PE-local pipeline/operand registers
  double register_energy_pj_per_byte = 0;
  // SRAM macro: area_mm2 = sram_area_mm2_per_kib * kib (whole macro incl. periphery);
  // access energy per byte = sram_energy_pj_per_byte_ref * (kib / sram_ref_kib)^sram_energy_exponent
  double sram_area_mm2_per_kib = 0;
  double sram_energy_pj_per_byte_ref = 0;
  double sram_ref_kib = 8;
  double sram_energy_exponent = 0.5;
  double vector_lane_area_um2 = 0;  // one lane, one op/cycle, incl. its registers
  double vector_op_energy_pj = 0;
  double interconnect_area_fraction = 0;  // on-chip network: a fraction of PE+SRAM area
  double leakage_mw_per_mm2 = 0;          // at vdd_nominal_v
  // PE-local storage (scratchpad / register file inside each PE), per byte.
  double register_file_area_um2_per_byte = 0;
  double register_file_energy_pj_per_byte = 0;
  double pe_control_area_fraction = 0;  // array control (sequencers, valid bits) per PE datapath
  // Placement density of standard-cell logic: cell area / the area it occupies.
  double cell_utilization = 1;
  // Floorplan share that no block claims (routing channels, power grid, whitespace);
  // core area = blocks / (1 - this).
  double whitespace_fraction = 0;
  // SRAM buffers are built from banks of at most sram_bank_kib; each bank adds its
  // periphery (decoders, sense amplifiers, I/O). Reaching a bank costs wire energy.
  double sram_bank_kib = 0;  // 0: one bank (hand-built tables)
  double sram_bank_periphery_mm2 = 0;
  double wire_energy_pj_per_byte_mm = 0;
  // Clock distribution: tree area as a fraction of logic area, and energy per mm2 of
  // clocked logic per cycle (flop clock pins + tree), paid every cycle, busy or not.
  double clock_tree_area_fraction = 0;
  double clock_energy_pj_per_mm2_cycle = 0;
  // Voltage and frequency. Energies above hold at vdd_nominal_v; a design runs at
  // vdd_nominal_v unless its clock needs more (alpha-power law, anchored at
  // fmax_nominal_ghz) or its spec sets supply_v. fmax_nominal_ghz = 0: no V-f model.
  double vdd_nominal_v = 1;
  double vdd_min_v = 0;
  double vdd_max_v = 1;
  double vth_v = 0;
  double alpha_power = 1.3;
  double fmax_nominal_ghz = 0;
  double leakage_voltage_exponent = 0;  // leakage power ~ (V / vdd_nominal_v)^this
  // Logic area grows with the clock above fmax_nominal_ghz (deeper pipelines, upsized
  // gates): factor 1 + timing_area_slope * (clock / fmax_nominal_ghz - 1).
  double timing_area_slope = 0;
  // Off-chip interfaces of the design, resolved from tech/interfaces/ by the spec's
  // dram.type and host_interface (not part of tech/NODE.yaml).
  OffChipInterface dram;
  OffChipInterface host;
  // Citation per field: "node_nm", "sram_area_mm2_per_kib", ..., and per MAC entry
  // "mac_energy_pj.int8" (or one "mac_energy_pj" entry covering the whole map).
  std::map<std::string, std::string> sources;
  bool operator==(const Technology&) const = default;
};

struct TensorUnit {
  int64_t rows = 32;
  int64_t cols = 32;
  int64_t arrays = 1;  // identical arrays working on independent tiles
  Dataflow dataflow = Dataflow::kWs;
  // false: every GEMM runs SCALE-Sim's untiled schedule (what SCALE-Sim configs mean);
  // true: the mapper may also cut GEMMs into buffer-sized tiles.
  bool tiling = true;
  // Storage inside each PE beyond its pipeline registers (e.g. Eyeriss's 0.5 KB
  // scratchpads): area per byte, and each MAC reads/writes its operands there.
  int64_t pe_local_bytes = 0;
  // false: a fold preloads (ws, is) or drains (os) before the next may stream, as in
  // SCALE-Sim; true: each PE has a second register for its stationary operand, so the
  // next fold's preload/drain overlaps this fold's stream (TPU v1's double-buffered
  // weight tiles, Jouppi et al. ISCA 2017, Sec. 2). Costs that register's area.
  bool pipelined_folds = false;
  bool operator==(const TensorUnit&) const = default;
};

struct VectorUnit {
  int64_t lanes = 32;
  int64_t ops_per_lane_per_cycle = 1;
  bool operator==(const VectorUnit&) const = default;
};

// Sizes are the total capacity of each SRAM; with double_buffered, half of it holds the
// tile being computed and half the tile being fetched (as in SCALE-Sim).
// After loading, the unused form is 0: unified specs have input/weight/output_kib = 0,
// split specs have unified_kib = 0.
struct Buffers {
  bool unified = false;  // one buffer of unified_kib shared by all operands
  int64_t input_kib = 64;
  int64_t weight_kib = 64;
  int64_t output_kib = 64;  // output / accumulator buffer
  int64_t unified_kib = 0;
  double read_bytes_per_cycle = 0;  // per buffer; 0 = as wide as the array edge needs
  double write_bytes_per_cycle = 0;
  bool double_buffered = true;  // DRAM transfers overlap compute
  // Activations passed between ops stay in the buffers when they fit (see the network
  // schedule in src/cost/schedule.cpp); false: every tensor op reads its inputs from and
  // writes its outputs to DRAM.
  bool keep_activations_on_chip = true;
  Im2colFetch im2col_fetch = Im2colFetch::kExpanded;
  bool operator==(const Buffers&) const = default;
};

struct Dram {
  double bandwidth_gb_per_s = 25.6;
  double latency_ns = 100;
  // Stall-free memory: DRAM never limits the array (SCALE-Sim InterfaceBandwidth CALC,
  // where the simulator reports the bandwidth needed instead of stalling). Traffic and
  // energy are still counted; bandwidth_gb_per_s is then only nominal.
  bool stall_free = false;
  // bandwidth_gb_per_s is available to each operand stream (input reads, weight reads,
  // output writes) separately instead of being shared, as SCALE-Sim gives each of its
  // three SRAMs its own DRAM interface of `Bandwidth` words/cycle.
  bool bandwidth_per_operand = false;
  // Memory type (tech/interfaces/TYPE.yaml): sets PHY area, power and energy per bit;
  // channels = ceil(bandwidth / the type's channel bandwidth).
  std::string type = "lpddr4";
  bool operator==(const Dram&) const = default;
};

struct Precision {
  int input_bytes = 1;
  int weight_bytes = 1;
  int output_bytes = 1;
  int accumulator_bytes = 4;
  bool is_float = false;     // bf16/fp16/fp32 arithmetic instead of integer
  bool is_bfloat16 = false;  // with is_float and 2-byte operands: bfloat16, not IEEE fp16
  // Key into Technology::mac_*, from the wider of input/weight bytes: "int8", "int16",
  // "int32", "fp8", "fp16", "bf16", "fp32".
  std::string mac_type() const;
  bool operator==(const Precision&) const = default;
};

struct Accelerator {
  std::string name;
  TensorUnit tensor;
  VectorUnit vector;
  Buffers buffers;
  Dram dram;
  double clock_ghz = 1.0;
  // Supply voltage; 0 = the node's nominal supply, raised as far as the clock needs.
  double supply_v = 0;
  std::string host_interface = "none";  // tech/interfaces/NAME.yaml of kind host, or none
  Precision precision;
  std::string technology_name = "45nm";
  // technology_overrides from the spec, by field ("sram_area_mm2_per_kib") or MAC entry
  // ("mac_energy_pj.bf16"); kept so to_yaml and set_parameter("technology") keep them.
  std::map<std::string, double> technology_overrides;
  Technology technology;  // resolved table, with the spec's overrides applied
  bool operator==(const Accelerator&) const = default;

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

// Voltage and frequency (alpha-power law, Sakurai & Newton 1990): the highest clock
// `tech` reaches at supply `vdd_v`, and the supply a design runs at (spec's supply_v, or
// vdd_nominal_v raised until clock_ghz is reached, capped at vdd_max_v).
double max_clock_ghz(const Technology& tech, double vdd_v);
double operating_vdd(const Accelerator& accel);
// Number of DRAM channels (PHY + controller instances) the bandwidth needs.
int64_t dram_channels(const Accelerator& accel);
// Names in tech/interfaces/ of the given kind ("dram" or "host").
std::vector<std::string> interface_names(const std::string& kind);
// The numeric fields an interface of `kind` has ("channel_gb_per_s", "area_mm2", ...; a
// host link has only area_mm2 and static_mw), and their values in `link` by name: the
// one list the loader, overrides, validation and uncertainty studies share.
const std::vector<std::string>& interface_numeric_fields(const std::string& kind);
std::vector<std::pair<std::string, double>> interface_numbers(const OffChipInterface& link);

// Technology tables in tech/NAME.yaml.
Technology load_technology(const std::string& name);
std::vector<std::string> technology_names();
// Numeric Technology fields, as named in tech/*.yaml and technology_overrides; the
// per-type maps are "mac_area_um2" and "mac_energy_pj".
const std::vector<std::string>& technology_numeric_fields();
// Replace fields of `tech` by `overrides` (keys as in Accelerator::technology_overrides)
// and note the override in tech.sources. Throws InputError (file = `file_label`) for an
// unknown field or a negative / non-finite value.
void apply_technology_overrides(Technology& tech, const std::map<std::string, double>& overrides,
                                const std::string& file_label);

// Design-space parameters: set one field by its name ("rows", "cols", "arrays",
// "dataflow", "input_kib", "weight_kib", "output_kib", "unified_kib", "dram_gb_per_s",
// "vector_lanes", "clock_ghz", "precision" (int8|int16|bf16|fp16|fp32), "technology",
// "double_buffered", ...). Throws InputError for an unknown name or a bad value.
// Only the value itself is checked; call validate() once all parameters are set.
// "unified_kib" switches the spec to a unified buffer; "input_kib"/"weight_kib"/
// "output_kib" on a unified spec is an error. "tech.FIELD" / "tech.mac_energy_pj.TYPE"
// set a technology override.
void set_parameter(Accelerator& accel, const std::string& name, const std::string& value);
// The same, with `file_label` as the InputError's file (e.g. the design-space file).
void set_parameter(Accelerator& accel, const std::string& name, const std::string& value,
                   const std::string& file_label);
const std::vector<std::string>& parameter_names();
// Throws InputError (file = `file_label`, place = the YAML key path) if the spec is
// unusable: sizes/rates not positive, precision bytes not 1/2/4, MAC type missing from
// the technology table, or buffers smaller than a minimal tile. Minimal tile: for every
// array, one array-edge vector of each operand -- input rows*input_bytes, weight
// cols*weight_bytes, output cols*accumulator_bytes -- doubled when double_buffered; a
// unified buffer must hold the sum of the three.
void validate(const Accelerator& accel, const std::string& file_label);

}  // namespace acceldse::arch
