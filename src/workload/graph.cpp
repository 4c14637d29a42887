// The op table, per-op counts (MACs, vector ops, elements, bytes), GEMM lowering and
// NetworkBuilder.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/checked.h"
#include "common/error.h"
#include "common/input_limits.h"
#include "workload/detail.h"
#include "workload/workload.h"

namespace acceldse::workload {

// ---------------------------------------------------------------------------------
// Op table
// ---------------------------------------------------------------------------------
namespace detail {

std::string_view attr_key_name(AttrKey key) {
  switch (key) {
    case AttrKey::kOutChannels: return "out_channels";
    case AttrKey::kOutFeatures: return "out_features";
    case AttrKey::kKernel: return "kernel";
    case AttrKey::kStride: return "stride";
    case AttrKey::kPad: return "pad";
    case AttrKey::kDilation: return "dilation";
    case AttrKey::kGroups: return "groups";
    case AttrKey::kBias: return "bias";
    case AttrKey::kCeilMode: return "ceil_mode";
    case AttrKey::kKeepdims: return "keepdims";
    case AttrKey::kAxis: return "axis";
    case AttrKey::kDims: return "dims";
    case AttrKey::kVocab: return "vocab";
    case AttrKey::kEmbedDim: return "embed_dim";
    case AttrKey::kHidden: return "hidden";
    case AttrKey::kDirections: return "directions";
  }
  return "?";
}

namespace {

constexpr const char* kBinaryEltwise[] = {"add", "sub", "mul", "div", "pow", "max", "min"};
constexpr const char* kUnaryEltwise[] = {"relu",       "relu6",       "clip",      "gelu", "sigmoid", "tanh", "silu",
                                         "hardswish",  "hardsigmoid", "leakyrelu", "elu",  "exp",     "log",  "sqrt",
                                         "reciprocal", "neg",         "abs",       "erf",  "cast"};
constexpr const char* kReductions[] = {"reduce_mean", "reduce_sum", "reduce_max"};

OpInfo make_op(std::string type, OpClass op_class, std::vector<AttrKey> attributes = {},
               std::vector<AttrKey> required = {}, int min_inputs = 1, int max_inputs = 1, int64_t default_axis = 0) {
  return OpInfo{std::move(type), op_class,   std::move(attributes), std::move(required),
                min_inputs,      max_inputs, default_axis};
}

std::vector<OpInfo> build_op_table() {
  using enum AttrKey;
  using enum OpClass;
  std::vector<OpInfo> t;
  t.push_back(
      make_op("conv", kConv, {kOutChannels, kKernel, kStride, kPad, kDilation, kGroups, kBias}, {kOutChannels}));
  t.push_back(make_op("linear", kMatmul, {kOutFeatures, kBias}, {kOutFeatures}));
  t.push_back(make_op("matmul", kMatmul, {}, {}, 2, 2));
  for (const char* type : {"lstm", "gru"}) {
    t.push_back(make_op(type, kRecurrent, {kHidden, kDirections, kBias}, {kHidden}));
  }
  for (const char* type : {"maxpool", "avgpool"}) {
    t.push_back(make_op(type, kPool, {kKernel, kStride, kPad, kDilation, kCeilMode}, {kKernel}));
  }
  for (const char* type : {"global_avgpool", "global_maxpool"}) t.push_back(make_op(type, kPool));
  // A binary op may also have one input: the other operand is a constant (x + 1).
  for (const char* type : kBinaryEltwise) t.push_back(make_op(type, kEltwise, {}, {}, 1, kAnyNumber));
  for (const char* type : kUnaryEltwise) t.push_back(make_op(type, kEltwise));
  for (const char* type : kReductions) t.push_back(make_op(type, kEltwise, {kDims, kKeepdims}));
  t.push_back(make_op("batchnorm", kNorm));
  t.push_back(make_op("layernorm", kNorm, {kAxis}, {}, 1, 1, -1));
  t.push_back(make_op("softmax", kSoftmax, {kAxis}, {}, 1, 1, -1));
  t.push_back(make_op("concat", kDataMove, {kAxis}, {}, 1, kAnyNumber, 1));
  t.push_back(make_op("split", kDataMove, {kAxis, kDims}, {}, 1, 1, 1));
  t.push_back(make_op("reshape", kDataMove, {kDims}, {kDims}));
  t.push_back(make_op("flatten", kDataMove, {kAxis}, {}, 1, 1, 1));
  t.push_back(make_op("transpose", kDataMove, {kDims}));
  t.push_back(make_op("pad", kDataMove, {kDims}, {kDims}));
  t.push_back(make_op("slice", kDataMove, {kDims}, {kDims}));
  t.push_back(make_op("gather", kDataMove, {kDims}, {kDims}, 1, 2));  // data (+ indices)
  t.push_back(make_op("expand", kDataMove, {kDims}, {kDims}));
  t.push_back(make_op("upsample", kDataMove, {kStride}, {kStride}));
  t.push_back(make_op("identity", kDataMove));
  t.push_back(make_op("embedding", kEmbedding, {kVocab, kEmbedDim}, {kVocab, kEmbedDim}));
  return t;
}

template <size_t N>
bool contains(const char* const (&list)[N], const std::string& type) {
  return std::find(std::begin(list), std::end(list), type) != std::end(list);
}

}  // namespace

const std::vector<OpInfo>& op_table() {
  static const std::vector<OpInfo> table = build_op_table();
  return table;
}

const OpInfo* find_op(const std::string& type) {
  static const std::unordered_map<std::string, const OpInfo*> by_type = [] {
    std::unordered_map<std::string, const OpInfo*> map;
    for (const OpInfo& info : op_table()) map.emplace(info.type, &info);
    return map;
  }();
  auto it = by_type.find(type);
  return it == by_type.end() ? nullptr : it->second;
}

bool is_reduction(const std::string& type) { return contains(kReductions, type); }

std::string known_op_list() { return fmt::format("{}", fmt::join(known_op_types(), ", ")); }

int64_t product(const Shape& shape, size_t first, size_t last) {
  int64_t result = 1;
  for (size_t i = first; i < last && i < shape.size(); ++i) result = mul_sat(result, shape[i]);
  return result;
}

}  // namespace detail

using detail::find_op;
using detail::product;

std::optional<OpClass> op_class_of(const std::string& type) {
  const detail::OpInfo* info = find_op(type);
  if (info == nullptr) return std::nullopt;
  return info->op_class;
}

const std::vector<std::string>& known_op_types() {
  static const std::vector<std::string> types = [] {
    std::vector<std::string> names;
    for (const detail::OpInfo& info : detail::op_table()) names.push_back(info.type);
    return names;
  }();
  return types;
}

const std::vector<std::string>& op_type_attributes(const std::string& type) {
  static const std::unordered_map<std::string, std::vector<std::string>> keys = [] {
    std::unordered_map<std::string, std::vector<std::string>> map;
    for (const detail::OpInfo& info : detail::op_table()) {
      std::vector<std::string>& names = map[info.type];
      for (detail::AttrKey key : info.attributes) names.emplace_back(detail::attr_key_name(key));
    }
    return map;
  }();
  static const std::vector<std::string> none;
  auto it = keys.find(type);
  return it == keys.end() ? none : it->second;
}

Attrs default_attrs(const std::string& type) {
  Attrs attrs;
  if (const detail::OpInfo* info = find_op(type)) attrs.axis = info->default_axis;
  return attrs;
}

int64_t num_elements(const Shape& shape) { return product(shape, 0, shape.size()); }

std::string shape_to_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  return fmt::format("{}", fmt::join(shape, "x"));
}

