// Channel classes for fit-model: which widths of a network can change, and which must
// change together. Every tensor axis is labelled fixed or "factor x width variable";
// ops either create a width (conv out_channels, linear out_features, recurrent hidden,
// embedding embed_dim), pass labels through, or tie the labels of their inputs (adds,
// matmul inner dimensions). Anything not understood freezes the widths it touches, and
// applying a change is checked against shape inference, so a gap in the analysis can
// only make it miss a change, never emit an inconsistent network.
#include <algorithm>
#include <numeric>

#include "common/error.h"
#include "dse/study_internal.h"

namespace acceldse::dse::study_detail {

using workload::Network;
using workload::Op;
using workload::Shape;

Ratio Ratio::of(int64_t num, int64_t den) {
  int64_t g = std::gcd(num, den);
  if (g == 0) return Ratio{0, 1};
  return Ratio{num / g, den / g};
}

std::optional<int64_t> Ratio::apply(int64_t value) const {
  if (den == 0 || (value * num) % den != 0) return std::nullopt;
  int64_t out = value * num / den;
  if (out <= 0) return std::nullopt;
  return out;
}

std::pair<int, Ratio> ChannelGraph::find(int v) const {
  Ratio r;
  while (vars[static_cast<size_t>(v)].parent >= 0) {
    r = r * vars[static_cast<size_t>(v)].ratio;
    v = vars[static_cast<size_t>(v)].parent;
  }
  return {v, r};
}

namespace {

using Labels = std::vector<Label>;

size_t axis_index(int64_t axis, size_t rank) {
  int64_t r = static_cast<int64_t>(rank);
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

// Builds the graph op by op, in network order.
class Analyser {
 public:
  explicit Analyser(const Network& net) : net_(net) { g_.labels.resize(net.tensors.size()); }

  ChannelGraph run() {
    for (int t : net_.inputs) g_.labels[static_cast<size_t>(t)] = Labels(shape(t).size());
    for (size_t i = 0; i < net_.ops.size(); ++i) label_op(static_cast<int>(i));
    for (int t : net_.outputs) freeze_all(g_.labels[static_cast<size_t>(t)], "reaches a network output");
    return std::move(g_);
  }

 private:
  const Network& net_;
  ChannelGraph g_;

  const Shape& shape(int tensor) const { return net_.tensors[static_cast<size_t>(tensor)].shape; }
  const Labels& in_labels(const Op& op, size_t i) const { return g_.labels[static_cast<size_t>(op.inputs[i])]; }
  const Shape& in_shape(const Op& op, size_t i) const { return shape(op.inputs[i]); }
  const Shape& out_shape(const Op& op, size_t i = 0) const { return shape(op.outputs[i]); }
  Labels& out_labels(const Op& op, size_t i = 0) { return g_.labels[static_cast<size_t>(op.outputs[i])]; }
  WidthVar& var(int v) { return g_.vars[static_cast<size_t>(v)]; }

  // ---- variables ----

  Label new_source(int op, const std::string& field, int64_t value, Ratio factor = {}) {
    WidthVar v;
    v.op = op;
    v.field = field;
    v.old_value = value;
    g_.vars.push_back(v);
    return Label{static_cast<int>(g_.vars.size()) - 1, factor};
  }

  void freeze(const Label& l, const std::string& why) {
    if (l.fixed()) return;
    int root = g_.find(l.var).first;
    WidthVar& r = var(root);
    if (!r.frozen) {
      r.frozen = true;
      r.frozen_reason = why;
    }
    for (const Label& part : std::vector<Label>(r.parts)) freeze(part, why);
  }

  void freeze_all(const Labels& labels, const std::string& why) {
    for (const Label& l : labels) freeze(l, why);
  }

  bool derived(const Label& l) const {
    return !l.fixed() && g_.vars[static_cast<size_t>(g_.find(l.var).first)].derived;
  }

  // a and b must stay equal: factor_a x value(a) = factor_b x value(b).
  void tie(const Label& a, const Label& b, const std::string& why) {
    if (a.fixed() && b.fixed()) return;
    if (a.fixed() || b.fixed() || derived(a) || derived(b)) {
      freeze(a, why);
      freeze(b, why);
      return;
    }
    auto [ra, fa] = g_.find(a.var);
    auto [rb, fb] = g_.find(b.var);
    Ratio lhs = a.factor * fa, rhs = b.factor * fb;  // lhs x V(ra) = rhs x V(rb)
    if (ra == rb) {
      if (!(lhs == rhs)) freeze(a, why + " (inconsistent widths)");
      return;
    }
    bool frozen = var(ra).frozen || var(rb).frozen;
    std::string reason = var(ra).frozen ? var(ra).frozen_reason : var(rb).frozen_reason;
    var(rb).parent = ra;
    var(rb).ratio = lhs / rhs;
    if (frozen && !var(ra).frozen) {
      var(ra).frozen = true;
      var(ra).frozen_reason = reason;
    }
  }

  void rewrite(int op, const std::string& field, size_t position, const Label& l) {
    if (!l.fixed()) g_.rewrites.push_back(Rewrite{op, field, position, l});
  }

  // ---- op rules ----

  // Guards the rules below: labels always have one entry per axis.
  void label_op(int index) {
    const Op& op = net_.ops[static_cast<size_t>(index)];
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      if (in_labels(op, i).size() != in_shape(op, i).size()) return unknown(op);
    }
    apply_rule(index, op);
    for (size_t i = 0; i < op.outputs.size(); ++i) {
      if (out_labels(op, i).size() != out_shape(op, i).size()) out_labels(op, i) = Labels(out_shape(op, i).size());
    }
  }

  void apply_rule(int index, const Op& op) {
    const std::string& t = op.type;
    if (t == "conv") return conv(index, op);
    if (t == "linear") return linear(index, op);
    if (t == "matmul") return matmul(op);
    if (t == "lstm" || t == "gru") return recurrent(index, op);
    if (t == "embedding") return embedding(index, op);
    if (op.op_class == workload::OpClass::kPool || t == "upsample") return spatial(op);
    if (workload::op_class_of(t) == workload::OpClass::kEltwise && !t.starts_with("reduce_") && op.inputs.size() > 1) {
      return broadcast(op);
    }
    if (t.starts_with("reduce_")) return reduce(op);
    if (t == "concat") return concat(op);
    if (t == "split") return split(index, op);
    if (t == "reshape" || t == "flatten") return reshape(index, op);
    if (t == "transpose") return transpose(op);
    if (t == "pad") return pad(op);
    if (t == "slice" || t == "expand" || (t == "gather" && op.inputs.size() == 1)) return explicit_shape(index, op);
    if (op.inputs.size() == 1 && op.outputs.size() == 1 && in_shape(op, 0) == out_shape(op)) {
      out_labels(op) = in_labels(op, 0);  // unary element-wise, norms, softmax, identity
      return;
    }
    unknown(op);
  }

  void unknown(const Op& op) {
    for (size_t i = 0; i < op.inputs.size(); ++i)
      freeze_all(in_labels(op, i), "used by " + op.type + " '" + op.name + "'");
    for (size_t i = 0; i < op.outputs.size(); ++i) out_labels(op, i) = Labels(out_shape(op, i).size());
  }

  // Spatial axes (2+) are never widths; one that carries a width freezes it.
  Labels batch_channel_only(const Op& op) {
    const Labels& in = in_labels(op, 0);
    Labels out(out_shape(op).size());
    for (size_t a = 0; a < in.size(); ++a) {
      if (a < 2 && a < out.size())
        out[a] = in[a];
      else
        freeze(in[a], "is a spatial axis of '" + op.name + "'");
    }
    return out;
  }

  void spatial(const Op& op) { out_labels(op) = batch_channel_only(op); }

  void conv(int index, const Op& op) {
    Labels out = batch_channel_only(op);
    const Label& in_c = in_labels(op, 0).at(1);
    const int64_t in_channels = in_shape(op, 0).at(1);
    const int64_t groups = op.attrs.groups;
    if (groups == 1) {
      out[1] = new_source(index, "out_channels", op.attrs.out_channels);
    } else if (groups == in_channels && op.attrs.out_channels == in_channels) {
      out[1] = in_c;  // depthwise: channels pass through, groups follow them
      rewrite(index, "out_channels", 0, in_c);
      rewrite(index, "groups", 0, in_c);
    } else {
      freeze(in_c, "feeds grouped conv '" + op.name + "'");
      out[1] = new_source(index, "out_channels", op.attrs.out_channels);
      freeze(out[1], "output of grouped conv '" + op.name + "'");
    }
    out_labels(op) = out;
  }

  void linear(int index, const Op& op) {
    Labels out = in_labels(op, 0);
    out.back() = new_source(index, "out_features", op.attrs.out_features);
    out_labels(op) = out;
  }

  void recurrent(int index, const Op& op) {
    Labels out = in_labels(op, 0);
    out.back() = new_source(index, "hidden", op.attrs.hidden, Ratio::of(op.attrs.directions, 1));
    out_labels(op) = out;
    for (size_t i = 1; i < op.outputs.size(); ++i) out_labels(op, i) = Labels(out_shape(op, i).size());
  }

  void embedding(int index, const Op& op) {
    Labels out = in_labels(op, 0);
    out.push_back(new_source(index, "embed_dim", op.attrs.embed_dim));
    out_labels(op) = out;
  }

  // Axes aligned from the right; an input of size 1 broadcasts and is not tied. A width
  // that happens to be 1 would stop broadcasting if it grew, so it is frozen.
  void broadcast(const Op& op) {
    const Shape& out_s = out_shape(op);
    Labels out(out_s.size());
    const std::string why = "tied to a fixed size by '" + op.name + "'";
    for (size_t j = 0; j < out_s.size(); ++j) {
      std::vector<Label> same;
      for (size_t i = 0; i < op.inputs.size(); ++i) {
        const Shape& s = in_shape(op, i);
        size_t offset = out_s.size() - s.size();
        if (j < offset) continue;
        const Label& l = in_labels(op, i)[j - offset];
        if (s[j - offset] == out_s[j] && out_s[j] != 1)
          same.push_back(l);
        else
          freeze(l, "broadcast by '" + op.name + "'");
      }
      for (size_t k = 1; k < same.size(); ++k) tie(same[0], same[k], why);
      bool any_fixed = std::any_of(same.begin(), same.end(), [](const Label& l) { return l.fixed(); });
      if (!same.empty() && !any_fixed) out[j] = same[0];
    }
    out_labels(op) = out;
  }

  void matmul(const Op& op) {
    const Shape &a = in_shape(op, 0), &b = in_shape(op, 1), &o = out_shape(op);
    if (a.size() < 2 || b.size() < 2) return unknown(op);
    const Labels &la = in_labels(op, 0), &lb = in_labels(op, 1);
    tie(la[a.size() - 1], lb[b.size() - 2], "inner dimension of matmul '" + op.name + "'");
    Labels out(o.size());
    for (size_t j = 0; j + 2 < o.size(); ++j) {  // broadcast batch dimensions
      std::vector<Label> same;
      for (const auto* side : {&a, &b}) {
        const Labels& l = side == &a ? la : lb;
        size_t offset = o.size() - side->size();
        if (j < offset) continue;
        if ((*side)[j - offset] == o[j] && o[j] != 1)
          same.push_back(l[j - offset]);
        else
          freeze(l[j - offset], "broadcast by '" + op.name + "'");
      }
      for (size_t k = 1; k < same.size(); ++k) tie(same[0], same[k], "batch dimension of '" + op.name + "'");
      if (!same.empty() && std::none_of(same.begin(), same.end(), [](const Label& l) { return l.fixed(); }))
        out[j] = same[0];
    }
    out[o.size() - 2] = la[a.size() - 2];
    out[o.size() - 1] = lb[b.size() - 1];
    out_labels(op) = out;
  }

  void reduce(const Op& op) {
    const Labels& in = in_labels(op, 0);
    std::vector<bool> reduced(in.size(), op.attrs.dims.empty());
    for (int64_t axis : op.attrs.dims) reduced[axis_index(axis, in.size())] = true;
    Labels out;
    for (size_t a = 0; a < in.size(); ++a) {
      if (!reduced[a])
        out.push_back(in[a]);
      else if (op.attrs.keepdims)
        out.push_back(Label{});
    }
    out_labels(op) = out;
  }

  // The concatenated axis becomes a derived width (the sum of its parts) so the parts
  // stay free; the other axes must agree.
  void concat(const Op& op) {
    const size_t axis = axis_index(op.attrs.axis, in_shape(op, 0).size());
    Labels out = in_labels(op, 0);
    for (size_t i = 1; i < op.inputs.size(); ++i) {
      for (size_t a = 0; a < out.size(); ++a) {
        if (a != axis) tie(out[a], in_labels(op, i)[a], "concatenated by '" + op.name + "'");
      }
    }
    WidthVar d;
    d.derived = true;
    bool any = false;
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const Label& l = in_labels(op, i)[axis];
      if (l.fixed())
        d.fixed_dims.push_back(in_shape(op, i)[axis]);
      else
        d.parts.push_back(l);
      any = any || !l.fixed();
    }
    if (any) {
      g_.vars.push_back(d);
      out[axis] = Label{static_cast<int>(g_.vars.size()) - 1, Ratio{}};
    } else {
      out[axis] = Label{};
    }
    out_labels(op) = out;
  }

