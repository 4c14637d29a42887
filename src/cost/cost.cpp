// Public API of the cost model: names, sums, area, and evaluate_op.
#include "cost/cost.h"

#include <fmt/format.h>

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
  return mac_pj + register_pj + input_sram_pj + weight_sram_pj + output_sram_pj + dram_pj + vector_pj +
         leakage_pj;
}

Energy& Energy::operator+=(const Energy& other) {
  mac_pj += other.mac_pj;
  register_pj += other.register_pj;
  input_sram_pj += other.input_sram_pj;
  weight_sram_pj += other.weight_sram_pj;
  output_sram_pj += other.output_sram_pj;
  dram_pj += other.dram_pj;
  vector_pj += other.vector_pj;
  leakage_pj += other.leakage_pj;
  return *this;
}

double Area::total_mm2() const {
  return pe_mm2 + register_mm2 + input_sram_mm2 + weight_sram_mm2 + output_sram_mm2 + vector_mm2 +
         interconnect_mm2;
}

Area area(const arch::Accelerator& accel) {
  const arch::Technology& t = accel.technology;
  const arch::Precision& p = accel.precision;
  const double pes = static_cast<double>(accel.pes());
  Area a;
  a.pe_mm2 = pes * mac_area_um2(accel) * kMm2PerUm2;
  // Each PE holds its two operands and its partial sum in pipeline registers.
  const double register_bytes = static_cast<double>(p.input_bytes + p.weight_bytes + p.accumulator_bytes);
  a.register_mm2 = pes * register_bytes * t.register_area_um2_per_byte * kMm2PerUm2;
  const arch::Buffers& b = accel.buffers;
  if (b.unified) {
    a.input_sram_mm2 = static_cast<double>(b.unified_kib) * t.sram_area_mm2_per_kib;
  } else {
    a.input_sram_mm2 = static_cast<double>(b.input_kib) * t.sram_area_mm2_per_kib;
    a.weight_sram_mm2 = static_cast<double>(b.weight_kib) * t.sram_area_mm2_per_kib;
    a.output_sram_mm2 = static_cast<double>(b.output_kib) * t.sram_area_mm2_per_kib;
  }
  // A lane's area is quoted for one op per cycle; wider lanes count as several.
  a.vector_mm2 = static_cast<double>(accel.vector.lanes * accel.vector.ops_per_lane_per_cycle) *
                 t.vector_lane_area_um2 * kMm2PerUm2;
  const double sram = a.input_sram_mm2 + a.weight_sram_mm2 + a.output_sram_mm2;
  a.interconnect_mm2 = t.interconnect_area_fraction * (a.pe_mm2 + a.register_mm2 + sram);
  return a;
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
  detail::add_leakage(cost, area(accel).total_mm2(), accel);
  detail::check_counts(cost, "<model " + net.name + " on " + accel.name + ">", "layer " + op.name);
  return cost;
}

}  // namespace acceldse::cost
