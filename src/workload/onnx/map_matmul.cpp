// ONNX operators -> IR ops: matrix products (Gemm, MatMul, Einsum) and recurrent layers
// (LSTM, GRU).
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

// --- matrix products ---------------------------------------------------------------------------

// Y = A' B' (+ C) with A' = transA ? A^T : A, B' likewise.
void Importer::map_gemm(const Node& n) {
  bool ta = attr_int(*n.p, "transA", 0) != 0, tb = attr_int(*n.p, "transB", 0) != 0;
  std::string c = n.in(2);
  bool c_const = c.empty() || is_const(c);
  if (is_const(n.in(0)) && is_const(n.in(1))) throw FoldError("Gemm of two constants");
  if (is_const(n.in(0))) {
    if (ta) throw FoldError("Gemm with a transposed constant A is not supported");
    if (!c_const) throw FoldError("Gemm with a constant A and a run-time C is not supported");
    map_const_left_product(n, n.in(0), act(n.in(1)), tb, params_of(n, {0, 2}));
    return;
  }
  std::string a = act(n.in(0));
  if (ta) a = transpose_aux(n, "transA", a, {1, 0});
  if (is_const(n.in(1))) {
    const ConstTensor& w = consts_.at(n.in(1));
    if (w.shape.size() != 2) throw FoldError("Gemm B must be a matrix");
    Attrs at;
    at.out_features = tb ? w.shape[0] : w.shape[1];
    at.bias = !c.empty() && c_const;
    int64_t k_w = tb ? w.shape[1] : w.shape[0];
    if (b_.tensor(a).shape.back() != k_w) {
      throw FoldError(fmt::format("A' has shape {} but B' has {} rows", shape_to_string(b_.tensor(a).shape), k_w));
    }
    if (c_const) {
      emit_main(n, "linear", {a}, at, params_of(n, {1, 2}));
      return;
    }
    std::string prod = emit_aux(n, "linear", "linear", {a}, at, params_of(n, {1}));
    emit_main(n, "add", {prod, act(c)}, {});
    return;
  }
  std::string b = act(n.in(1));
  if (tb) b = transpose_aux(n, "transB", b, {1, 0});
  if (c.empty()) {
    emit_main(n, "matmul", {a, b}, {});
    return;
  }
  std::string prod = emit_aux(n, "matmul", "matmul", {a, b}, {});
  std::vector<std::string> ins{prod};
  if (!c_const) ins.push_back(act(c));
  emit_main(n, "add", ins, {}, params_of(n, {2}));
}

// Y = A X with a constant A [M, K] and X [..., K, N] (or X^T given): as Y^T = X^T A^T it
// is a linear layer on X^T, framed by two transposes.
void Importer::map_const_left_product(const Node& n, const std::string& a_const, const std::string& x,
                                      bool x_transposed, int64_t params) {
  const Shape& as = consts_.at(a_const).shape;
  Shape xs = b_.tensor(x).shape;
  if (as.size() != 2 || xs.size() < 2) {
    throw FoldError("a constant left operand must be a matrix and the right one at least 2-D");
  }
  auto swap_last = [&](size_t rank) {
    std::vector<int64_t> perm = iota_axes(static_cast<int64_t>(rank));
    std::swap(perm[rank - 1], perm[rank - 2]);
    return perm;
  };
  std::string xt = x_transposed ? x : transpose_aux(n, "transpose_in", x, swap_last(xs.size()));
  if (b_.tensor(xt).shape.back() != as[1]) {
    throw FoldError(fmt::format("constant A {} does not fit B {}", shape_to_string(as), shape_to_string(xs)));
  }
  Attrs a;
  a.out_features = as[0];
  std::string yt = emit_aux(n, "linear", "linear", {xt}, a, params);
  Attrs t;
  t.dims = swap_last(b_.tensor(yt).shape.size());
  emit_main(n, "transpose", {yt}, t);
}

void Importer::map_matmul(const Node& n) {
  std::string an = n.in(0), bn = n.in(1);
  if (is_const(an)) {
    map_const_left_product(n, an, act(bn), false, params_of(n, {0}));
    return;
  }
  std::string a = act(an);
  if (!is_const(bn)) {
    emit_main(n, "matmul", {a, act(bn)}, {});
    return;
  }
  const Shape& w = consts_.at(bn).shape;
  Shape expected = matmul_shape(b_.tensor(a).shape, w);
  bool batched = w.size() > 2 && checked_elements(Shape(w.begin(), w.end() - 2)) != 1;
  if (batched) throw FoldError("MatMul with a batched constant operand is not supported");
  Attrs at;
  at.out_features = w.size() == 1 ? 1 : w.back();
  int64_t k_w = w.size() == 1 ? w[0] : w[w.size() - 2];
  if (b_.tensor(a).shape.back() != k_w) throw FoldError("MatMul inner dimensions differ");
  int64_t params = params_of(n, {1});
  Shape direct = b_.tensor(a).shape;
  direct.back() = at.out_features;
  if (direct == expected) {
    emit_main(n, "linear", {a}, at, params);
    return;
  }
  // A 1-D weight drops the last axis; a [1, .., K, N] weight adds leading unit axes.
  std::string y = emit_aux(n, "linear", "linear", {a}, at, params);
  Attrs r;
  r.dims = expected;
  emit_main(n, "reshape", {y}, r);
}