// ---------------------------------------------------------------------------------
// Counts
// ---------------------------------------------------------------------------------
namespace {

// Vector-unit operations per element for the fixed-cost ops.
// batchnorm (inference, statistics folded): scale and shift.
constexpr int64_t kBatchnormOpsPerElement = 2;
// layernorm: mean (add), variance (sub, square, add), normalise (sub, mul by the
// reciprocal std), scale and shift: 8 per element, ignoring the per-row sqrt/divide.
constexpr int64_t kLayernormOpsPerElement = 8;
// softmax: running max, subtract max, exp, sum, divide.
constexpr int64_t kSoftmaxOpsPerElement = 5;
// Gate element work per hidden unit and time step, besides the GEMMs.
// lstm: 3 sigmoids + 2 tanh, c = f*c + i*g (3 ops), h = o*tanh(c) (1 op), plus the
// add of the input and recurrent projections (1 op): 10.
constexpr int64_t kLstmOpsPerHiddenStep = 10;
// gru: 2 sigmoids + 1 tanh, r*(W_h h) (1 op), h = (1-z)*n + z*h (3 ops), plus the
// add of the projections (1 op): 8.
constexpr int64_t kGruOpsPerHiddenStep = 8;

// Dimensions of a recurrent op: input [seq, batch, features].
struct RecurrentDims {
  int64_t seq, batch, input, hidden, directions, gates;
};

RecurrentDims recurrent_dims(const Network& net, const Op& op) {
  const Shape& in = net.input_of(op).shape;
  int64_t gates = op.type == "lstm" ? 4 : 3;
  return {in.at(0), in.at(1), in.at(2), op.attrs.hidden, op.attrs.directions, gates};
}

// Dimensions of a matmul A[..., M, K] x B[..., K, N] after NumPy promotion of 1-D
// operands; `batch` is the product of the broadcast leading dimensions.
struct MatmulDims {
  int64_t batch, m, k, n;
};

MatmulDims matmul_dims(const Network& net, const Op& op) {
  const Shape& a = net.input_of(op, 0).shape;
  const Shape& b = net.input_of(op, 1).shape;
  const Shape& out = net.output_of(op).shape;
  int64_t m = a.size() >= 2 ? a[a.size() - 2] : 1;
  int64_t k = a.back();
  int64_t n = b.size() >= 2 ? b.back() : 1;
  // Output elements = batch * M * N, whatever 1-D operands dropped from the shape.
  int64_t batch = num_elements(out) / (m * n);
  return {batch, m, k, n};
}

// Convolution dimensions: input [N, C, H, W] (or [N, C, L]), output [N, K, P, Q].
struct ConvDims {
  int64_t batch, in_channels, out_channels, out_pixels, groups, kernel_area;
};

ConvDims conv_dims(const Network& net, const Op& op) {
  const Shape& in = net.input_of(op).shape;
  const Shape& out = net.output_of(op).shape;
  return {in[0],           in[1],
          out[1],          product(out, 2, out.size()),
          op.attrs.groups, mul_sat(op.attrs.kernel[0], op.attrs.kernel[1])};
}

int64_t linear_rows(const Network& net, const Op& op) {
  const Shape& in = net.input_of(op).shape;
  return product(in, 0, in.size() - 1);
}

int64_t eltwise_vector_ops(const Network& net, const Op& op) {
  // Reductions read every input element once; the others write each output element
  // once per binary operation (n inputs fold with n - 1 operations).
  if (detail::is_reduction(op.type)) return input_elements(net, op);
  int64_t ops_per_element = std::max<int64_t>(1, static_cast<int64_t>(op.inputs.size()) - 1);
  return mul_sat(output_elements(net, op), ops_per_element);
}

int64_t pool_vector_ops(const Network& net, const Op& op) {
  if (op.type.starts_with("global_")) return input_elements(net, op);
  return mul_sat(output_elements(net, op), op.attrs.kernel[0], op.attrs.kernel[1]);
}

int64_t recurrent_vector_ops(const Network& net, const Op& op) {
  RecurrentDims d = recurrent_dims(net, op);
  int64_t per_step = op.type == "lstm" ? kLstmOpsPerHiddenStep : kGruOpsPerHiddenStep;
  return mul_sat(mul_sat(d.seq, d.batch, d.directions), d.hidden, per_step);
}

}  // namespace

