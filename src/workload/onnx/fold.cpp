// Constant folding: ONNX nodes whose inputs are all known at import time (shape
// arithmetic such as Shape -> Gather -> Concat -> Reshape, as PyTorch exports it) are
// evaluated here with the tensor algebra of tensor.h, so every Reshape/Expand/Slice
// target is a static value.
#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "common/input_limits.h"
#include "workload/detail.h"
#include "workload/onnx/importer.h"

namespace acceldse::workload::onnx_detail {

namespace {

// Element-wise functions for constant folding -----------------------------------------

bool int_pow(int64_t base, int64_t exp, int64_t& out) {
  if (exp < 0) return false;
  out = 1;
  for (int64_t k = 0; k < exp; ++k) {
    if (__builtin_mul_overflow(out, base, &out)) return false;
    if (out == 0 || out == 1) break;  // 0 and 1 stay; ±1 cycles are handled below
  }
  if (base == -1) out = exp % 2 == 0 ? 1 : -1;
  return true;
}

// Integer modulo with the sign of the divisor (ONNX Mod, fmod = 0), or of the dividend
// (fmod = 1, as C).
bool int_mod(int64_t a, int64_t b, bool fmod, int64_t& out) {
  if (b == 0 || (a == INT64_MIN && b == -1)) return false;
  out = a % b;
  if (!fmod && out != 0 && ((out < 0) != (b < 0))) out += b;
  return true;
}

using IntFn = std::function<bool(int64_t, int64_t, int64_t&)>;
using FloatFn = std::function<double(double, double)>;

// Left fold of a binary function over all arguments (Sum, Max, Min take any number).
ElementOp fold_over(IntFn fi, FloatFn ff, bool bool_out = false) {
  ElementOp op;
  op.fi = [fi](const std::vector<int64_t>& a, int64_t& out) {
    out = a[0];
    for (size_t k = 1; k < a.size(); ++k) {
      if (!fi(out, a[k], out)) return false;
    }
    return true;
  };
  op.ff = [ff](const std::vector<double>& a) {
    double out = a[0];
    for (size_t k = 1; k < a.size(); ++k) out = ff(out, a[k]);
    return out;
  };
  op.bool_out = bool_out;
  return op;
}

ElementOp compare(std::function<bool(double, double)> cmp) {
  return fold_over(
      [cmp](int64_t a, int64_t b, int64_t& o) {
        o = cmp(static_cast<double>(a), static_cast<double>(b));
        return true;
      },
      [cmp](double a, double b) { return cmp(a, b) ? 1.0 : 0.0; }, true);
}

const std::unordered_map<std::string, ElementOp>& binary_fold_ops() {
  static const std::unordered_map<std::string, ElementOp> ops = [] {
    std::unordered_map<std::string, ElementOp> m;
    m["Add"] = m["Sum"] = fold_over([](int64_t a, int64_t b, int64_t& o) { return !__builtin_add_overflow(a, b, &o); },
                                    [](double a, double b) { return a + b; });
    m["Sub"] = fold_over([](int64_t a, int64_t b, int64_t& o) { return !__builtin_sub_overflow(a, b, &o); },
                         [](double a, double b) { return a - b; });
    m["Mul"] = fold_over([](int64_t a, int64_t b, int64_t& o) { return !__builtin_mul_overflow(a, b, &o); },
                         [](double a, double b) { return a * b; });
    m["Div"] = fold_over(
        [](int64_t a, int64_t b, int64_t& o) {
          if (b == 0 || (a == INT64_MIN && b == -1)) return false;
          o = a / b;  // integer division truncates, as ONNX
          return true;
        },
        [](double a, double b) { return a / b; });
    m["Pow"] = fold_over(int_pow, [](double a, double b) { return std::pow(a, b); });
    m["Max"] = fold_over(
        [](int64_t a, int64_t b, int64_t& o) {
          o = std::max(a, b);
          return true;
        },
        [](double a, double b) { return std::max(a, b); });
    m["Min"] = fold_over(
        [](int64_t a, int64_t b, int64_t& o) {
          o = std::min(a, b);
          return true;
        },
        [](double a, double b) { return std::min(a, b); });
    m["Equal"] = compare([](double a, double b) { return a == b; });
    m["Less"] = compare([](double a, double b) { return a < b; });
    m["Greater"] = compare([](double a, double b) { return a > b; });
    m["LessOrEqual"] = compare([](double a, double b) { return a <= b; });
    m["GreaterOrEqual"] = compare([](double a, double b) { return a >= b; });
    m["And"] = compare([](double a, double b) { return a != 0 && b != 0; });
    m["Or"] = compare([](double a, double b) { return a != 0 || b != 0; });
    m["Xor"] = compare([](double a, double b) { return (a != 0) != (b != 0); });
    return m;
  }();
  return ops;
}

ElementOp unary(std::function<double(double)> ff, std::function<bool(int64_t, int64_t&)> fi = {}) {
  ElementOp op;
  op.ff = [ff](const std::vector<double>& a) { return ff(a[0]); };
  if (fi) op.fi = [fi](const std::vector<int64_t>& a, int64_t& o) { return fi(a[0], o); };
  return op;
}

const std::unordered_map<std::string, ElementOp>& unary_fold_ops() {
  static const std::unordered_map<std::string, ElementOp> ops = [] {
    std::unordered_map<std::string, ElementOp> m;
    m["Neg"] = unary([](double x) { return -x; },
                     [](int64_t x, int64_t& o) { return !__builtin_sub_overflow(int64_t{0}, x, &o); });
    m["Abs"] = unary([](double x) { return std::fabs(x); },
                     [](int64_t x, int64_t& o) {
                       o = x < 0 ? -x : x;
                       return x != INT64_MIN;
                     });
    m["Relu"] = unary([](double x) { return std::max(x, 0.0); },
                      [](int64_t x, int64_t& o) {
                        o = std::max<int64_t>(x, 0);
                        return true;
                      });
    m["Sign"] = unary([](double x) { return x > 0   ? 1.0
                                            : x < 0 ? -1.0
                                                    : 0.0; },
                      [](int64_t x, int64_t& o) {
                        o = (x > 0) - (x < 0);
                        return true;
                      });
    m["Not"] = unary([](double x) { return x == 0 ? 1.0 : 0.0; },
                     [](int64_t x, int64_t& o) {
                       o = x == 0;
                       return true;
                     });
    m["Sqrt"] = unary([](double x) { return std::sqrt(x); });
    m["Exp"] = unary([](double x) { return std::exp(x); });
    m["Log"] = unary([](double x) { return std::log(x); });
    m["Floor"] = unary([](double x) { return std::floor(x); });
    m["Ceil"] = unary([](double x) { return std::ceil(x); });
    m["Round"] = unary([](double x) { return std::nearbyint(x); });  // half to even
    m["Reciprocal"] = unary([](double x) { return 1.0 / x; });
    m["Sin"] = unary([](double x) { return std::sin(x); });
    m["Cos"] = unary([](double x) { return std::cos(x); });
    m["Tanh"] = unary([](double x) { return std::tanh(x); });
    m["Erf"] = unary([](double x) { return std::erf(x); });
    m["Sigmoid"] = unary([](double x) { return 1.0 / (1.0 + std::exp(-x)); });
    return m;
  }();
  return ops;
}

}  // namespace

std::vector<const ConstTensor*> Importer::const_inputs(const Node& n) const {
  std::vector<const ConstTensor*> ins;
  for (int k = 0; k < n.num_inputs(); ++k) {
    if (!n.in(k).empty()) ins.push_back(&consts_.at(n.in(k)));
  }
  return ins;
}

std::vector<ConstTensor> Importer::fold_constant(const Node& n) {
  const auto& p = *n.p;
  ConstTensor t;
  if (const auto* a = find_attr(p, "value")) {
    t = decode_tensor(a->t());
  } else if (const auto* a = find_attr(p, "value_float")) {
    t = float_tensor({}, {a->f()});
  } else if (const auto* a = find_attr(p, "value_floats")) {
    t = float_tensor({a->floats_size()}, {a->floats().begin(), a->floats().end()});
  } else if (const auto* a = find_attr(p, "value_int")) {
    t = int_tensor({}, {a->i()});
  } else if (const auto* a = find_attr(p, "value_ints")) {
    t = int_tensor({a->ints_size()}, {a->ints().begin(), a->ints().end()});
  } else if (const auto* a = find_attr(p, "sparse_value")) {
    const auto& dims = a->sparse_tensor().dims();
    t = shape_only(Shape(dims.begin(), dims.end()), is_float_type(a->sparse_tensor().values().data_type()), {});
  } else if (const auto* a = find_attr(p, "value_strings")) {
    t = shape_only({a->strings_size()}, false, {});
  } else if (find_attr(p, "value_string")) {
    t = shape_only({}, false, {});
  } else {
    throw FoldError("Constant node has no value attribute");
  }
  // Some exporters store weights in Constant nodes rather than initializers: a floating
  // constant of more than one element is a parameter where it is used as one.
  int64_t elements = checked_elements(t.shape);
  if (t.is_float && elements > 1) {
    t.sources = {n.out(0)};
    source_elements_[n.out(0)] = elements;
  }
  return {t};
}

std::vector<ConstTensor> Importer::fold_identity(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  return {in, shape_only(in.shape, false, {})};  // Dropout's mask: all ones, shape only
}

std::vector<ConstTensor> Importer::fold_cast(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  int64_t to = attr_int(*n.p, "to", onnx::TensorProto_DataType_FLOAT);
  if (n.type() == "CastLike") {
    to = const_in(n, 1, "target_type").is_float ? onnx::TensorProto_DataType_FLOAT : onnx::TensorProto_DataType_INT64;
  }
  if (!is_numeric_type(static_cast<int32_t>(to))) return {shape_only(in.shape, false, in.sources)};
  return {cast_values(in, is_float_type(static_cast<int32_t>(to)), to == onnx::TensorProto_DataType_BOOL)};
}

std::vector<ConstTensor> Importer::fold_shape(const Node& n) {
  Shape s = shape_of(n.in(0));
  int64_t rank = static_cast<int64_t>(s.size());
  auto clamp_axis = [rank](int64_t a) { return std::clamp(a < 0 ? a + rank : a, int64_t{0}, rank); };
  int64_t start = clamp_axis(attr_int(*n.p, "start", 0));
  int64_t end = clamp_axis(attr_int(*n.p, "end", rank));
  std::vector<int64_t> dims(s.begin() + start, s.begin() + std::max(start, end));
  int64_t len = static_cast<int64_t>(dims.size());
  return {int_tensor({len}, dims)};
}

std::vector<ConstTensor> Importer::fold_size(const Node& n) {
  return {int_tensor({}, {checked_elements(shape_of(n.in(0)))})};
}

std::vector<ConstTensor> Importer::fold_gather(const Node& n) {
  return {gather_values(const_in(n, 0, "data"), const_in(n, 1, "indices"), attr_int(*n.p, "axis", 0))};
}

std::vector<ConstTensor> Importer::fold_unsqueeze(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  return {reshaped(in, unsqueeze_shape(in.shape, axes_of(n, 1)))};
}

std::vector<ConstTensor> Importer::fold_squeeze(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  return {reshaped(in, squeeze_shape(in.shape, axes_of(n, 1)))};
}

std::vector<ConstTensor> Importer::fold_reshape(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  std::vector<int64_t> target =
      n.type() == "Reshape" && n.num_inputs() > 1 ? const_ints(n, 1, "shape") : attr_ints(*n.p, "shape");  // opset < 5
  return {reshaped(in, resolve_reshape(in.shape, target, attr_int(*n.p, "allowzero", 0) != 0))};
}

std::vector<ConstTensor> Importer::fold_flatten(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  return {reshaped(in, flatten_shape(in.shape, attr_int(*n.p, "axis", 1)))};
}

std::vector<ConstTensor> Importer::fold_concat(const Node& n) {
  return {concat_values(const_inputs(n), attr_int(*n.p, "axis", 0))};
}

// Slice arguments: inputs since opset 10, attributes before.
std::vector<int64_t> Importer::slice_args(const Node& n, int k, const char* attr, const char* what) {
  if (find_attr(*n.p, attr)) return attr_ints(*n.p, attr);
  if (!n.in(k).empty()) return const_ints(n, k, what);
  return {};
}

std::vector<ConstTensor> Importer::fold_slice(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  auto plan = slice_plan(in.shape, slice_args(n, 1, "starts", "starts"), slice_args(n, 2, "ends", "ends"),
                         slice_args(n, 3, "axes", "axes"), slice_args(n, 4, "steps", "steps"));
  return {slice_values(in, plan)};
}

std::vector<ConstTensor> Importer::fold_transpose(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  std::vector<int64_t> perm = attr_ints(*n.p, "perm");
  if (perm.empty()) {
    perm = iota_axes(static_cast<int64_t>(in.shape.size()));
    std::reverse(perm.begin(), perm.end());
  }
  return {transpose_values(in, perm)};
}

std::vector<ConstTensor> Importer::fold_expand(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  return {broadcast_to(in, broadcast_shapes(in.shape, const_ints(n, 1, "shape")))};
}

std::vector<ConstTensor> Importer::fold_tile(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  std::vector<int64_t> reps = const_ints(n, 1, "repeats");
  Shape out = tiled_shape(in.shape, reps);
  return {strided_copy(in, out, [&](size_t k, int64_t c) { return c % in.shape[k]; })};
}

std::vector<ConstTensor> Importer::fold_constant_of_shape(const Node& n) {
  std::vector<int64_t> dims = const_ints(n, 0, "shape");
  Shape shape(dims.begin(), dims.end());
  int64_t count = checked_elements(shape);
  ConstTensor value = float_tensor({1}, {0.0});
  if (const auto* a = find_attr(*n.p, "value")) value = decode_tensor(a->t());
  if (!value.known || value.size() != 1) throw FoldError("value must be a one-element tensor");
  if (count > kMaxFoldElements) return {shape_only(shape, value.is_float, {})};
  return {broadcast_to(reshaped(value, {}), shape)};
}

std::vector<ConstTensor> Importer::fold_range(const Node& n) {
  const ConstTensor& start = const_in(n, 0, "start");
  std::vector<double> s = const_floats(n, 0, "start"), l = const_floats(n, 1, "limit"), d = const_floats(n, 2, "delta");
  if (s.size() != 1 || l.size() != 1 || d.size() != 1) throw FoldError("Range takes scalars");
  if (d[0] == 0 || !std::isfinite(s[0] + l[0] + d[0])) throw FoldError("Range delta must be non-zero and finite");
  double count = std::max(std::ceil((l[0] - s[0]) / d[0]), 0.0);
  if (count > static_cast<double>(kMaxElements)) throw FoldError("Range is too long");
  auto len = static_cast<int64_t>(count);
  if (len > kMaxFoldElements) return {shape_only({len}, start.is_float, {})};
  ConstTensor t = start.is_float ? float_tensor({len}, {}) : int_tensor({len}, {});
  for (int64_t k = 0; k < len; ++k) {
    double v = s[0] + static_cast<double>(k) * d[0];
    if (!start.is_float && !(std::fabs(v) < 9.2e18)) return {shape_only({len}, false, {})};
    if (start.is_float) {
      t.f.push_back(v);
    } else {
      t.i.push_back(static_cast<int64_t>(v));
    }
  }
  return {t};
}

std::vector<ConstTensor> Importer::fold_binary(const Node& n) {
  const auto& ops = binary_fold_ops();
  auto ins = const_inputs(n);
  if (n.type() == "Mod") {
    bool fmod = attr_int(*n.p, "fmod", 0) != 0;
    return {elementwise(ins, fold_over([fmod](int64_t a, int64_t b, int64_t& o) { return int_mod(a, b, fmod, o); },
                                       [](double a, double b) { return std::fmod(a, b); }))};
  }
  if (n.type() == "Mean") {
    ElementOp add = ops.at("Add");
    double count = static_cast<double>(ins.size());
    ElementOp mean;
    mean.ff = [add, count](const std::vector<double>& a) { return add.ff(a) / count; };
    return {elementwise(ins, mean)};
  }
  ConstTensor t = elementwise(ins, ops.at(n.type()));
  if (ops.at(n.type()).bool_out) t.sources.clear();  // masks are not parameters
  return {t};
}

std::vector<ConstTensor> Importer::fold_unary(const Node& n) {
  return {elementwise({&const_in(n, 0, "input")}, unary_fold_ops().at(n.type()))};
}

std::vector<ConstTensor> Importer::fold_where(const Node& n) {
  const ConstTensor &c = const_in(n, 0, "condition"), &x = const_in(n, 1, "X"), &y = const_in(n, 2, "Y");
  ElementOp select;
  select.fi = [](const std::vector<int64_t>& a, int64_t& o) {
    o = a[0] != 0 ? a[1] : a[2];
    return true;
  };
  select.ff = [](const std::vector<double>& a) { return a[0] != 0 ? a[1] : a[2]; };
  ConstTensor t = elementwise({&c, &x, &y}, select);
  t.sources = merge_sources({&x, &y});
  return {t};
}

std::vector<ConstTensor> Importer::fold_clip(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  double lo = attr_float(*n.p, "min", -INFINITY), hi = attr_float(*n.p, "max", INFINITY);
  if (!n.in(1).empty()) lo = const_floats(n, 1, "min").at(0);
  if (!n.in(2).empty()) hi = const_floats(n, 2, "max").at(0);
  if (lo > hi) throw FoldError("Clip min is above max");
  ElementOp clip = unary([lo, hi](double x) { return std::clamp(x, lo, hi); },
                         [lo, hi](int64_t x, int64_t& o) {
                           double v = std::clamp(static_cast<double>(x), lo, hi);
                           if (!(std::fabs(v) < 9.2e18)) return false;
                           o = v == static_cast<double>(x) ? x : static_cast<int64_t>(v);
                           return true;
                         });
  return {elementwise({&in}, clip)};
}

std::vector<ConstTensor> Importer::fold_reduce(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "data");
  std::vector<int64_t> axes = axes_of(n, 1);
  bool keep = attr_int(*n.p, "keepdims", 1) != 0;
  if (axes.empty() && attr_int(*n.p, "noop_with_empty_axes", 0) != 0) return {in};
  const std::string& t = n.type();
  if (t == "ReduceSum" || t == "ReduceMean") {
    return {reduce_values(in, axes, keep, 0.0, std::plus<double>(), t == "ReduceMean")};
  }
  if (t == "ReduceProd") return {reduce_values(in, axes, keep, 1.0, std::multiplies<double>(), false)};
  if (t == "ReduceMax") {
    return {reduce_values(
        in, axes, keep, -INFINITY, [](double a, double b) { return std::max(a, b); }, false)};
  }
  return {reduce_values(
      in, axes, keep, INFINITY, [](double a, double b) { return std::min(a, b); }, false)};
}

