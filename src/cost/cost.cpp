// Public API of the cost model: names, sums, area, and evaluate_op.
#include "cost/cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "cost/hw_params.h"
#include "cost/op_cost.h"
#include "cost/op_work.h"

namespace acceldse::cost {

namespace {

constexpr double kMm2PerUm2 = 1e-6;

double mac_area_um2(const arch::Accelerator& accel) {
  const std::string type = accel.precision.mac_type();
  auto it = accel.technology.mac_area_um2.find(type);
  if (it == accel.technology.mac_area_um2.end()) {
    throw InputError("<technology " + accel.technology.name + ">", "mac_area_um2." + type,
                     "no entry for MAC type '" + type + "' used by the precision of '" + accel.name + "'");
  }
  return it->second;
}

}  // namespace

const char* to_string(Bound bound) {
  switch (bound) {
    case Bound::kCompute: return "compute";
    case Bound::kMemory: return "memory";
    case Bound::kVector: return "vector";
    case Bound::kNone: return "none";
  }
  return "none";
}

std::string Mapping::to_string() const {
  if (on_vector_unit) return "vector unit";
  if (loop_order.empty()) return "-";
  return fmt::format("{} m={} k={} n={} {}", arch::to_string(dataflow), tile_m, tile_k, tile_n, loop_order);
}

double Energy::total_pj() const {
  return mac_pj + register_pj + pe_storage_pj + input_sram_pj + weight_sram_pj + output_sram_pj + noc_pj + dram_pj +
         vector_pj + leakage_pj + clock_pj + io_pj + dram_background_pj;
}

Energy& Energy::operator+=(const Energy& other) {
  mac_pj += other.mac_pj;
  register_pj += other.register_pj;
  pe_storage_pj += other.pe_storage_pj;
  input_sram_pj += other.input_sram_pj;
  weight_sram_pj += other.weight_sram_pj;
  output_sram_pj += other.output_sram_pj;
  noc_pj += other.noc_pj;
  dram_pj += other.dram_pj;
  vector_pj += other.vector_pj;
  leakage_pj += other.leakage_pj;
  clock_pj += other.clock_pj;
  io_pj += other.io_pj;
  dram_background_pj += other.dram_background_pj;
  return *this;
}

double Area::total_mm2() const {
  return logic_mm2() + sram_mm2() + interconnect_mm2 + clock_tree_mm2 + whitespace_mm2 + io_mm2();
}

namespace {

// Logic sized for a clock above the node's nominal one needs deeper pipelines and
// bigger gates (arch.h: timing_area_slope).
double timing_area_factor(const arch::Accelerator& accel) {
  const arch::Technology& t = accel.technology;
  if (t.fmax_nominal_ghz <= 0) return 1.0;
  return 1.0 + t.timing_area_slope * std::max(0.0, accel.clock_ghz / t.fmax_nominal_ghz - 1.0);
}

// The stationary operand's second register in each PE (pipelined folds): the weight
// (ws), the input (is) or the accumulator (os); all three for a dataflow chosen per op.
int shadow_register_bytes(const arch::Accelerator& accel) {
  if (!accel.tensor.pipelined_folds) return 0;
  const arch::Precision& p = accel.precision;
  switch (accel.tensor.dataflow) {
    case arch::Dataflow::kWs: return p.weight_bytes;
    case arch::Dataflow::kIs: return p.input_bytes;
    case arch::Dataflow::kOs: return p.accumulator_bytes;
    case arch::Dataflow::kAuto: break;
  }
  return p.weight_bytes + p.input_bytes + p.accumulator_bytes;
}

void add_tensor_area(const arch::Accelerator& accel, double logic_scale, Area& a) {
  const arch::Technology& t = accel.technology;
  const arch::Precision& p = accel.precision;
  const double pes = static_cast<double>(accel.pes());
  a.pe_mm2 = pes * mac_area_um2(accel) * kMm2PerUm2 * logic_scale;
  // Each PE holds its two operands and its partial sum in pipeline registers, and with
  // pipelined folds a second copy of its stationary operand.
  const double register_bytes =
      static_cast<double>(p.input_bytes + p.weight_bytes + p.accumulator_bytes + shadow_register_bytes(accel));
  a.register_mm2 = pes * register_bytes * t.register_area_um2_per_byte * kMm2PerUm2 * logic_scale;
  a.pe_storage_mm2 = pes * static_cast<double>(accel.tensor.pe_local_bytes) * t.register_file_area_um2_per_byte *
                     kMm2PerUm2 / t.cell_utilization;
  a.array_control_mm2 = t.pe_control_area_fraction * (a.pe_mm2 + a.register_mm2);
}

void add_buffer_area(const arch::Accelerator& accel, Area& a) {
  const arch::Technology& t = accel.technology;
  const arch::Buffers& b = accel.buffers;
  const auto sram = [&](int64_t kib) { return detail::sram_area_mm2(t, static_cast<double>(kib)); };
  if (b.unified) {
    a.input_sram_mm2 = sram(b.unified_kib);
  } else {
    a.input_sram_mm2 = sram(b.input_kib);
    a.weight_sram_mm2 = sram(b.weight_kib);
    a.output_sram_mm2 = sram(b.output_kib);
  }
}

}  // namespace

Area area(const arch::Accelerator& accel) {
  const arch::Technology& t = accel.technology;
  const double logic_scale = timing_area_factor(accel) / t.cell_utilization;
  Area a;
  add_tensor_area(accel, logic_scale, a);
  add_buffer_area(accel, a);
  // A lane's area is quoted for one op per cycle; wider lanes count as several.
  a.vector_mm2 = static_cast<double>(accel.vector.lanes * accel.vector.ops_per_lane_per_cycle) *
                 t.vector_lane_area_um2 * kMm2PerUm2 * logic_scale;
  a.interconnect_mm2 = t.interconnect_area_fraction * (a.pe_mm2 + a.register_mm2 + a.pe_storage_mm2 + a.sram_mm2());
  a.clock_tree_mm2 = t.clock_tree_area_fraction * a.logic_mm2();
  const double blocks = a.logic_mm2() + a.sram_mm2() + a.interconnect_mm2 + a.clock_tree_mm2;
  a.whitespace_mm2 = t.whitespace_fraction < 1 ? blocks * t.whitespace_fraction / (1 - t.whitespace_fraction) : 0;
  a.dram_phy_mm2 = static_cast<double>(arch::dram_channels(accel)) * t.dram.area_mm2;
  a.host_interface_mm2 = t.host.area_mm2;
  return a;
}

namespace detail {

DesignPower design_power(const arch::Accelerator& accel, const Area& a) {
  const arch::Technology& t = accel.technology;
  const double vdd_v = arch::operating_vdd(accel);
  const double v_ratio = vdd_v / t.vdd_nominal_v;
  const double channels = static_cast<double>(arch::dram_channels(accel));
  DesignPower p;
  p.vdd_v = vdd_v;
  p.clock_ghz = accel.clock_ghz > 0 ? accel.clock_ghz : 1.0;
  p.clock_pj_per_cycle = t.clock_energy_pj_per_mm2_cycle * a.clocked_logic_mm2() * v_ratio * v_ratio;
  // Leakage is quoted per mm2 of the core (logic and SRAM); the I/O has its own static power.
  p.leakage_mw = t.leakage_mw_per_mm2 * a.core_mm2() * std::pow(v_ratio, t.leakage_voltage_exponent);
  p.io_static_mw = channels * t.dram.static_mw + t.host.static_mw;
  p.dram_background_mw = channels * t.dram.device_background_mw;
  p.phy_pj_per_byte = 8.0 * t.dram.phy_energy_pj_per_bit;
  return p;
}

}  // namespace detail

double idle_power_w(const arch::Accelerator& accel) {
  const detail::DesignPower p = detail::design_power(accel, area(accel));
  return (p.clock_pj_per_cycle * p.clock_ghz + p.leakage_mw + p.io_static_mw) * 1e-3;
}

double dram_idle_power_w(const arch::Accelerator& accel) {
  return detail::design_power(accel, area(accel)).dram_background_mw * 1e-3;
}

OpCost evaluate_op(const workload::Network& net, const workload::Op& op, const arch::Accelerator& accel,
                   CostCache* cache) {
  return evaluate_op(net, op, accel, Residency{}, cache);
}

OpCost evaluate_op(const workload::Network& net, const workload::Op& op, const arch::Accelerator& accel,
                   const Residency& residency, CostCache* cache) {
  const detail::HwParams hw = detail::make_hw_params(accel);
  detail::OpWork work = detail::describe(net, op);
  work.residency = residency;
  OpCost cost = detail::evaluate_work_cached(work, hw, cache);
  detail::add_time_energy(cost, detail::design_power(accel, area(accel)));
  detail::check_counts(cost, net.name, accel.name, op.name);
  return cost;
}

}  // namespace acceldse::cost