int64_t input_elements(const Network& net, const Op& op) {
  int64_t total = 0;
  for (int t : op.inputs) total = add_sat(total, num_elements(net.tensors[t].shape));
  return total;
}

int64_t output_elements(const Network& net, const Op& op) {
  int64_t total = 0;
  for (int t : op.outputs) total = add_sat(total, num_elements(net.tensors[t].shape));
  return total;
}

int64_t macs(const Network& net, const Op& op) {
  int64_t total = 0;
  for (const Gemm& g : gemms(net, op)) total = add_sat(total, mul_sat(g.m, g.k, g.n, g.count));
  return total;
}

int64_t vector_ops(const Network& net, const Op& op) {
  switch (op.op_class) {
    case OpClass::kEltwise: return eltwise_vector_ops(net, op);
    case OpClass::kPool: return pool_vector_ops(net, op);
    case OpClass::kNorm: {
      int64_t per_element = op.type == "layernorm" ? kLayernormOpsPerElement : kBatchnormOpsPerElement;
      return mul_sat(output_elements(net, op), per_element);
    }
    case OpClass::kSoftmax: return mul_sat(output_elements(net, op), kSoftmaxOpsPerElement);
    case OpClass::kRecurrent: return recurrent_vector_ops(net, op);
    case OpClass::kConv:  // bias add is folded into the accumulator
    case OpClass::kMatmul:
    case OpClass::kDataMove:  // no arithmetic
    case OpClass::kEmbedding: return 0;
  }
  return 0;
}

