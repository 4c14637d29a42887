#pragma once
// Internal to src/workload (not part of the public header): the one table of op types
// that graph counts, shape inference and YAML I/O all read, so an op added here is
// known everywhere at once; and small helpers the readers share.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "workload/workload.h"

namespace acceldse::workload::detail {

// The YAML attribute keys, each mapped onto one or more Attrs fields.
enum class AttrKey {
  kOutChannels,
  kOutFeatures,
  kKernel,
  kStride,
  kPad,
  kDilation,
  kGroups,
  kBias,
  kCeilMode,
  kKeepdims,
  kAxis,
  kDims,
  kVocab,
  kEmbedDim,
  kHidden,
  kDirections,
};
std::string_view attr_key_name(AttrKey key);

inline constexpr int kAnyNumber = -1;

struct OpInfo {
  std::string type;
  OpClass op_class;
  std::vector<AttrKey> attributes;  // keys the op accepts
  std::vector<AttrKey> required;    // keys the YAML must give (no sensible default)
  int min_inputs = 1;
  int max_inputs = 1;  // kAnyNumber: no limit
  int64_t default_axis = 0;
};

const std::vector<OpInfo>& op_table();
// nullptr for an unknown type.
const OpInfo* find_op(const std::string& type);

bool is_reduction(const std::string& type);

// "conv, linear, matmul, ..." for error messages.
std::string known_op_list();

// Product of dims[first, last); 1 for an empty range.
int64_t product(const Shape& shape, size_t first, size_t last);

// The whole file as text; InputError naming the path if it is missing or unreadable.
std::string read_text_file(const std::string& path);

// Rescales a batch written literally in an op's target shape (reshape, slice, gather,
// expand) when a network is rebatched from `old_batch` to `new_batch`. Rule 1: a leading
// entry equal to the old batch is the batch. Rule 2 (reshape only): a leading entry
// that folds the batch with other dimensions (e.g. [batch*seq, hidden] written as
// [128, 768] at batch 1) is scaled when the element count says so.
void rescale_batch_target(std::vector<int64_t>& dims, const std::string& type, const Shape& new_input,
                          int64_t old_batch, int64_t new_batch);

}  // namespace acceldse::workload::detail
