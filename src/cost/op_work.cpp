#include "cost/op_work.h"

#include <algorithm>
#include <bit>

namespace acceldse::cost::detail {

namespace {

using workload::OpClass;

// Data-movement ops that are views of their input: no bytes move.
bool is_view(const std::string& type) { return type == "reshape" || type == "flatten" || type == "identity"; }

bool is_depthwise(const workload::Network& net, const workload::Op& op) {
  if (op.op_class != OpClass::kConv || op.attrs.groups <= 1 || op.inputs.empty()) return false;
  const workload::Shape& in = net.input_of(op).shape;
  return in.size() >= 2 && in[1] == op.attrs.groups;
}

OpKind kind_of(const workload::Op& op) {
  switch (op.op_class) {
    case OpClass::kConv:
    case OpClass::kMatmul:
    case OpClass::kRecurrent: return OpKind::kTensor;
    case OpClass::kPool:
    case OpClass::kEltwise:
    case OpClass::kNorm:
    case OpClass::kSoftmax: return OpKind::kVector;
    case OpClass::kDataMove: return is_view(op.type) ? OpKind::kFree : OpKind::kCopy;
    case OpClass::kEmbedding: return OpKind::kEmbedding;
  }
  return OpKind::kFree;
}

class KeyWriter {
 public:
  explicit KeyWriter(CacheKey& key) : key_(key) {}
  void add(uint64_t word) {
    if (key_.size == CacheKey::kMaxWords) {
      key_.overflow = true;
      return;
    }
    key_.words[static_cast<size_t>(key_.size++)] = word;
    // splitmix64 finaliser over a running combination: cheap and well mixed.
    uint64_t z = key_.hash ^ (word + 0x9e3779b97f4a7c15ULL + (key_.hash << 6) + (key_.hash >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    key_.hash = z ^ (z >> 31);
  }
  void add_i(int64_t v) { add(static_cast<uint64_t>(v)); }
  void add_d(double v) { add(std::bit_cast<uint64_t>(v)); }

 private:
  CacheKey& key_;
};

// Buffers, DRAM, precision and their energies: every kind of op depends on these.
void add_memory_fields(KeyWriter& w, const HwParams& hw) {
  w.add_i(hw.input_bytes);
  w.add_i(hw.weight_bytes);
  w.add_i(hw.output_bytes);
  w.add_i(hw.acc_bytes);
  w.add(static_cast<uint64_t>(hw.unified) | static_cast<uint64_t>(hw.double_buffered) << 1 |
        static_cast<uint64_t>(hw.dram_unlimited) << 2 | static_cast<uint64_t>(hw.dram_per_operand) << 3);
  w.add_d(hw.input_tile_bytes);
  w.add_d(hw.weight_tile_bytes);
  w.add_d(hw.output_tile_bytes);
  w.add_d(hw.unified_tile_bytes);
  w.add_d(hw.onchip_activation_bytes);
  w.add_d(hw.sram_read_bytes_per_cycle);
  w.add_d(hw.sram_write_bytes_per_cycle);
  w.add_d(hw.dram_unlimited ? 0.0 : hw.dram_bytes_per_cycle);
  w.add_d(hw.dram_unlimited ? 0.0 : hw.dram_latency_cycles);
  w.add_d(hw.input_sram_pj_per_byte);
  w.add_d(hw.weight_sram_pj_per_byte);
  w.add_d(hw.output_sram_pj_per_byte);
  w.add_d(hw.dram_pj_per_byte);
}

void add_array_fields(KeyWriter& w, const HwParams& hw) {
  w.add_i(hw.rows);
  w.add_i(hw.cols);
  w.add_i(hw.arrays);
  w.add_i(static_cast<int64_t>(hw.dataflow));
  w.add(static_cast<uint64_t>(hw.tiling) | static_cast<uint64_t>(hw.pipelined_folds) << 1 |
        static_cast<uint64_t>(hw.im2col_unique) << 2);
  w.add_d(hw.mac_pj);
  w.add_d(hw.register_pj_per_byte);
  w.add_d(hw.pe_storage_pj_per_mac);
  w.add_d(hw.noc_pj_per_byte);
}

// Two dimensions per word where the loader keeps both below 2^31 (shapes, strides).
void add_window(KeyWriter& w, const workload::ConvWindow& c) {
  const auto pair = [](int64_t hi, int64_t lo) { return static_cast<uint64_t>(hi) << 32 | static_cast<uint64_t>(lo); };
  w.add(pair(c.out_h, c.out_w));
  w.add(pair(c.in_h, c.in_w));
  w.add(pair(c.stride_h, c.stride_w));
  w.add_i(c.span_h);
  w.add_i(c.span_w);
  w.add(pair(c.kernel_h, c.kernel_w));
}

void add_vector_fields(KeyWriter& w, const HwParams& hw) {
  w.add_i(hw.vector_ops_per_cycle);
  w.add_d(hw.vector_op_pj);
}

void add_vector_work(KeyWriter& w, const VectorWork& v) {
  w.add_i(v.vector_ops);
  w.add_i(v.input_elements);
  w.add_i(v.output_elements);
  w.add_i(v.params);
}

}  // namespace

bool CacheKey::operator==(const CacheKey& other) const {
  return size == other.size && hash == other.hash &&
         std::equal(words.begin(), words.begin() + size, other.words.begin());
}

OpWork describe(const workload::Network& net, const workload::Op& op) {
  OpWork w;
  w.kind = kind_of(op);
  if (w.kind == OpKind::kFree) return w;
  w.vector.input_elements = workload::input_elements(net, op);
  w.vector.output_elements = workload::output_elements(net, op);
  w.vector.params = op.params;
  w.vector.vector_ops = workload::vector_ops(net, op);
  if (w.kind == OpKind::kTensor) {
    w.gemms = workload::gemms(net, op);
    for (const workload::Gemm& g : w.gemms) w.macs += g.m * g.k * g.n * g.count;
    w.depthwise = is_depthwise(net, op);
    w.serial_vector = op.op_class == OpClass::kRecurrent && w.vector.vector_ops > 0;
  }
  return w;
}

CacheKey make_key(const OpWork& work, const HwParams& hw) {
  CacheKey key;
  KeyWriter w(key);
  w.add(static_cast<uint64_t>(work.kind) | static_cast<uint64_t>(work.depthwise) << 8 |
        static_cast<uint64_t>(work.serial_vector) << 9 | static_cast<uint64_t>(work.residency.inputs_on_chip) << 10 |
        static_cast<uint64_t>(work.residency.outputs_on_chip) << 11);
  if (work.kind == OpKind::kFree) return key;
  add_memory_fields(w, hw);
  switch (work.kind) {
    case OpKind::kTensor:
      add_array_fields(w, hw);
      if (work.depthwise || work.serial_vector) {
        add_vector_fields(w, hw);
        add_vector_work(w, work.vector);
      }
      for (const workload::Gemm& g : work.gemms) {
        w.add_i(g.m);
        w.add_i(g.k);
        w.add_i(g.n);
        w.add_i(g.count);
        w.add(static_cast<uint64_t>(g.b_is_weight) | static_cast<uint64_t>(g.sequential) << 1);
        if (g.window.out_w > 0) add_window(w, g.window);
      }
      break;
    case OpKind::kVector:
      add_vector_fields(w, hw);
      add_vector_work(w, work.vector);
      break;
    case OpKind::kCopy:
    case OpKind::kEmbedding:
      // The on-chip copy rate defaults to the array edge width.
      w.add_i(hw.rows);
      w.add_i(hw.cols);
      w.add_i(work.vector.input_elements);
      w.add_i(work.vector.output_elements);
      break;
    case OpKind::kFree: break;
  }
  return key;
}

}  // namespace acceldse::cost::detail