  // Equal parts of a width stay a width (a bidirectional LSTM's two directions, GPT-2's
  // fused q/k/v); unequal explicit sizes freeze it.
  void split(int index, const Op& op) {
    const Labels& in = in_labels(op, 0);
    const size_t axis = axis_index(op.attrs.axis, in.size());
    const size_t parts = op.outputs.size();
    bool equal = true;
    for (size_t i = 1; i < parts; ++i) equal = equal && out_shape(op, i)[axis] == out_shape(op, 0)[axis];
    Label part{};
    if (!in[axis].fixed()) {
      if (equal && !derived(in[axis]))
        part = Label{in[axis].var, in[axis].factor * Ratio::of(1, static_cast<int64_t>(parts))};
      else
        freeze(in[axis], "split unevenly by '" + op.name + "'");
    }
    for (size_t i = 0; i < parts; ++i) {
      Labels out = in;
      out[axis] = part;
      out_labels(op, i) = out;
      if (!op.attrs.dims.empty()) rewrite(index, "dims", i, part);
    }
  }

  void transpose(const Op& op) {
    const Labels& in = in_labels(op, 0);
    std::vector<int64_t> perm = op.attrs.dims;
    if (perm.empty()) {
      perm.resize(in.size());
      std::iota(perm.rbegin(), perm.rend(), 0);
    }
    Labels out;
    for (int64_t p : perm) out.push_back(in[static_cast<size_t>(p)]);
    out_labels(op) = out;
  }