int64_t bytes_moved(const Network& net, const Op& op, int activation_bytes, int weight_bytes) {
  return add_sat(mul_sat(add_sat(input_elements(net, op), output_elements(net, op)), activation_bytes),
                 mul_sat(op.params, weight_bytes));
}

static ConvWindow conv_window(const Network& net, const Op& op) {
  const Shape& in = net.input_of(op).shape;
  const Shape& out = net.output_of(op).shape;
  if (in.size() != 4 || out.size() != 4) return {};
  const Attrs& a = op.attrs;
  return {.out_h = out[2],
          .out_w = out[3],
          .in_h = in[2],
          .in_w = in[3],
          .span_h = (a.kernel[0] - 1) * a.dilation[0] + 1,
          .span_w = (a.kernel[1] - 1) * a.dilation[1] + 1,
          .stride_h = a.stride[0],
          .stride_w = a.stride[1],
          .kernel_h = a.kernel[0],
          .kernel_w = a.kernel[1]};
}

double im2col_fetch_fraction(const ConvWindow& w, double rows, bool across_rows) {
  if (w.out_w <= 0 || w.out_h <= 0 || !(rows >= 1)) return 1.0;
  const double out_w = static_cast<double>(w.out_w), image_pixels = out_w * static_cast<double>(w.out_h);
  const double in_h = static_cast<double>(w.in_h), in_w = static_cast<double>(w.in_w);
  double inputs = 0;
  if (!across_rows) {
    // Each kernel row reads one input row per output row.
    const double cols =
        rows >= out_w ? in_w
                      : std::min(in_w, (rows - 1) * static_cast<double>(w.stride_w) + static_cast<double>(w.span_w));
    const double out_rows = rows >= out_w ? rows / out_w : 1.0;
    inputs = static_cast<double>(w.kernel_h) * out_rows * cols;
  } else if (rows >= image_pixels) {
    inputs = rows / image_pixels * in_h * in_w;
  } else if (rows >= out_w) {
    const double out_rows = std::ceil(rows / out_w);
    inputs = std::min(in_h, (out_rows - 1) * static_cast<double>(w.stride_h) + static_cast<double>(w.span_h)) * in_w;
  } else {
    const double cols = std::min(in_w, (rows - 1) * static_cast<double>(w.stride_w) + static_cast<double>(w.span_w));
    inputs = std::min(in_h, static_cast<double>(w.span_h)) * cols;
  }
  return std::min(1.0, inputs / (rows * static_cast<double>(w.kernel_h) * static_cast<double>(w.kernel_w)));
}

