#pragma once
// Private to src/cost: one op's cost from its work description, with or without the
// cache; leakage is added separately because it depends on the whole design's area.
#include <string_view>

#include "cost/cost.h"
#include "cost/hw_params.h"
#include "cost/op_work.h"

namespace acceldse::cost::detail {

OpCost evaluate_work(const OpWork& work, const HwParams& hw);
OpCost evaluate_work_cached(const OpWork& work, const HwParams& hw, CostCache* cache);

// What a design spends per unit of time or per byte at its pins, independent of the
// op: clock distribution, leakage, I/O static power, DRAM background, PHY energy.
struct DesignPower {
  double vdd_v = 0;
  double clock_ghz = 1;
  double clock_pj_per_cycle = 0;
  double leakage_mw = 0;
  double io_static_mw = 0;
  double dram_background_mw = 0;
  double phy_pj_per_byte = 0;
};
DesignPower design_power(const arch::Accelerator& accel, const Area& area);

// Adds the energy of the op's duration (mW x ns = pJ) and of its DRAM bytes at the PHY.
void add_time_energy(OpCost& cost, const DesignPower& power);

// Throws InputError("<model MODEL on ARCH>", "layer LAYER" or, for an empty LAYER,
// "network total", ...) when a count of `cost` reached
// kCountLimit (common/checked.h: the saturated value of an overflow) or an energy is not
// finite: such an op is too large, or the design too slow, for 64-bit counts. The
// error's texts are built only when it throws: this runs for every op of every design.
void check_counts(const OpCost& cost, std::string_view model, std::string_view arch, std::string_view layer);

}  // namespace acceldse::cost::detail