  void pad(const Op& op) {
    const Labels& in = in_labels(op, 0);
    Labels out = in;
    for (size_t a = 0; a < in.size(); ++a) {
      if (op.attrs.dims[a] != 0 || op.attrs.dims[a + in.size()] != 0) {
        freeze(in[a], "padded by '" + op.name + "'");
        out[a] = Label{};
      }
    }
    out_labels(op) = out;
  }

  // slice / expand / single-input gather: a literal output shape. A width kept whole
  // passes (its literal follows it); a width cut or broadcast is frozen.
  void explicit_shape(int index, const Op& op) {
    const Labels& in = in_labels(op, 0);
    const Shape &s = in_shape(op, 0), &o = out_shape(op);
    Labels out(o.size());
    if (o.size() < s.size()) return unknown(op);
    const size_t offset = o.size() - s.size();
    for (size_t a = 0; a < s.size(); ++a) {
      if (in[a].fixed()) continue;
      if (s[a] == o[a + offset]) {
        out[a + offset] = in[a];
        rewrite(index, "dims", a + offset, in[a]);
      } else {
        freeze(in[a], "resized by '" + op.name + "'");
      }
    }
    out_labels(op) = out;
  }

  // Reshape and flatten: axes are matched in groups of equal size products. One width
  // per group may pass (whole), merge with fixed axes (factor grows) or be split (the
  // innermost piece keeps the width, as for attention heads).
  void reshape(int index, const Op& op) {
    const Shape &s = in_shape(op, 0), &o = out_shape(op);
    const Labels& in = in_labels(op, 0);
    Labels out(o.size());
    size_t i = 0, j = 0;
    while (i < s.size() || j < o.size()) {
      size_t i0 = i, j0 = j;
      int64_t pi = i < s.size() ? s[i++] : 1, po = j < o.size() ? o[j++] : 1;
      while (pi != po) {
        if (pi < po && i < s.size())
          pi *= s[i++];
        else if (po < pi && j < o.size())
          po *= o[j++];
        else
          break;
      }
      reshape_group(op, in, s, o, i0, i, j0, j, out);
    }
    if (op.type == "reshape") {
      for (size_t a = 0; a < out.size() && a < op.attrs.dims.size(); ++a) {
        if (op.attrs.dims[a] > 0) rewrite(index, "dims", a, out[a]);
      }
    }
    out_labels(op) = out;
  }

