#pragma once
// Private to src/cost: what an op asks of the hardware, extracted from the network
// once -- the only thing the model (and the cache key) looks at.
#include <array>
#include <cstdint>
#include <vector>

#include "cost/hw_params.h"
#include "cost/vector_model.h"
#include "workload/workload.h"

namespace acceldse::cost::detail {

enum class OpKind : uint8_t {
  kFree,       // reshape / flatten / identity: a view, no work
  kTensor,     // GEMMs on the tensor unit (conv, linear, matmul, lstm, gru)
  kVector,     // element-wise, pooling, norm, softmax
  kCopy,       // data movement that moves bytes
  kEmbedding,  // table gather
};

struct OpWork {
  OpKind kind = OpKind::kFree;
  bool depthwise = false;      // conv with groups == channels: also try the vector unit
  bool serial_vector = false;  // recurrent: gate work between dependent GEMM steps
  std::vector<workload::Gemm> gemms;
  VectorWork vector;
  int64_t macs = 0;
  Residency residency;  // where the activations are: part of the cache key
};

OpWork describe(const workload::Network& net, const workload::Op& op);

// Cache key: the op's work and the hardware fields its cost depends on, as words.
struct CacheKey {
  static constexpr int kMaxWords = 48;  // a tensor op with two GEMMs needs 41
  std::array<uint64_t, kMaxWords> words{};
  int size = 0;
  bool overflow = false;  // too big to key: evaluate without the cache
  uint64_t hash = 0;
  bool operator==(const CacheKey& other) const;
};

CacheKey make_key(const OpWork& work, const HwParams& hw);

}  // namespace acceldse::cost::detail