// Split sizes: an input since opset 13, an attribute before, num_outputs since 18,
// equal parts otherwise (the last part smaller when it does not divide).
std::vector<int64_t> Importer::split_sizes(const Node& n, int64_t dim) {
  std::vector<int64_t> sizes;
  if (!n.in(1).empty()) {
    sizes = const_ints(n, 1, "split");
  } else if (find_attr(*n.p, "split")) {
    sizes = attr_ints(*n.p, "split");
  } else {
    int64_t parts = attr_int(*n.p, "num_outputs", n.p->output_size());
    if (parts <= 0) throw FoldError("Split needs at least one output");
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t k = 0; k < parts; ++k) sizes.push_back(std::clamp(dim - k * chunk, int64_t{0}, chunk));
  }
  int64_t sum = 0;
  for (int64_t s : sizes) sum += bounded(s, 0, "a split size");
  if (sum != dim || sizes.size() != static_cast<size_t>(n.p->output_size())) {
    throw FoldError(fmt::format("split sizes [{}] must add up to {} and match the {} outputs", fmt::join(sizes, ", "),
                                dim, n.p->output_size()));
  }
  return sizes;
}

std::vector<ConstTensor> Importer::fold_split(const Node& n) {
  const ConstTensor& in = const_in(n, 0, "input");
  int64_t axis = norm_axis(attr_int(*n.p, "axis", 0), static_cast<int64_t>(in.shape.size()));
  std::vector<ConstTensor> outs;
  int64_t start = 0;
  for (int64_t size : split_sizes(n, in.shape[axis])) {
    auto plan = slice_plan(in.shape, {start}, {start + size}, {axis}, {1});
    outs.push_back(slice_values(in, plan));
    start += size;
  }
  return outs;
}

