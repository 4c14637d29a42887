// ONNX operators -> IR ops: element-wise ops, activations, normalisation, softmax and
// reductions.
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

// ONNX activation ops with one data input -> IR op type.
const std::unordered_map<std::string, std::string>& unary_map() {
  static const std::unordered_map<std::string, std::string> m = {
      {"Relu", "relu"},
      {"Sigmoid", "sigmoid"},
      {"Tanh", "tanh"},
      {"Gelu", "gelu"},
      {"Erf", "erf"},
      {"Exp", "exp"},
      {"Log", "log"},
      {"Sqrt", "sqrt"},
      {"Reciprocal", "reciprocal"},
      {"Neg", "neg"},
      {"Abs", "abs"},
      {"LeakyRelu", "leakyrelu"},
      {"Elu", "elu"},
      {"Selu", "elu"},
      {"Celu", "elu"},
      {"HardSigmoid", "hardsigmoid"},
      {"HardSwish", "hardswish"},
      {"Softplus", ir_type({"softplus", "elu"})},
      {"Cast", "cast"},
      {"CastLike", "cast"},
      {"Not", ir_type({"not", "neg"})},
  };
  return m;
}

// ONNX broadcasting ops with several data inputs -> IR op type.
const std::unordered_map<std::string, std::string>& nary_map() {
  static const std::unordered_map<std::string, std::string> m = {
      {"Add", "add"},
      {"Sub", "sub"},
      {"Mul", "mul"},
      {"Div", "div"},
      {"Pow", "pow"},
      {"Max", "max"},
      {"Min", "min"},
      {"Sum", "add"},
      {"Equal", ir_type({"equal", "sub"})},
      {"Less", ir_type({"less", "sub"})},
      {"Greater", ir_type({"greater", "sub"})},
      {"LessOrEqual", ir_type({"less_equal", "sub"})},
      {"GreaterOrEqual", ir_type({"greater_equal", "sub"})},
      {"And", ir_type({"and", "mul"})},
      {"Or", ir_type({"or", "max"})},
      {"Xor", ir_type({"xor", "sub"})},
      {"Where", ir_type({"where", "max"})},  // a select: one vector op per element and input pair
  };
  return m;
}

// --- element-wise ---------------------------------------------------------------------------

// Broadcasting ops: run-time operands become IR inputs, constant ones parameters (Where's
// condition is a mask, not a parameter). If the constants broadcast the result beyond the
// run-time operands' shape, the first operand is expanded first so the op does the work.
void Importer::map_nary(const Node& n) {
  std::vector<std::string> ins;
  Shape all, acts;
  for (int k = 0; k < n.num_inputs(); ++k) {
    if (n.in(k).empty()) continue;
    Shape s = shape_of(n.in(k));
    all = broadcast_shapes(all, s);
    if (is_const(n.in(k))) continue;
    ins.push_back(act(n.in(k)));
    acts = broadcast_shapes(acts, s);
  }
  int64_t params = n.type() == "Where" ? params_of(n, {1, 2}) : 0;
  if (n.type() != "Where") {
    for (int k = 0; k < n.num_inputs(); ++k) params += params_of(n, {k});
  }
  if (acts != all) {
    Attrs e;
    e.dims = all;
    ins[0] = emit_aux(n, "expand", "expand", {ins[0]}, e);
  }
  emit_main(n, nary_map().at(n.type()), ins, {}, params);
}

void Importer::map_unary(const Node& n) { emit_main(n, unary_map().at(n.type()), {act(n.in(0))}, {}); }

// Clip's bounds are settings, not trained values: never parameters.
void Importer::map_clip(const Node& n) { emit_main(n, "clip", {act(n.in(0))}, {}); }

// PRelu is a leaky ReLU whose slopes are parameters.
void Importer::map_prelu(const Node& n) { emit_main(n, "leakyrelu", {act(n.in(0))}, {}, params_of(n, {1})); }

// Scale, bias, running mean and running variance: all four are initializers it reads.
void Importer::map_batchnorm(const Node& n) {
  emit_main(n, "batchnorm", {act(n.in(0))}, {}, params_of(n, {1, 2, 3, 4}));
}

void Importer::map_layernorm(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Attrs a;
  a.axis = norm_axis(attr_int(*n.p, "axis", -1), static_cast<int64_t>(xs.size()));
  emit_main(n, "layernorm", {act(n.in(0))}, a, params_of(n, {1, 2}));
}

void Importer::map_softmax(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Attrs a;
  // Before opset 13 the default axis was 1 (and the input was coerced to 2-D there).
  a.axis = norm_axis(attr_int(*n.p, "axis", opset_ < 13 ? 1 : -1), static_cast<int64_t>(xs.size()));
  emit_main(n, "softmax", {act(n.in(0))}, a);
}

// Reductions: ReduceMin and ArgMax/ArgMin cost what ReduceMax costs.
void Importer::map_reduce(const Node& n) {
  Shape xs = shape_of(n.in(0));
  std::vector<int64_t> axes = axes_of(n, 1);
  if (axes.empty() && attr_int(*n.p, "noop_with_empty_axes", 0) != 0) {
    map_identity(n);
    return;
  }
  Attrs a;
  for (int64_t ax : axes) a.dims.push_back(norm_axis(ax, static_cast<int64_t>(xs.size())));
  a.keepdims = attr_int(*n.p, "keepdims", 1) != 0;
  static const std::unordered_map<std::string, std::string> types = {
      {"ReduceMean", "reduce_mean"},
      {"ReduceSum", "reduce_sum"},
      {"ReduceMax", "reduce_max"},
      {"ReduceMin", ir_type({"reduce_min", "reduce_max"})}};
  emit_main(n, types.at(n.type()), {act(n.in(0))}, a);
}

void Importer::map_argmax(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Attrs a;
  a.dims = {norm_axis(attr_int(*n.p, "axis", 0), static_cast<int64_t>(xs.size()))};
  a.keepdims = attr_int(*n.p, "keepdims", 1) != 0;
  emit_main(n, ir_type({n.type() == "ArgMax" ? "argmax" : "argmin", "reduce_max"}), {act(n.in(0))}, a);
}

}  // namespace acceldse::workload::onnx_detail
