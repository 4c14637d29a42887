#pragma once
// Private to src/cost: ops that do not use the tensor array -- vector-unit work,
// data movement and embedding gathers. Activations outside the tensor unit are held at
// input precision (Precision::input_bytes).
#include <cstdint>

#include "cost/cost.h"
#include "cost/hw_params.h"

namespace acceldse::cost::detail {

struct VectorWork {
  int64_t vector_ops = 0;       // element operations (for depthwise: MACs)
  int64_t input_elements = 0;   // activations read
  int64_t output_elements = 0;  // activations written
  int64_t params = 0;           // trained values read (weights, scale/shift)
};

// Element-wise / pooling / norm / softmax work on the vector unit. Activations that fit
// on chip (inputs + outputs within the activation buffers) cost no DRAM traffic; nor
// do inputs / outputs that `residency` says are resident.
OpCost vector_cost(const VectorWork& work, const HwParams& hw, const Residency& residency = {});

// A depthwise convolution done by the vector unit: one vector op per MAC.
OpCost depthwise_vector_cost(const VectorWork& work, int64_t macs, const HwParams& hw, const Residency& residency = {});

// A data-movement op that really moves bytes (transpose, concat, pad, slice, ...):
// an SRAM-to-SRAM copy when it fits on chip, otherwise DRAM to DRAM.
OpCost copy_cost(int64_t input_elements, int64_t output_elements, const HwParams& hw);

// An embedding lookup: gathers output_elements table values from DRAM.
OpCost embedding_cost(int64_t index_elements, int64_t output_elements, const HwParams& hw);

}  // namespace acceldse::cost::detail