  void reshape_group(const Op& op, const Labels& in, const Shape& s, const Shape& o, size_t i0, size_t i1, size_t j0,
                     size_t j1, Labels& out) {
    std::vector<size_t> widths, in_big, out_big;
    for (size_t a = i0; a < i1; ++a) {
      if (s[a] != 1) in_big.push_back(a);
      if (!in[a].fixed()) widths.push_back(a);
    }
    for (size_t b = j0; b < j1; ++b) {
      if (o[b] != 1) out_big.push_back(b);
    }
    if (widths.empty()) return;
    const std::string why = "reshaped by '" + op.name + "'";
    if (widths.size() != 1 || s[widths[0]] == 1 || out_big.empty()) {
      for (size_t a : widths) freeze(in[a], why);
      return;
    }
    const Label& w = in[widths[0]];
    if (in_big.size() > 1 && out_big.size() > 1) return freeze(w, why);
    if (out_big.size() == 1) {  // pass, or merge with fixed axes
      out[out_big[0]] = Label{w.var, w.factor * Ratio::of(o[out_big[0]], s[widths[0]])};
      return;
    }
    if (derived(w)) return freeze(w, why);
    const size_t inner = out_big.back();  // split: the innermost piece keeps the width
    out[inner] = Label{w.var, w.factor * Ratio::of(o[inner], s[widths[0]])};
  }
};

}  // namespace

