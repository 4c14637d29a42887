// Writing a network whose widths were changed (fit-model) as ONNX: the original file with
// every constant that spells a changed width resized, and nothing else touched. Weights,
// biases and normalisation parameters are resized by rules per operator (which of their
// dimensions are which activation's), and tensors whose shape changes are freshly
// initialised; shape arithmetic (Reshape/Expand targets, Split sizes, Slice bounds) is
// rewritten where the changed number is a stored literal. The result is imported again
// and compared with the network it must be: whatever the rules missed becomes an error,
// never a wrong file.
#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "workload/detail.h"
#include "workload/onnx/model.h"
#include "workload/onnx/proto.h"
#include "workload/onnx/tensor.h"
#include "workload/workload.h"

namespace acceldse::workload {
namespace {

using namespace onnx_detail;

// ---- new values ----------------------------------------------------------------------------

// How the elements of a resized tensor are initialised: weights U(-b, b) with
// b = 1/sqrt(fan_in) (PyTorch's default bound for Conv and Linear), everything else a
// constant that makes the op neutral (bias 0, scale 1, running variance 1).
struct Init {
  bool uniform = false;
  double value = 0;  // !uniform
  double bound = 0;  // uniform
};

Init weights(int64_t fan_in) { return Init{true, 0, 1 / std::sqrt(static_cast<double>(std::max<int64_t>(fan_in, 1)))}; }
Init fill(double value) { return Init{false, value, 0}; }

// splitmix64 seeded by the tensor's name (FNV-1a): the same file gives the same values on
// every platform.
class Rng {
 public:
  explicit Rng(const std::string& seed) {
    state_ = 0xcbf29ce484222325ULL;
    for (unsigned char c : seed) state_ = (state_ ^ c) * 0x100000001b3ULL;
  }
  double uniform(double bound) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    double u = static_cast<double>(z >> 11) * 0x1.0p-53;  // [0, 1)
    return (2 * u - 1) * bound;
  }

 private:
  uint64_t state_ = 0;
};

uint16_t to_half(double v) {
  float f = static_cast<float>(v);
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  uint32_t sign = (x >> 16) & 0x8000u, mant = x & 0x7fffffu;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xffu);
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u));
  exp = exp - 127 + 15;
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (exp <= 0) {  // subnormal or zero
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift, rem = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13), rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;  // a carry rounds up the exponent
  return static_cast<uint16_t>(half);
}