// Products of constants only (weight preprocessing): shape and sources, no values.
std::vector<ConstTensor> Importer::fold_matmul(const Node& n) {
  const ConstTensor &a = const_in(n, 0, "A"), &b = const_in(n, 1, "B");
  return {shape_only(matmul_shape(a.shape, b.shape), a.is_float, merge_sources({&a, &b}))};
}

const std::unordered_map<std::string, Importer::FoldFn>& Importer::fold_table() {
  static const std::unordered_map<std::string, FoldFn> table = [] {
    std::unordered_map<std::string, FoldFn> t = {
        {"Constant", &Importer::fold_constant},   {"Identity", &Importer::fold_identity},
        {"Dropout", &Importer::fold_identity},    {"Cast", &Importer::fold_cast},
        {"CastLike", &Importer::fold_cast},       {"Shape", &Importer::fold_shape},
        {"Size", &Importer::fold_size},           {"Gather", &Importer::fold_gather},
        {"Unsqueeze", &Importer::fold_unsqueeze}, {"Squeeze", &Importer::fold_squeeze},
        {"Reshape", &Importer::fold_reshape},     {"Flatten", &Importer::fold_flatten},
        {"Concat", &Importer::fold_concat},       {"Slice", &Importer::fold_slice},
        {"Transpose", &Importer::fold_transpose}, {"Expand", &Importer::fold_expand},
        {"Tile", &Importer::fold_tile},           {"ConstantOfShape", &Importer::fold_constant_of_shape},
        {"Range", &Importer::fold_range},         {"Where", &Importer::fold_where},
        {"Clip", &Importer::fold_clip},           {"Split", &Importer::fold_split},
        {"MatMul", &Importer::fold_matmul},       {"Mod", &Importer::fold_binary},
        {"Mean", &Importer::fold_binary},
    };
    for (const auto& [type, op] : binary_fold_ops()) t[type] = &Importer::fold_binary;
    for (const auto& [type, op] : unary_fold_ops()) t[type] = &Importer::fold_unary;
    for (const char* r : {"ReduceSum", "ReduceMean", "ReduceProd", "ReduceMax", "ReduceMin"}) {
      t[r] = &Importer::fold_reduce;
    }
    return t;
  }();
  return table;
}

}  // namespace acceldse::workload::onnx_detail