// --- Einsum ---------------------------------------------------------------------------------

namespace {

struct EinsumSpec {
  std::vector<std::string> inputs;  // one label per axis
  std::string output;
};

// "bhqd,bhkd->bhqk"; the implicit form ("ij,jk") outputs the labels used once, sorted.
EinsumSpec parse_einsum(std::string eq) {
  std::erase(eq, ' ');
  if (eq.find("...") != std::string::npos) throw FoldError("Einsum with '...' (broadcast axes) is not supported");
  EinsumSpec spec;
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    spec.inputs.push_back(lhs.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (arrow != std::string::npos) {
    spec.output = eq.substr(arrow + 2);
  } else {
    for (char c = 'A'; c <= 'z'; ++c) {
      if (std::count(lhs.begin(), lhs.end(), c) == 1) spec.output += c;
    }
  }
  for (const std::string& labels : spec.inputs) {
    for (char c : labels) {
      if (!std::isalpha(static_cast<unsigned char>(c))) throw FoldError("Einsum equation '" + eq + "' is malformed");
      if (std::count(labels.begin(), labels.end(), c) > 1) {
        throw FoldError("Einsum with a repeated label in one operand (a diagonal) is not supported");
      }
    }
  }
  return spec;
}

std::vector<int64_t> positions(const std::string& labels, const std::string& order) {
  std::vector<int64_t> out;
  for (char c : order) out.push_back(static_cast<int64_t>(labels.find(c)));
  return out;
}

bool is_identity(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

}  // namespace

// Two-operand contractions (attention's bhqd,bhkd->bhqk, MLP's bsd,df->bsf, ...) become one
// matmul (or linear, for a constant operand): each operand is transposed to [batch, free,
// contracted] / [batch, contracted, free] and reshaped to 3-D, and the product is reshaped
// and transposed to the output's label order. One operand: a sum over the labels it drops
// and a transpose.
void Importer::map_einsum(const Node& n) {
  EinsumSpec spec = parse_einsum(attr_string(*n.p, "equation", ""));
  if (spec.inputs.size() != static_cast<size_t>(n.num_inputs()))
    throw FoldError("Einsum equation and inputs differ in count");
  if (spec.inputs.size() == 1) {
    const std::string& in = spec.inputs[0];
    std::string x = act(n.in(0)), kept;
    Attrs r;
    r.keepdims = false;
    for (size_t i = 0; i < in.size(); ++i) {
      if (spec.output.find(in[i]) == std::string::npos)
        r.dims.push_back(static_cast<int64_t>(i));
      else
        kept += in[i];
    }
    if (!r.dims.empty()) x = emit_aux(n, "sum", "reduce_sum", {x}, r);
    Attrs t;
    t.dims = positions(kept, spec.output);
    emit_main(n, "transpose", {x}, t);
    return;
  }
  if (spec.inputs.size() != 2) throw FoldError("Einsum with more than two operands is not supported");
  int first = is_const(n.in(0)) ? 1 : 0;  // the activation operand leads
  int second = 1 - first;
  const std::string &la = spec.inputs[first], &lb = spec.inputs[second], &lo = spec.output;
  std::string batch, free_a, free_b, contract;
  std::map<char, int64_t> size;
  Shape as = shape_of(n.in(first)),
        bs = is_const(n.in(second)) ? consts_.at(n.in(second)).shape : shape_of(n.in(second));
  if (as.size() != la.size() || bs.size() != lb.size()) throw FoldError("Einsum labels do not match the operand ranks");
  for (size_t i = 0; i < la.size(); ++i) size[la[i]] = as[i];
  for (size_t i = 0; i < lb.size(); ++i) {
    if (size.count(lb[i]) && size[lb[i]] != bs[i])
      throw FoldError(fmt::format("Einsum label '{}' has two sizes", lb[i]));
    size[lb[i]] = bs[i];
  }
  for (const auto& [c, unused] : size) {
    bool in_a = la.find(c) != std::string::npos, in_b = lb.find(c) != std::string::npos,
         in_o = lo.find(c) != std::string::npos;
    if (in_a && in_b)
      (in_o ? batch : contract) += c;
    else if (in_o)
      (in_a ? free_a : free_b) += c;
    else
      throw FoldError(fmt::format("Einsum label '{}' is summed in one operand only; not supported", c));
  }
  auto prod = [&](const std::string& labels) {
    Shape dims;
    for (char c : labels) dims.push_back(size[c]);
    return checked_elements(dims);
  };
  auto arrange = [&](const std::string& name, const std::string& labels, const std::string& order, Shape dims3) {
    std::string x = act(name);
    std::vector<int64_t> perm = positions(labels, order);
    if (!is_identity(perm)) x = transpose_aux(n, "t_" + name, x, perm);
    return reshape_aux(n, "r_" + name, x, std::move(dims3));
  };
  const int64_t bt = prod(batch), m = prod(free_a), k = prod(contract), nn = prod(free_b);
  std::string a = arrange(n.in(first), la, batch + free_a + contract, {bt, m, k});
  std::string y;
  if (is_const(n.in(second))) {
    if (!batch.empty()) throw FoldError("Einsum with a batched constant operand is not supported");
    Attrs l;
    l.out_features = nn;
    y = emit(n.name, "linear", {a}, l, {fresh(n.name + "/product")}, params_of(n, {second}));
  } else {
    std::string b = arrange(n.in(second), lb, batch + contract + free_b, {bt, k, nn});
    y = emit(n.name, "matmul", {a, b}, {}, {fresh(n.name + "/product")});
  }
  std::string produced = batch + free_a + free_b;
  Shape split;
  for (char c : produced) split.push_back(size[c]);
  std::vector<int64_t> perm = positions(produced, lo);
  Attrs r;
  r.dims = split;
  if (is_identity(perm)) {
    emit(fresh(n.name + "/out"), "reshape", {y}, r, {n.out(0)});
    return;
  }
  Attrs t;
  t.dims = perm;
  emit(fresh(n.name + "/out"), "transpose", {emit_aux(n, "split", "reshape", {y}, r)}, t, {n.out(0)});
}

// --- recurrent -----------------------------------------------------------------------------

// LSTM / GRU. The IR op writes [seq, batch, directions*hidden]; ONNX's Y is
// [seq, directions, batch, hidden] (layout 0) or [batch, seq, directions, hidden]
// (layout 1), so reshape/transpose ops rebuild it when something reads it.
void Importer::map_recurrent(const Node& n) {
  bool lstm = n.type() == "LSTM";
  int64_t gates = lstm ? 4 : 3;
  const ConstTensor& w = const_in(n, 1, "W");
  const_in(n, 2, "R");
  std::string dir = attr_string(*n.p, "direction", "forward");
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  int64_t layout = attr_int(*n.p, "layout", 0);
  int64_t hidden =
      bounded(attr_int(*n.p, "hidden_size", w.shape.size() == 3 ? w.shape[1] / gates : 0), 1, "hidden_size");
  std::string x = act(n.in(0));
  Shape xs = shape_of(n.in(0));
  if (xs.size() != 3 || w.shape.size() != 3 || w.shape[0] != dirs || w.shape[1] != gates * hidden ||
      w.shape[2] != xs[2]) {
    throw FoldError(fmt::format("W {} does not fit input {}, hidden_size {} and direction {}", shape_to_string(w.shape),
                                shape_to_string(xs), hidden, dir));
  }
  if (layout == 1) x = transpose_aux(n, "seq_first", x, {1, 0, 2});
  int64_t batch = b_.tensor(x).shape[1];
  Attrs a;
  a.hidden = hidden;
  a.directions = dirs;
  a.bias = !n.in(3).empty();
  std::initializer_list<int> weights = {1, 2, 3, 7};  // W, R, B, peepholes (LSTM only)
  std::string core = emit(n.name, lstm ? "lstm" : "gru", {x}, a, {fresh(n.name + "/out")}, params_of(n, weights));
  if (used(n.out(0))) {
    std::string y = reshape_aux(n, "y_split", core, {0, 0, dirs, hidden});
    std::vector<int64_t> perm = layout == 0 ? std::vector<int64_t>{0, 2, 1, 3} : std::vector<int64_t>{1, 0, 2, 3};
    Attrs t;
    t.dims = perm;
    emit(fresh(n.name + "/y"), "transpose", {y}, t, {n.out(0)});
  }
  for (int k = 1; k <= (lstm ? 2 : 1); ++k) {
    if (used(n.out(k))) emit_recurrent_state(n, k, core, batch, dirs, hidden, layout);
  }
}

// Y_h / Y_c: the last time step, [directions, batch, hidden] (layout 0) or
// [batch, directions, hidden] (layout 1). The cell state has the same shape as the hidden
// state; the IR keeps only the latter, so both are read from the output.
void Importer::emit_recurrent_state(const Node& n, int out_k, const std::string& core, int64_t batch, int64_t dirs,
                                    int64_t hidden, int64_t layout) {
  std::string tag = out_k == 1 ? "h" : "c";
  Attrs g;
  g.axis = 0;
  g.dims = {batch, dirs * hidden};
  std::string last = emit_aux(n, tag + "_last", "gather", {core}, g);
  Attrs r;
  r.dims = {0, dirs, hidden};
  if (layout == 1) {
    emit(fresh(n.name + "/" + tag), "reshape", {last}, r, {n.out(out_k)});
    return;
  }
  std::string split = emit_aux(n, tag + "_split", "reshape", {last}, r);
  Attrs t;
  t.dims = {1, 0, 2};
  emit(fresh(n.name + "/" + tag), "transpose", {split}, t, {n.out(out_k)});
}

}  // namespace acceldse::workload::onnx_detail