uint16_t to_bfloat16(double v) {
  float f = static_cast<float>(v);
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  if (std::isnan(f)) return static_cast<uint16_t>((x >> 16) | 0x40u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

void clear_data(onnx::TensorProto& t) {
  t.clear_float_data();
  t.clear_int32_data();
  t.clear_string_data();
  t.clear_int64_data();
  t.clear_double_data();
  t.clear_uint64_data();
  t.clear_raw_data();
  t.clear_external_data();
  t.set_data_location(onnx::TensorProto_DataLocation_DEFAULT);
}

// Stores the values as the tensor's raw little-endian data in its own element type
// (integers rounded). `ints` is used for integer types when given (exact beyond 2^53).
void store_values(onnx::TensorProto& t, const std::vector<double>& values, const std::vector<int64_t>* ints,
                  const std::string& file, const std::string& name) {
  const int32_t type = t.data_type();
  const size_t bytes = raw_element_bytes(type);
  if (bytes == 0) {
    throw InputError(file, "tensor " + name,
                     fmt::format("cannot write new values of element type {} (only numeric tensors are "
                                 "resized)",
                                 type));
  }
  std::string raw(values.size() * bytes, '\0');
  for (size_t k = 0; k < values.size(); ++k) {
    char* p = raw.data() + k * bytes;
    auto put = [p]<typename T>(T v) { std::memcpy(p, &v, sizeof v); };
    double v = values[k];
    int64_t i = ints ? (*ints)[k] : static_cast<int64_t>(std::llround(v));
    switch (type) {
      case onnx::TensorProto_DataType_FLOAT: put(static_cast<float>(v)); break;
      case onnx::TensorProto_DataType_DOUBLE: put(v); break;
      case onnx::TensorProto_DataType_FLOAT16: put(to_half(v)); break;
      case onnx::TensorProto_DataType_BFLOAT16: put(to_bfloat16(v)); break;
      case onnx::TensorProto_DataType_BOOL: put(static_cast<uint8_t>(i != 0)); break;
      case onnx::TensorProto_DataType_UINT8: put(static_cast<uint8_t>(i)); break;
      case onnx::TensorProto_DataType_INT8: put(static_cast<int8_t>(i)); break;
      case onnx::TensorProto_DataType_UINT16: put(static_cast<uint16_t>(i)); break;
      case onnx::TensorProto_DataType_INT16: put(static_cast<int16_t>(i)); break;
      case onnx::TensorProto_DataType_INT32: put(static_cast<int32_t>(i)); break;
      case onnx::TensorProto_DataType_UINT32: put(static_cast<uint32_t>(i)); break;
      case onnx::TensorProto_DataType_INT64: put(i); break;
      case onnx::TensorProto_DataType_UINT64: put(static_cast<uint64_t>(i)); break;
      default: break;
    }
  }
  clear_data(t);
  t.set_raw_data(std::move(raw));
}

void set_dims(onnx::TensorProto& t, const Shape& shape) {
  t.clear_dims();
  for (int64_t d : shape) t.add_dims(d);
}

void set_value_shape(onnx::ValueInfoProto& v, const Shape& shape) {
  if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
  auto* s = v.mutable_type()->mutable_tensor_type()->mutable_shape();
  if (s->dim_size() != static_cast<int>(shape.size())) {
    s->clear_dim();
    for (int64_t d : shape) s->add_dim()->set_dim_value(d);
    return;
  }
  for (int k = 0; k < s->dim_size(); ++k) {
    auto* d = s->mutable_dim(k);
    // Symbolic dimensions stay symbolic (widths are never symbolic: they are weights' sizes).
    const int64_t want = shape[static_cast<size_t>(k)];
    if (d->has_dim_value() && d->dim_value() != want) d->set_dim_value(want);
  }
}

void set_int_attr(onnx::NodeProto& n, const std::string& name, int64_t value) {
  for (auto& a : *n.mutable_attribute()) {
    if (a.name() == name) {
      a.set_type(onnx::AttributeProto_AttributeType_INT);
      a.set_i(value);
      return;
    }
  }
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INT);
  a->set_i(value);
}

onnx::AttributeProto* mutable_attr(onnx::NodeProto& n, const std::string& name) {
  for (auto& a : *n.mutable_attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

std::string join_dims(const std::vector<int64_t>& v) { return fmt::format("[{}]", fmt::join(v, ", ")); }

// ---- the resizer ---------------------------------------------------------------------------

class Resizer {
 public:
  Resizer(onnx::ModelProto& model, std::string file, const Network& before, const Network& after,
          const ImportNames& names)
      : g_(*model.mutable_graph()), file_(std::move(file)), before_(before), after_(after), names_(names) {
    for (size_t t = 0; t < before_.tensors.size(); ++t) tensor_[before_.tensors[t].name] = t;
    for (size_t i = 0; i < before_.ops.size(); ++i) op_[before_.ops[i].name] = i;
    for (auto& t : *g_.mutable_initializer()) {
      if (!t.name().empty()) stored_[t.name()] = &t;
    }
    for (auto& n : *g_.mutable_node()) {
      for (const auto& o : n.output()) {
        if (!o.empty()) producer_[o] = &n;
      }
      if (n.op_type() == "Constant" && n.output_size() == 1 && is_default_domain(n.domain())) {
        if (auto* v = mutable_attr(n, "value"); v && v->has_t()) stored_[n.output(0)] = v->mutable_t();
      }
    }
  }

  // Decides every change, then applies them; returns whether anything changed.
  bool run() {
    for (int i = 0; i < g_.node_size(); ++i) visit(i);
    return apply();
  }

 private:
  struct Resize {
    Shape shape;
    Init init;
    std::string by;  // the node asking, for messages
  };
  struct Literal {
    int64_t value = 0;
    std::string by;
  };

  onnx::GraphProto& g_;
  std::string file_;
  const Network& before_;
  const Network& after_;
  const ImportNames& names_;
  std::unordered_map<std::string, size_t> tensor_;              // IR tensor name -> index (same in both networks)
  std::unordered_map<std::string, size_t> op_;                  // IR op name -> index
  std::unordered_map<std::string, onnx::TensorProto*> stored_;  // initializers and Constant values
  std::unordered_map<std::string, onnx::NodeProto*> producer_;
  std::map<std::string, Resize> resizes_;                       // stored tensor -> new shape
  std::map<std::string, std::map<int64_t, Literal>> literals_;  // stored tensor -> element -> value
  std::set<std::string> resized_;
  bool attributes_changed_ = false;

  static bool is_default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

  std::string place(int i) const {
    return fmt::format("node {} ({})", names_.node_ops[static_cast<size_t>(i)], g_.node(i).op_type());
  }

  bool is_activation(const std::string& name) const { return names_.activations.count(name) > 0; }
  bool is_constant(const std::string& name) const { return !name.empty() && names_.constants.count(name) > 0; }

  const Shape& act_shape(const Network& net, const std::string& name) const {
    auto a = names_.activations.find(name);
    if (a == names_.activations.end() || !tensor_.count(a->second)) {
      throw InputError(file_, "tensor " + name, "expected a run-time tensor of the network");
    }
    return net.tensors[tensor_.at(a->second)].shape;
  }
  const Shape& before_shape(const std::string& name) const { return act_shape(before_, name); }
  const Shape& after_shape(const std::string& name) const { return act_shape(after_, name); }
  const Shape& const_shape(const std::string& name) const { return names_.constants.at(name); }

  static std::string in(const onnx::NodeProto& n, int k) { return k < n.input_size() ? n.input(k) : std::string(); }

  // ---- requests ----

  // The stored tensor a constant is read from, through value-preserving nodes; "" if it
  // is computed.
  std::string stored_source(const std::string& name, int depth = 0) const {
    if (stored_.count(name)) return name;
    auto p = producer_.find(name);
    if (p == producer_.end() || depth > 32) return "";
    const std::string& t = p->second->op_type();
    if (t == "Identity" || t == "Dropout" || t == "Cast" || t == "CastLike") {
      return stored_source(in(*p->second, 0), depth + 1);
    }
    return "";
  }

  // Constant `name` (an input of node i) must have `shape`; new values from `init`.
  void request(int i, const std::string& name, const Shape& shape, Init init) {
    if (!is_constant(name)) return;
    const bool changes = const_shape(name) != shape;
    std::string source = stored_source(name);
    if (source.empty()) {
      if (!changes) return;
      const auto* p = producer_.count(name) ? producer_.at(name) : nullptr;
      throw InputError(file_, place(i),
                       fmt::format("its constant input '{}' must become {} for the fitted widths, but it is "
                                   "computed (by a {} node) rather than stored, so it cannot be resized; write "
                                   "the fitted network as YAML instead",
                                   name, shape_to_string(shape), p ? p->op_type() : std::string("?")));
    }
    auto [it, inserted] = resizes_.try_emplace(source, Resize{shape, init, place(i)});
    if (!inserted && it->second.shape != shape) {
      throw InputError(file_, place(i),
                       fmt::format("its constant input '{}' is shared with {}, which needs shape {} where this "
                                   "node needs {}; it cannot be resized for both, so write the fitted network as "
                                   "YAML instead",
                                   source, it->second.by, shape_to_string(it->second.shape), shape_to_string(shape)));
    }
  }

  // A constant operand broadcast against the output: every axis that spans an output
  // axis follows that axis' size.
  void request_broadcast(int i, const std::string& name, const Shape& out_before, const Shape& out_after, Init init) {
    if (!is_constant(name)) return;
    Shape want = const_shape(name);
    if (want.size() > out_before.size() || out_before.size() != out_after.size()) return;
    size_t offset = out_before.size() - want.size();
    for (size_t k = 0; k < want.size(); ++k) {
      if (want[k] != 1 && want[k] == out_before[offset + k]) want[k] = out_after[offset + k];
    }
    request(i, name, want, init);
  }

  // Element `index` of the integer constant `name` becomes `value` (it was `old`): the
  // stored literal it comes from is rewritten. Values copied from activation shapes
  // (Shape, Size) follow the new shapes by themselves. False if the element is computed
  // in a way that cannot be traced to one stored literal.
  bool rewrite_literal(int i, const std::string& name, int64_t index, int64_t old, int64_t value, int depth = 0) {
    auto known = names_.int_values.find(name);
    if (known == names_.int_values.end() || index < 0 || index >= static_cast<int64_t>(known->second.size()) ||
        known->second[static_cast<size_t>(index)] != old || depth > 64) {
      return false;
    }
    auto p = producer_.find(name);
    const onnx::NodeProto* node = p == producer_.end() ? nullptr : p->second;
    const bool int_constant =
        node && node->op_type() == "Constant" && (find_attr(*node, "value_ints") || find_attr(*node, "value_int"));
    const bool stored = stored_.count(name) > 0 || int_constant;
    if (stored) {
      auto [it, inserted] = literals_[name].try_emplace(index, Literal{value, place(i)});
      return inserted || it->second.value == value;
    }
    if (!node || !is_default_domain(node->domain())) return false;
    const std::string& t = node->op_type();
    if (t == "Shape" || t == "Size") return true;  // re-evaluated from the new shapes
    if (t == "Identity" || t == "Cast" || t == "Squeeze" || t == "Unsqueeze" || t == "Reshape" || t == "Flatten") {
      return rewrite_literal(i, in(*node, 0), index, old, value, depth + 1);  // same elements, same order
    }
    if (t == "Concat") {
      int64_t offset = 0;
      for (const auto& piece : node->input()) {
        if (!is_constant(piece)) return false;
        const Shape& s = const_shape(piece);
        if (s.size() != 1) return false;
        if (index < offset + s[0]) return rewrite_literal(i, piece, index - offset, old, value, depth + 1);
        offset += s[0];
      }
      return false;
    }
    if (t == "Gather") {
      const std::string data = in(*node, 0), idx = in(*node, 1);
      auto iv = names_.int_values.find(idx);
      if (!is_constant(data) || const_shape(data).size() != 1 || iv == names_.int_values.end() ||
          index >= static_cast<int64_t>(iv->second.size())) {
        return false;
      }
      int64_t k = iv->second[static_cast<size_t>(index)];
      if (k < 0) k += const_shape(data)[0];
      return rewrite_literal(i, data, k, old, value, depth + 1);
    }
    return false;
  }

  [[noreturn]] void untraceable(int i, const std::string& input, int64_t index, int64_t old, int64_t value) const {
    throw InputError(file_, place(i),
                     fmt::format("element {} of its input '{}' must change from {} to {} for the fitted widths, but "
                                 "that value is computed rather than stored as a constant, so it cannot be rewritten "
                                 "safely; write the fitted network as YAML instead",
                                 index, input, old, value));
  }

  void literal(int i, const std::string& input, int64_t index, int64_t old, int64_t value) {
    if (!rewrite_literal(i, input, index, old, value)) untraceable(i, input, index, old, value);
  }

  // An integer-list attribute (the forms of opsets before shape inputs) set element-wise.
  void attr_literal(int i, const std::string& attr, int64_t index, int64_t old, int64_t value) {
    onnx::AttributeProto* a = mutable_attr(*g_.mutable_node(i), attr);
    if (!a || index >= a->ints_size() || a->ints(static_cast<int>(index)) != old) {
      throw InputError(file_, place(i),
                       fmt::format("attribute '{}' must change from {} to {} at position {} for the fitted widths, "
                                   "but it does not hold {} there; write the fitted network as YAML instead",
                                   attr, old, value, index, old));
    }
    a->set_ints(static_cast<int>(index), value);
    attributes_changed_ = true;
  }

  // ---- per operator ----

  void visit(int i) {
    const onnx::NodeProto& n = g_.node(i);
    auto op = op_.find(names_.node_ops[static_cast<size_t>(i)]);
    if (op == op_.end() || !is_default_domain(n.domain())) return;  // folded, elided or not the node's op
    const Op& ob = before_.ops[op->second];
    const Op& oa = after_.ops[op->second];
    const std::string& t = n.op_type();
    if (t == "Conv") return conv(i, n, ob, oa);
    if (t == "Gemm") return gemm(i, n);
    if (t == "MatMul") return matmul(i, n);
    if (t == "BatchNormalization") return batchnorm(i, n);
    if (t == "LayerNormalization") return layernorm(i, n);
    if (t == "PRelu") return broadcast_inputs(i, n, fill(0.25));
    if (t == "Mul" || t == "Div" || t == "Pow") return broadcast_inputs(i, n, fill(1));
    static const std::set<std::string> nary = {"Add",   "Sub",  "Max",     "Min",         "Sum",
                                               "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
                                               "And",   "Or",   "Xor",     "Where"};
    if (nary.count(t)) return broadcast_inputs(i, n, fill(0));
    if (t == "Concat") return concat(i, n);
    if (t == "Gather" && ob.type == "embedding") return embedding(i, n);
    if (t == "LSTM" || t == "GRU") return recurrent(i, n, ob, oa);
    if (t == "Reshape") return reshape(i, n, ob, oa);
    if (t == "Split") return split(i, n, ob, oa);
    if (t == "Expand") return target_shape(i, n, 1);
    if (t == "Resize") return target_shape(i, n, 3);
    if (t == "Slice") return slice(i, n);
  }

  // W [O, C/group, k...], B [O]; a depthwise conv's group follows its channels.
  void conv(int i, const onnx::NodeProto& n, const Op& ob, const Op& oa) {
    const Shape& x = after_shape(in(n, 0));
    const std::string w = in(n, 1);
    if (!is_constant(w) || x.size() < 2) return;
    Shape ws = const_shape(w);
    const int64_t groups = oa.attrs.groups;
    ws[0] = oa.attrs.out_channels;
    ws[1] = x[1] / groups;
    request(i, w, ws, weights(detail::product(ws, 1, ws.size())));
    if (!in(n, 2).empty()) request(i, in(n, 2), {oa.attrs.out_channels}, fill(0));
    if (groups != ob.attrs.groups) {
      set_int_attr(*g_.mutable_node(i), "group", groups);
      attributes_changed_ = true;
    }
  }

  // Y = A' B' + C with A' = transA ? A^T : A, B' likewise; one of A and B is a constant.
  void gemm(int i, const onnx::NodeProto& n) {
    const bool ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
    const std::string a = in(n, 0), b = in(n, 1), y = n.output(0);
    const Shape &yb = before_shape(y), &ya = after_shape(y);
    if (ya.size() != 2) return;
    if (is_activation(a) && is_constant(b)) {
      const Shape& as = after_shape(a);
      if (as.size() != 2) return;
      int64_t k = ta ? as[0] : as[1];
      request(i, b, tb ? Shape{ya[1], k} : Shape{k, ya[1]}, weights(k));
    } else if (is_constant(a) && is_activation(b) && after_shape(b).size() == 2) {
      const Shape& bs = after_shape(b);
      int64_t k = tb ? bs[1] : bs[0];
      request(i, a, {ya[0], k}, weights(k));
    }
    request_broadcast(i, in(n, 2), yb, ya, fill(0));
  }

  void matmul(int i, const onnx::NodeProto& n) {
    const std::string a = in(n, 0), b = in(n, 1), y = n.output(0);
    const Shape& ya = after_shape(y);
    if (ya.empty()) return;
    if (is_activation(a) && is_constant(b) && !after_shape(a).empty()) {
      const int64_t k = after_shape(a).back();
      Shape ws = const_shape(b);
      if (ws.empty()) return;
      if (ws.size() == 1) {
        ws[0] = k;
      } else {
        ws[ws.size() - 2] = k;
        ws.back() = ya.back();
      }
      request(i, b, ws, weights(k));
    } else if (is_constant(a) && is_activation(b) && const_shape(a).size() == 2 && after_shape(b).size() >= 2 &&
               ya.size() >= 2) {
      const Shape& bs = after_shape(b);
      const int64_t k = bs[bs.size() - 2];
      request(i, a, {ya[ya.size() - 2], k}, weights(k));
    }
  }

  // scale, B, mean, var: [C]; a fresh channel is the identity (scale 1, mean 0, var 1).
  void batchnorm(int i, const onnx::NodeProto& n) {
    const Shape& x = after_shape(in(n, 0));
    if (x.size() < 2) return;
    const double init[] = {1, 0, 0, 1};
    for (int k = 1; k <= 4; ++k) {
      if (is_constant(in(n, k))) request(i, in(n, k), {x[1]}, fill(init[k - 1]));
    }
  }

  void layernorm(int i, const onnx::NodeProto& n) {
    const Shape &xb = before_shape(in(n, 0)), &xa = after_shape(in(n, 0));
    request_broadcast(i, in(n, 1), xb, xa, fill(1));
    request_broadcast(i, in(n, 2), xb, xa, fill(0));
  }

  void broadcast_inputs(int i, const onnx::NodeProto& n, Init init) {
    const Shape &yb = before_shape(n.output(0)), &ya = after_shape(n.output(0));
    for (int k = 0; k < n.input_size(); ++k) request_broadcast(i, n.input(k), yb, ya, init);
  }

  // Constant pieces (a class token): every axis but the concatenated one follows the output.
  void concat(int i, const onnx::NodeProto& n) {
    const Shape& ya = after_shape(n.output(0));
    const int64_t rank = static_cast<int64_t>(ya.size());
    int64_t axis = attr_int(n, "axis", 0);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return;
    for (const auto& piece : n.input()) {
      if (!is_constant(piece) || static_cast<int64_t>(const_shape(piece).size()) != rank) continue;
      Shape want = ya;
      want[static_cast<size_t>(axis)] = const_shape(piece)[static_cast<size_t>(axis)];
      request(i, piece, want, fill(0));
    }
  }

  // Embedding table [vocab, D]; fresh rows U(-1, 1).
  void embedding(int i, const onnx::NodeProto& n) {
    const Shape& table = const_shape(in(n, 0));
    if (table.size() != 2 || after_shape(n.output(0)).empty()) return;
    request(i, in(n, 0), {table[0], after_shape(n.output(0)).back()}, weights(1));
  }

  // W [dirs, G*H, I], R [dirs, G*H, H], B [dirs, 2*G*H], initial states [.., H],
  // peepholes [dirs, 3*H]; all weights U(-1/sqrt(H), 1/sqrt(H)) as PyTorch.
  void recurrent(int i, const onnx::NodeProto& n, const Op& ob, const Op& oa) {
    const int64_t gates = n.op_type() == "LSTM" ? 4 : 3;
    const int64_t h = oa.attrs.hidden, dirs = oa.attrs.directions;
    if (after_shape(in(n, 0)).empty()) return;
    const int64_t input = after_shape(in(n, 0)).back();
    request(i, in(n, 1), {dirs, gates * h, input}, weights(h));
    request(i, in(n, 2), {dirs, gates * h, h}, weights(h));
    if (is_constant(in(n, 3))) request(i, in(n, 3), {dirs, 2 * gates * h}, weights(h));
    for (int k : {5, 6}) {
      if (k == 6 && gates != 4) continue;
      if (!is_constant(in(n, k))) continue;
      Shape s = const_shape(in(n, k));
      if (!s.empty()) s.back() = h;
      request(i, in(n, k), s, fill(0));
    }
    if (gates == 4 && is_constant(in(n, 7))) request(i, in(n, 7), {dirs, 3 * h}, fill(0));
    if (h != ob.attrs.hidden) {
      set_int_attr(*g_.mutable_node(i), "hidden_size", h);
      attributes_changed_ = true;
    }
  }

  // The IR op's target is the folded value of the shape input (or the old attribute).
  void reshape(int i, const onnx::NodeProto& n, const Op& ob, const Op& oa) {
    if (ob.type != "reshape" || ob.attrs.dims == oa.attrs.dims || ob.attrs.dims.size() != oa.attrs.dims.size()) return;
    for (size_t k = 0; k < ob.attrs.dims.size(); ++k) {
      const int64_t old = ob.attrs.dims[k], value = oa.attrs.dims[k];
      if (old == value) continue;
      const auto index = static_cast<int64_t>(k);
      if (n.input_size() > 1)
        literal(i, n.input(1), index, old, value);
      else
        attr_literal(i, "shape", index, old, value);
    }
  }

  void split(int i, const onnx::NodeProto& n, const Op& ob, const Op& oa) {
    if (ob.attrs.dims == oa.attrs.dims || ob.attrs.dims.size() != oa.attrs.dims.size()) return;
    for (size_t k = 0; k < ob.attrs.dims.size(); ++k) {
      const int64_t old = ob.attrs.dims[k], value = oa.attrs.dims[k];
      if (old == value) continue;
      const auto index = static_cast<int64_t>(k);
      if (!in(n, 1).empty())
        literal(i, n.input(1), index, old, value);
      else if (find_attr(n, "split"))
        attr_literal(i, "split", index, old, value);
      // else: equal parts (num_outputs or the output count) follow by themselves
    }
  }

  // Expand's shape (input 1) and Resize's sizes (input 3): an entry equal to a changed
  // output size (aligned from the right) is that size; an entry of 1 lets the input's pass.
  void target_shape(int i, const onnx::NodeProto& n, int k) {
    const std::string target = in(n, k);
    auto values = names_.int_values.find(target);
    if (target.empty() || values == names_.int_values.end()) return;
    const Shape &yb = before_shape(n.output(0)), &ya = after_shape(n.output(0));
    const std::vector<int64_t>& v = values->second;
    if (v.size() > yb.size() || yb.size() != ya.size()) return;
    const size_t offset = yb.size() - v.size();
    for (size_t e = 0; e < v.size(); ++e) {
      if (yb[offset + e] != ya[offset + e] && v[e] == yb[offset + e]) {
        literal(i, target, static_cast<int64_t>(e), v[e], ya[offset + e]);
      }
    }
  }

  // A slice keeps a changed axis whole (fit-model changes no other): bounds that spell the
  // old size follow the new one.
  void slice(int i, const onnx::NodeProto& n) {
    const Shape &xb = before_shape(in(n, 0)), &xa = after_shape(in(n, 0));
    const bool attrs = find_attr(n, "starts") != nullptr;  // opset < 10
    auto ints = [&](int k, const char* attr) -> std::vector<int64_t> {
      if (attrs) return attr_ints(n, attr);
      auto v = names_.int_values.find(in(n, k));
      return v == names_.int_values.end() ? std::vector<int64_t>{} : v->second;
    };
    std::vector<int64_t> starts = ints(1, "starts"), ends = ints(2, "ends"), axes = ints(3, "axes");
    const auto rank = static_cast<int64_t>(xb.size());
    if (axes.empty()) {
      for (int64_t a = 0; a < static_cast<int64_t>(starts.size()); ++a) axes.push_back(a);
    }
    for (size_t p = 0; p < axes.size() && p < starts.size() && p < ends.size(); ++p) {
      int64_t a = axes[p] < 0 ? axes[p] + rank : axes[p];
      if (a < 0 || a >= rank || xb[static_cast<size_t>(a)] == xa[static_cast<size_t>(a)]) continue;
      const int64_t old = xb[static_cast<size_t>(a)], value = xa[static_cast<size_t>(a)];
      const auto index = static_cast<int64_t>(p);
      for (auto [k, attr, bound] : {std::tuple{2, "ends", ends[p]}, std::tuple{1, "starts", starts[p]}}) {
        int64_t want = bound == old ? value : bound == -old ? -value : bound;
        if (want == bound) continue;
        if (attrs)
          attr_literal(i, attr, index, bound, want);
        else
          literal(i, in(n, k), index, bound, want);
      }
    }
  }

  // ---- applying ----

  bool apply() {
    bool changed = attributes_changed_;
    for (auto& [name, r] : resizes_) {
      onnx::TensorProto& t = *stored_.at(name);
      Shape current(t.dims().begin(), t.dims().end());
      if (current == r.shape) continue;
      int64_t n = num_elements(r.shape);
      std::vector<double> values(static_cast<size_t>(n), r.init.value);
      Rng rng(name);
      if (r.init.uniform) {
        for (double& v : values) v = rng.uniform(r.init.bound);
      }
      set_dims(t, r.shape);
      store_values(t, values, nullptr, file_, name);
      resized_.insert(name);
      changed = true;
    }
    for (auto& [name, elements] : literals_) {
      changed = true;
      std::vector<int64_t> values = names_.int_values.at(name);
      for (const auto& [index, l] : elements) values[static_cast<size_t>(index)] = l.value;
      if (auto s = stored_.find(name); s != stored_.end()) {
        std::vector<double> as_double(values.begin(), values.end());
        store_values(*s->second, as_double, &values, file_, name);
        continue;
      }
      onnx::NodeProto& node = *producer_.at(name);  // Constant with value_int(s)
      if (auto* a = mutable_attr(node, "value_ints")) {
        a->clear_ints();
        for (int64_t v : values) a->add_ints(v);
      } else if (auto* b = mutable_attr(node, "value_int")) {
        b->set_i(values.at(0));
      }
    }
    // Initializers that old exporters also list as graph inputs carry their shape there.
    for (auto& v : *g_.mutable_input()) {
      if (resized_.count(v.name())) set_value_shape(v, resizes_.at(v.name()).shape);
    }
    return changed;
  }
};

// The fitted network must have the same layers and tensors as the file's; only their
// attributes and shapes may differ.
void check_derives(const Network& before, const Network& after, const std::string& file) {
  bool same = before.ops.size() == after.ops.size() && before.tensors.size() == after.tensors.size();
  for (size_t i = 0; same && i < before.ops.size(); ++i) {
    same = before.ops[i].name == after.ops[i].name && before.ops[i].type == after.ops[i].type &&
           before.ops[i].inputs == after.ops[i].inputs && before.ops[i].outputs == after.ops[i].outputs;
  }
  for (size_t t = 0; same && t < before.tensors.size(); ++t) same = before.tensors[t].name == after.tensors[t].name;
  if (!same) {
    throw InputError(file, "",
                     "the network to write has other layers than this ONNX file (only widths may differ); it must "
                     "come from this file, imported with the same options");
  }
}

std::string describe(const Network& net, const Op& op) {
  std::vector<std::string> outs;
  for (int t : op.outputs) outs.push_back(shape_to_string(net.tensors[static_cast<size_t>(t)].shape));
  std::string text = fmt::format("output {}", fmt::join(outs, ", "));
  if (!op.attrs.dims.empty()) text += ", dims " + join_dims(op.attrs.dims);
  return text;
}

// The written model, imported again, must be the fitted network layer for layer.
void verify(const Network& written, const Network& want, const std::string& file) {
  std::string problem;
  if (written.ops.size() != want.ops.size()) {
    problem = fmt::format("it has {} layers instead of {}", written.ops.size(), want.ops.size());
  }
  for (size_t i = 0; problem.empty() && i < want.ops.size(); ++i) {
    const Op &w = written.ops[i], &f = want.ops[i];
    bool shapes = w.outputs.size() == f.outputs.size();
    for (size_t k = 0; shapes && k < w.outputs.size(); ++k) {
      shapes = written.output_of(w, k).shape == want.output_of(f, k).shape;
    }
    if (w.name != f.name || w.type != f.type || !(w.attrs == f.attrs) || !shapes) {
      problem = fmt::format("layer '{}' ({}) would have {} where the fitted network has {}", f.name, f.type,
                            describe(written, w), describe(want, f));
    }
  }
  if (!problem.empty()) {
    throw InputError(file, "",
                     "cannot write the fitted network as ONNX: after resizing the file's constants, " + problem +
                         " (a changed width is computed in a way that cannot be rewritten); write it as YAML instead");
  }
}

// value_info and graph outputs: shapes from the written model as imported.
void update_value_info(onnx::GraphProto& g, const Network& written, const ImportNames& names) {
  std::unordered_map<std::string, size_t> tensor;
  for (size_t t = 0; t < written.tensors.size(); ++t) tensor[written.tensors[t].name] = t;
  auto shape_of = [&](const std::string& name) -> std::optional<Shape> {
    if (auto a = names.activations.find(name); a != names.activations.end()) {
      return written.tensors[tensor.at(a->second)].shape;
    }
    if (auto c = names.constants.find(name); c != names.constants.end()) return c->second;
    return std::nullopt;
  };
  auto* infos = g.mutable_value_info();
  for (int k = infos->size(); k-- > 0;) {
    std::optional<Shape> s = shape_of(infos->Get(k).name());
    if (s)
      set_value_shape(*infos->Mutable(k), *s);
    else
      infos->DeleteSubrange(k, 1);  // a tensor the importer does not model: its shape is unknown
  }
  for (auto& o : *g.mutable_output()) {
    if (std::optional<Shape> s = shape_of(o.name())) set_value_shape(o, *s);
  }
}

}  // namespace

void save_resized_onnx(const std::string& original_path, const Network& resized, const std::string& out_path,
                       const LoadOptions& options) {
  onnx::ModelProto model = parse_model_file(original_path);
  ImportNames names;
  const Network before = import_model(model, original_path, options, &names);
  check_derives(before, resized, original_path);

  Resizer resizer(model, original_path, before, resized, names);
  bool changed = false;
  try {
    changed = resizer.run();
  } catch (const FoldError& e) {  // an attribute of the wrong type (the import accepted it, so unexpected)
    throw InputError(original_path, "", e.what());
  }
  // Weights kept in external files stay there, named relative to the model's folder.
  namespace fs = std::filesystem;
  for (const auto& t : model.graph().initializer()) {
    if (t.data_location() != onnx::TensorProto_DataLocation_EXTERNAL) continue;
    std::error_code ec;
    fs::path from = fs::absolute(original_path, ec).parent_path(), to = fs::absolute(out_path, ec).parent_path();
    if (fs::weakly_canonical(from, ec) != fs::weakly_canonical(to, ec)) {
      throw InputError(out_path, "",
                       "the original model keeps weights as external data (tensor '" + t.name() +
                           "'); write the ONNX output into the original's folder, " + from.string());
    }
  }

  ImportNames written_names;
  Network written;
  try {
    written = import_model(model, out_path, options, &written_names);
  } catch (const InputError& e) {
    throw InputError(original_path, "",
                     std::string("cannot write the fitted network as ONNX: the resized model does not import (") +
                         e.what() + "); write it as YAML instead");
  }
  verify(written, resized, original_path);
  if (changed) update_value_info(*model.mutable_graph(), written, written_names);

  std::string bytes;
  if (!model.SerializeToString(&bytes) || bytes.size() >= static_cast<size_t>(INT_MAX)) {
    throw InputError(out_path, "", "cannot serialise the ONNX model (2 GB or more)");
  }
  std::ofstream file(out_path, std::ios::binary | std::ios::trunc);
  if (!file || !file.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !file.flush()) {
    throw InputError(out_path, "", "cannot write the ONNX file");
  }
}

}  // namespace acceldse::workload