std::vector<Gemm> gemms(const Network& net, const Op& op) {
  if (op.op_class == OpClass::kConv) {
    ConvDims d = conv_dims(net, op);
    return {{.m = mul_sat(d.batch, d.out_pixels),
             .k = mul_sat(d.in_channels / d.groups, d.kernel_area),
             .n = d.out_channels / d.groups,
             .count = d.groups,
             .window = conv_window(net, op)}};
  }
  if (op.type == "linear") {
    return {{.m = linear_rows(net, op), .k = net.input_of(op).shape.back(), .n = op.attrs.out_features}};
  }
  if (op.type == "matmul") {
    MatmulDims d = matmul_dims(net, op);
    return {{.m = d.m, .k = d.k, .n = d.n, .count = d.batch, .b_is_weight = false}};
  }
  if (op.op_class == OpClass::kRecurrent) {
    RecurrentDims d = recurrent_dims(net, op);
    // The input projection of all time steps is one GEMM per direction; the
    // recurrent projection needs h(t-1), so its time steps run one after another.
    Gemm input{.m = mul_sat(d.seq, d.batch), .k = d.input, .n = mul_sat(d.gates, d.hidden), .count = d.directions};
    Gemm recurrent{.m = d.batch,
                   .k = d.hidden,
                   .n = mul_sat(d.gates, d.hidden),
                   .count = mul_sat(d.seq, d.directions),
                   .sequential = true};
    return {input, recurrent};
  }
  return {};
}

Totals totals(const Network& net) {
  Totals t;
  for (const Op& op : net.ops) {
    t.macs = add_sat(t.macs, macs(net, op));
    t.params = add_sat(t.params, op.params);
    t.vector_ops = add_sat(t.vector_ops, vector_ops(net, op));
    t.ops += 1;
  }
  return t;
}

