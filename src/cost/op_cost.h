#pragma once
// Private to src/cost: one op's cost from its work description, with or without the
// cache; leakage is added separately because it depends on the whole design's area.
#include "cost/cost.h"
#include "cost/hw_params.h"
#include "cost/op_work.h"

namespace acceldse::cost::detail {

OpCost evaluate_work(const OpWork& work, const HwParams& hw);
OpCost evaluate_work_cached(const OpWork& work, const HwParams& hw, CostCache* cache);

// Static power over the op's duration: mW/mm^2 * mm^2 * ns = pJ.
void add_leakage(OpCost& cost, double area_mm2, const arch::Accelerator& accel);

// Throws InputError(file, place, ...) when a count of `cost` reached kCountLimit
// (common/checked.h: the saturated value of an overflow) or an energy is not finite:
// such an op is too large, or the design too slow, for 64-bit counts.
void check_counts(const OpCost& cost, const std::string& file, const std::string& place);

}  // namespace acceldse::cost::detail