ChannelGraph analyse_channels(const Network& net) { return Analyser(net).run(); }

// ---- Applying widths ---------------------------------------------------------------------

std::optional<std::vector<int64_t>> var_values(const ChannelGraph& g, const std::vector<int64_t>& root_values) {
  std::vector<int64_t> values(g.vars.size(), 0);
  for (size_t v = 0; v < g.vars.size(); ++v) {
    if (g.vars[v].derived) continue;
    auto [root, ratio] = g.find(static_cast<int>(v));
    std::optional<int64_t> value = ratio.apply(root_values[static_cast<size_t>(root)]);
    if (!value) return std::nullopt;
    values[v] = *value;
  }
  // Derived widths come after their parts (concat follows its inputs).
  for (size_t v = 0; v < g.vars.size(); ++v) {
    if (!g.vars[v].derived) continue;
    int64_t sum = std::accumulate(g.vars[v].fixed_dims.begin(), g.vars[v].fixed_dims.end(), int64_t{0});
    for (const Label& part : g.vars[v].parts) {
      std::optional<int64_t> value = part.factor.apply(values[static_cast<size_t>(part.var)]);
      if (!value) return std::nullopt;
      sum += *value;
    }
    values[v] = sum;
  }
  return values;
}

namespace {

std::optional<int64_t> label_value(const Label& l, const std::vector<int64_t>& values) {
  return l.factor.apply(values[static_cast<size_t>(l.var)]);
}

// Parameters of an op with no formula for them (the constant operand of an element-wise
// op: a bias added after a MatMul, PRelu slopes, a concatenated class token): their
// elements span some axes of the output, so they follow those axes' sizes. The axes are
// the ones whose sizes multiply to the count; when several sets do, the innermost (biases
// are trailing). Unchanged when no set does.
int64_t broadcast_params_after(int64_t params, const Shape& before, const Shape& after) {
  if (before.size() != after.size() || before.size() > 20) return params;
  std::optional<uint32_t> best;
  for (uint32_t mask = 0; mask < (uint32_t{1} << before.size()); ++mask) {
    int64_t product = 1;
    bool relevant = true;
    for (size_t a = 0; a < before.size() && relevant; ++a) {
      if (!(mask >> a & 1)) continue;
      relevant = before[a] > 1;  // unit axes add nothing and would only repeat a set
      product *= before[a];
      relevant = relevant && product <= params;
    }
    if (relevant && product == params && (!best || mask > *best)) best = mask;  // higher axes weigh more
  }
  if (!best) return params;
  int64_t out = 1;
  for (size_t a = 0; a < after.size(); ++a) {
    if (*best >> a & 1) out *= after[a];
  }
  return out;
}

// An op that owned an explicit parameter count keeps its ratio to the default one.
int64_t params_after(const Op& before, int64_t default_before, int64_t default_after, const Shape& out_before,
                     const Shape& out_after) {
  if (before.params == default_before) return default_after;
  if (default_before == 0) return broadcast_params_after(before.params, out_before, out_after);
  return static_cast<int64_t>(static_cast<double>(before.params) * static_cast<double>(default_after) /
                              static_cast<double>(default_before));
}

bool set_attributes(Network& out, const ChannelGraph& g, const std::vector<int64_t>& values) {
  for (size_t v = 0; v < g.vars.size(); ++v) {
    const WidthVar& w = g.vars[v];
    if (w.derived || w.op < 0) continue;
    workload::Attrs& a = out.ops[static_cast<size_t>(w.op)].attrs;
    int64_t value = values[v];
    if (w.field == "out_channels")
      a.out_channels = value;
    else if (w.field == "out_features")
      a.out_features = value;
    else if (w.field == "hidden")
      a.hidden = value;
    else if (w.field == "embed_dim")
      a.embed_dim = value;
  }
  for (const Rewrite& r : g.rewrites) {
    std::optional<int64_t> value = label_value(r.label, values);
    if (!value) return false;
    workload::Attrs& a = out.ops[static_cast<size_t>(r.op)].attrs;
    if (r.field == "out_channels")
      a.out_channels = *value;
    else if (r.field == "groups")
      a.groups = *value;
    else if (r.position < a.dims.size())
      a.dims[r.position] = *value;
  }
  return true;
}

// Shapes and parameters again, as with_batch does, then every axis checked against its
// label: the analysis and shape inference must agree.
bool reinfer(Network& out, const Network& before, const ChannelGraph& g, const std::vector<int64_t>& values) {
  for (size_t i = 0; i < out.ops.size(); ++i) {
    Op& op = out.ops[i];
    std::vector<Shape> in_before, in_after;
    for (int t : op.inputs) {
      in_before.push_back(before.tensors[static_cast<size_t>(t)].shape);
      in_after.push_back(out.tensors[static_cast<size_t>(t)].shape);
    }
    std::vector<Shape> shapes = workload::infer_output_shapes("<fit>", op.name, op.type, in_after, op.attrs);
    for (size_t k = 0; k < shapes.size() && k < op.outputs.size(); ++k)
      out.tensors[static_cast<size_t>(op.outputs[k])].shape = shapes[k];
    const Shape no_output;
    const Shape& out_before = op.outputs.empty() ? no_output : before.tensors[static_cast<size_t>(op.outputs[0])].shape;
    const Shape& out_after = op.outputs.empty() ? no_output : out.tensors[static_cast<size_t>(op.outputs[0])].shape;
    op.params = params_after(before.ops[i], workload::default_params(op.type, in_before, before.ops[i].attrs),
                             workload::default_params(op.type, in_after, op.attrs), out_before, out_after);
  }
  for (size_t t = 0; t < out.tensors.size(); ++t) {
    const Shape& s = out.tensors[t].shape;
    if (s.size() != g.labels[t].size()) return false;
    for (size_t a = 0; a < s.size(); ++a) {
      const Label& l = g.labels[t][a];
      std::optional<int64_t> want = l.fixed() ? before.tensors[t].shape[a] : label_value(l, values);
      if (!want || *want != s[a]) return false;
    }
  }
  return true;
}

}  // namespace

std::optional<Network> apply_widths(const Network& net, const ChannelGraph& g,
                                    const std::vector<int64_t>& root_values) {
  std::optional<std::vector<int64_t>> values = var_values(g, root_values);
  if (!values) return std::nullopt;
  Network out = net;
  if (!set_attributes(out, g, *values)) return std::nullopt;
  try {
    if (!reinfer(out, net, g, *values)) return std::nullopt;
  } catch (const InputError&) {
    return std::nullopt;
  }
  return out;
}

}  // namespace acceldse::dse::study_detail