// ---------------------------------------------------------------------------------
// NetworkBuilder
// ---------------------------------------------------------------------------------
namespace {

std::string layer_place(const std::string& name, const std::string& type) {
  return fmt::format("layer {} ({})", name, type);
}

// Size limits (docs/formats.md, "Validated ranges and limits"): every count the cost model derives from an
// op (elements, parameters, MACs, bytes, cycles) then fits 64 bits with room for the
// hardware's factors; beyond them an op is refused instead of counted wrongly.
constexpr int64_t kMaxDimension = (int64_t{1} << 31) - 1;  // any size, attribute or dim
constexpr int64_t kMaxTensorElements = int64_t{1} << 40;
constexpr int64_t kMaxOpCount = int64_t{1} << 50;  // MACs, vector ops, parameters

void check_dimension(const std::string& file, const std::string& place, const char* what, int64_t value) {
  if (value > kMaxDimension || value < -kMaxDimension) {
    throw InputError(file, place,
                     fmt::format("{} = {} is beyond the limit of +-{} (2^31 - 1)", what, value, kMaxDimension));
  }
}

// Integer attributes are checked before shape inference, which adds and multiplies them.
void check_attrs(const std::string& file, const std::string& place, const Attrs& a) {
  check_dimension(file, place, "out_channels", a.out_channels);
  for (int64_t v : a.kernel) check_dimension(file, place, "kernel", v);
  for (int64_t v : a.stride) check_dimension(file, place, "stride", v);
  for (int64_t v : a.dilation) check_dimension(file, place, "dilation", v);
  for (int64_t v : a.pads) check_dimension(file, place, "pad", v);
  check_dimension(file, place, "groups", a.groups);
  check_dimension(file, place, "out_features", a.out_features);
  check_dimension(file, place, "axis", a.axis);
  for (int64_t v : a.dims) check_dimension(file, place, "an entry of dims", v);
  check_dimension(file, place, "vocab", a.vocab);
  check_dimension(file, place, "embed_dim", a.embed_dim);
  check_dimension(file, place, "hidden", a.hidden);
  check_dimension(file, place, "directions", a.directions);
}

void check_shape(const std::string& file, const std::string& place, const Shape& shape) {
  for (int64_t d : shape) check_dimension(file, place, "a dimension", d);
  if (num_elements(shape) > kMaxTensorElements) {
    throw InputError(
        file, place,
        fmt::format("a tensor of shape [{}] has more than 2^40 elements (the limit)", fmt::join(shape, ", ")));
  }
}

void check_count(const std::string& file, const std::string& place, const char* what, int64_t value) {
  if (value > kMaxOpCount) {
    throw InputError(file, place,
                     fmt::format("{} {} is beyond the limit of 2^50 per layer", what,
                                 value >= kCountLimit ? std::string("of 2^62 or more") : std::to_string(value)));
  }
}

// The counts of an op just added (saturating, so the comparison is sound).
void check_op_counts(const std::string& file, const std::string& place, const Network& net, const Op& op) {
  for (int t : op.outputs) check_shape(file, place, net.tensors[static_cast<size_t>(t)].shape);
  check_count(file, place, "the parameter count", op.params);
  check_count(file, place, "the MAC count", macs(net, op));
  check_count(file, place, "the vector-op count", vector_ops(net, op));
  for (const Gemm& g : gemms(net, op)) check_count(file, place, "a GEMM dimension", std::max({g.m, g.k, g.n, g.count}));
}

void require_name(const std::string& file, const std::string& place, const std::string& name) {
  require_utf8(name, file, place);
}

// A split without sizes cuts its axis into as many equal parts as it has named
// outputs (two if none are named).
void fill_equal_split(const std::string& file, const std::string& name, Attrs& attrs, const Shape& in, size_t parts) {
  if (!attrs.dims.empty() || parts < 2) return;
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  if (axis < 0 || axis >= rank) return;  // shape inference reports the bad axis
  int64_t count = static_cast<int64_t>(parts);
  if (in[axis] % count != 0) {
    throw InputError(file, layer_place(name, "split"),
                     fmt::format("cannot split dimension {} of size {} into {} equal parts; "
                                 "give the sizes in dims",
                                 axis, in[axis], count));
  }
  attrs.dims.assign(parts, in[axis] / count);
}

}  // namespace

NetworkBuilder::NetworkBuilder(std::string name, std::string file) : file_(std::move(file)) {
  require_name(file_, "name", name);
  net_.name = std::move(name);
}

int NetworkBuilder::find_tensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? -1 : it->second;
}

bool NetworkBuilder::has_tensor(const std::string& name) const { return find_tensor(name) >= 0; }

const Tensor& NetworkBuilder::tensor(const std::string& name) const {
  int index = find_tensor(name);
  if (index < 0) throw InputError(file_, "", fmt::format("no tensor named '{}'", name));
  return net_.tensors[index];
}

int NetworkBuilder::add_input(const std::string& name, const Shape& shape) {
  std::string place = fmt::format("input {}", name);
  if (name.empty()) throw InputError(file_, "inputs", "an input needs a non-empty name");
  if (has_tensor(name)) throw InputError(file_, place, "the name is already used");
  require_name(file_, place, name);
  bool positive = std::all_of(shape.begin(), shape.end(), [](int64_t d) { return d > 0; });
  if (shape.empty() || !positive) {
    throw InputError(file_, place,
                     fmt::format("shape [{}]: expected one or more positive dimensions", fmt::join(shape, ", ")));
  }
  check_shape(file_, place, shape);
  int index = static_cast<int>(net_.tensors.size());
  net_.tensors.push_back({name, shape, -1, {}});
  tensor_index_.emplace(name, index);
  net_.inputs.push_back(index);
  return index;
}

int NetworkBuilder::add_op(const std::string& name, const std::string& type, const std::vector<std::string>& inputs,
                           const Attrs& attrs, const std::vector<std::string>& output_names,
                           std::optional<int64_t> params_override) {
  std::string place = layer_place(name, type);
  if (name.empty()) throw InputError(file_, "layer of type " + type, "a layer needs a name");
  const detail::OpInfo* info = find_op(type);
  if (info == nullptr) {
    throw InputError(file_, place, fmt::format("unknown op '{}'; expected one of: {}", type, detail::known_op_list()));
  }
  if (op_index_.contains(name)) throw InputError(file_, place, "the layer name is already used");
  require_name(file_, place, name);
  check_attrs(file_, place, attrs);

  std::vector<int> input_ids;
  std::vector<Shape> input_shapes;
  for (const std::string& input : inputs) {
    int id = find_tensor(input);
    if (id < 0) {
      throw InputError(file_, place,
                       fmt::format("input '{}' is neither a network input nor the output of "
                                   "an earlier layer",
                                   input));
    }
    input_ids.push_back(id);
    input_shapes.push_back(net_.tensors[id].shape);
  }

  Attrs resolved = attrs;
  if (type == "split" && !input_shapes.empty()) {
    fill_equal_split(file_, name, resolved, input_shapes[0], output_names.size());
  }
  std::vector<Shape> shapes = infer_output_shapes(file_, name, type, input_shapes, resolved);

  std::vector<std::string> names = output_names;
  if (names.empty()) {
    if (shapes.size() == 1) names.push_back(name);
    for (size_t i = 0; shapes.size() > 1 && i < shapes.size(); ++i) {
      names.push_back(fmt::format("{}:{}", name, i));
    }
  }
  if (names.size() != shapes.size()) {
    throw InputError(file_, place,
                     fmt::format("{} output names given; the op has {} outputs", names.size(), shapes.size()));
  }
  for (const std::string& out : names) {
    require_name(file_, place, out);
    if (out.empty() || has_tensor(out)) {
      throw InputError(file_, place, fmt::format("output tensor name '{}' is empty or already used", out));
    }
  }
  if (params_override && *params_override < 0) {
    throw InputError(file_, place, fmt::format("params: expected a non-negative integer, got {}", *params_override));
  }

  int op_id = static_cast<int>(net_.ops.size());
  Op op;
  op.name = name;
  op.type = type;
  op.op_class = info->op_class;
  op.inputs = input_ids;
  op.attrs = resolved;
  op.params = params_override ? *params_override : default_params(type, input_shapes, resolved);
  for (size_t i = 0; i < shapes.size(); ++i) {
    int tensor_id = static_cast<int>(net_.tensors.size());
    net_.tensors.push_back({names[i], shapes[i], op_id, {}});
    tensor_index_.emplace(names[i], tensor_id);
    op.outputs.push_back(tensor_id);
  }
  for (int id : input_ids) net_.tensors[id].consumers.push_back(op_id);
  net_.ops.push_back(std::move(op));
  op_index_.emplace(name, op_id);
  check_op_counts(file_, place, net_, net_.ops.back());
  return op_id;
}

Network NetworkBuilder::finish(const std::vector<std::string>& outputs) {
  net_.outputs.clear();
  for (const std::string& name : outputs) {
    int id = find_tensor(name);
    if (id < 0) {
      throw InputError(file_, "outputs", fmt::format("unknown tensor '{}'; expected a layer output", name));
    }
    net_.outputs.push_back(id);
  }
  if (outputs.empty()) {
    for (size_t i = 0; i < net_.tensors.size(); ++i) {
      const Tensor& t = net_.tensors[i];
      if (t.producer >= 0 && t.consumers.empty()) net_.outputs.push_back(static_cast<int>(i));
    }
  }
  return std::move(net_);
}

}  // namespace acceldse::workload
