// ONNX operators -> IR ops: data movement (concat, split, reshape, transpose, slice,
// gather, pad, resize, ...).
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

// --- data movement -------------------------------------------------------------------------

// Concat with constant pieces (a class token, say): the run-time pieces are concatenated
// and the constants appear as padding along the axis, whose values are parameters.
void Importer::map_concat(const Node& n) {
  Shape first = shape_of(n.in(0));
  int64_t rank = static_cast<int64_t>(first.size());
  int64_t axis = norm_axis(attr_int(*n.p, "axis", 0), rank);
  std::vector<std::string> ins;
  int64_t before = 0, after = 0, params = 0;
  for (int k = 0; k < n.num_inputs(); ++k) {
    if (n.in(k).empty()) continue;
    if (!is_const(n.in(k))) {
      ins.push_back(act(n.in(k)));
      continue;
    }
    Shape s = shape_of(n.in(k));
    if (static_cast<int64_t>(s.size()) != rank) throw FoldError("concat inputs differ in rank");
    (ins.empty() ? before : after) += s[axis];
    params += params_of(n, {k});
  }
  Attrs a;
  a.axis = axis;
  if (before == 0 && after == 0) {
    emit_main(n, "concat", ins, a, params);
    return;
  }
  std::string x = ins.size() == 1 ? ins[0] : emit_aux(n, "concat", "concat", ins, a);
  Attrs pad;
  pad.dims.assign(2 * rank, 0);
  pad.dims[axis] = before;
  pad.dims[rank + axis] = after;
  emit_main(n, "pad", {x}, pad, params);
}

void Importer::map_split(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Attrs a;
  a.axis = norm_axis(attr_int(*n.p, "axis", 0), static_cast<int64_t>(xs.size()));
  a.dims = split_sizes(n, xs[a.axis]);
  std::vector<std::string> outs;
  for (int k = 0; k < n.p->output_size(); ++k) {
    outs.push_back(n.out(k).empty() ? fresh(fmt::format("{}:{}", n.name, k)) : n.out(k));
  }
  emit(n.name, "split", {act(n.in(0))}, a, outs);
}

namespace {

// Rescales a literal reshape target written at the file's batch, knowing the reshape's
// input at that batch (`before`) and now (`after`): the one input axis that changed is the
// batch (times whatever it was folded with); the target entry holding that axis's outer
// boundary is scaled. [196, 1, 768] -> [196, 12, 64] (nn.MultiheadAttention's
// [L, N*heads, d]) at batch 8 gives [196, 96, 64]; [1, 768, 14, 14] -> [1, 768, 196] gives
// [8, 768, 196]. Returns false when the reference does not tell (no single changed axis).
bool rescale_by_reference(std::vector<int64_t>& dims, const Shape& before, const Shape& after, int64_t old_batch,
                          int64_t new_batch) {
  if (before.size() != after.size()) return false;
  int changed = -1;
  for (size_t j = 0; j < before.size(); ++j) {
    if (before[j] == after[j]) continue;
    if (changed >= 0 || before[j] * new_batch != after[j] * old_batch) return false;
    changed = static_cast<int>(j);
  }
  if (changed < 0) return true;  // the batch does not reach this reshape: keep the literal
  if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d <= 0; })) return false;
  Shape resolved(dims.begin(), dims.end());
  if (checked_elements(resolved) != checked_elements(before)) return false;
  int64_t outer = checked_elements(Shape(before.begin(), before.begin() + changed));
  // Prefer an entry that is exactly the old batch starting at that boundary (a batch axis
  // of size 1 leaves several boundaries equal); else the entry the boundary falls in.
  int64_t prefix = 1;
  int containing = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (prefix == outer && dims[i] == old_batch) {
      containing = static_cast<int>(i);
      break;
    }
    if (containing < 0 && prefix <= outer && outer < prefix * dims[i]) containing = static_cast<int>(i);
    prefix *= dims[i];
  }
  if (containing < 0 || (dims[containing] * new_batch) % old_batch != 0) return false;
  dims[containing] = dims[containing] * new_batch / old_batch;
  return true;
}

}  // namespace

void Importer::map_reshape(const Node& n) {
  Attrs a;
  a.dims = n.num_inputs() > 1 ? const_ints(n, 1, "shape") : attr_ints(*n.p, "shape");
  // A target written as a literal in the file (static-shape exports) spells the batch
  // the file was exported with; a target computed from Shape ops already has the new one.
  bool literal = n.num_inputs() <= 1 || is_literal(n.in(1));
  if (literal && declared_batch_ && options_.batch && *declared_batch_ != *options_.batch) {
    auto ref = reference_shapes_.find(act(n.in(0)));
    if (ref == reference_shapes_.end() ||
        !rescale_by_reference(a.dims, ref->second, shape_of(n.in(0)), *declared_batch_, *options_.batch)) {
      detail::rescale_batch_target(a.dims, "reshape", shape_of(n.in(0)), *declared_batch_, *options_.batch);
    }
  }
  // Resolved here first: it validates the target with overflow checks, and with
  // allowzero a literal 0 is a size rather than "copy".
  Shape resolved = resolve_reshape(shape_of(n.in(0)), a.dims, attr_int(*n.p, "allowzero", 0) != 0);
  if (attr_int(*n.p, "allowzero", 0) != 0) a.dims = resolved;
  emit_main(n, "reshape", {act(n.in(0))}, a);
}

bool Importer::is_literal(const std::string& name) const {
  for (const auto& t : g_.initializer()) {
    if (t.name() == name) return true;
  }
  for (const auto& node : g_.node()) {
    if (node.op_type() == "Constant" && node.output_size() > 0 && node.output(0) == name) return true;
  }
  return false;
}

void Importer::map_flatten(const Node& n) {
  Shape xs = shape_of(n.in(0));
  int64_t rank = static_cast<int64_t>(xs.size());
  Attrs a;
  a.axis = attr_int(*n.p, "axis", 1);
  if (a.axis < 0) a.axis += rank;
  emit_main(n, "flatten", {act(n.in(0))}, a);
}

void Importer::map_transpose(const Node& n) {
  int64_t rank = static_cast<int64_t>(shape_of(n.in(0)).size());
  Attrs a;
  a.dims = attr_ints(*n.p, "perm");
  for (auto& d : a.dims) d = norm_axis(d, rank);
  emit_main(n, "transpose", {act(n.in(0))}, a);
}

// Squeeze and Unsqueeze only rename axes: a reshape to the exact result.
void Importer::map_squeeze(const Node& n) {
  Shape xs = shape_of(n.in(0));
  std::vector<int64_t> axes = axes_of(n, 1);
  Attrs a;
  a.dims = n.type() == "Squeeze" ? squeeze_shape(xs, axes) : unsqueeze_shape(xs, axes);
  // An unchanged leading (batch) dimension is written as "copy", so rebatching the
  // network later cannot mistake it for a literal.
  if (!a.dims.empty() && !xs.empty() && a.dims[0] == xs[0]) a.dims[0] = 0;
  emit_main(n, "reshape", {act(n.in(0))}, a);
}

void Importer::map_expand(const Node& n) {
  Attrs a;
  a.dims = broadcast_shapes(shape_of(n.in(0)), const_ints(n, 1, "shape"));
  emit_main(n, "expand", {act(n.in(0))}, a);
}

// Tile is a data move with a known output shape, like expand.
void Importer::map_tile(const Node& n) {
  Shape xs = shape_of(n.in(0));
  std::vector<int64_t> reps = const_ints(n, 1, "repeats");
  Attrs a;
  a.dims = tiled_shape(xs, reps);
  emit_main(n, "expand", {act(n.in(0))}, a);
}

void Importer::map_pad(const Node& n) {
  int64_t rank = static_cast<int64_t>(shape_of(n.in(0)).size());
  std::vector<int64_t> pads = n.in(1).empty() ? attr_ints(*n.p, "pads") : const_ints(n, 1, "pads");
  std::vector<int64_t> axes = n.in(3).empty() ? iota_axes(rank) : const_ints(n, 3, "axes");
  if (pads.size() != 2 * axes.size()) {
    throw FoldError(fmt::format("pads has {} entries; expected {}", pads.size(), 2 * axes.size()));
  }
  Attrs a;
  a.dims.assign(2 * rank, 0);
  size_t m = axes.size();
  for (size_t k = 0; k < m; ++k) {
    int64_t ax = norm_axis(axes[k], rank);
    // Negative pads crop; bounded so the output size cannot overflow.
    a.dims[ax] = bounded(pads[k], -(int64_t{1} << 31), "a pad");
    a.dims[rank + ax] = bounded(pads[m + k], -(int64_t{1} << 31), "a pad");
  }
  emit_main(n, "pad", {act(n.in(0))}, a);
}

void Importer::map_slice(const Node& n) {
  Shape xs = shape_of(n.in(0));
  auto plan = slice_plan(xs, slice_args(n, 1, "starts", "starts"), slice_args(n, 2, "ends", "ends"),
                         slice_args(n, 3, "axes", "axes"), slice_args(n, 4, "steps", "steps"));
  Attrs a;
  a.dims = slice_shape(plan);
  emit_main(n, "slice", {act(n.in(0))}, a);
}

// Gather from a constant 2-D table by run-time indices is an embedding lookup; from a
// run-time tensor it is a data move with a computed output shape.
void Importer::map_gather(const Node& n) {
  std::string data = n.in(0), idx = n.in(1);
  Shape ds = shape_of(data), is = shape_of(idx);
  int64_t axis = norm_axis(attr_int(*n.p, "axis", 0), static_cast<int64_t>(ds.size()));
  if (is_const(data)) {
    if (ds.size() != 2 || axis != 0) {
      throw FoldError("Gather from a constant needs a 2-D table indexed along axis 0");
    }
    Attrs a;
    a.vocab = ds[0];
    a.embed_dim = ds[1];
    emit_main(n, "embedding", {act(idx)}, a, params_of(n, {0}));
    return;
  }
  Attrs a;
  a.axis = axis;
  a.dims = gather_shape(ds, is, axis);
  std::vector<std::string> ins{act(data)};
  if (!is_const(idx)) ins.push_back(act(idx));
  emit_main(n, "gather", ins, a);
}

// Resize/Upsample by integer factors on the spatial axes -> nearest upsampling.
void Importer::map_resize(const Node& n) {
  Shape xs = shape_of(n.in(0));
  std::vector<double> scales;
  bool is_resize = n.type() == "Resize";
  int scales_k = is_resize && opset_ >= 11 ? 2 : 1;
  if (find_attr(*n.p, "scales")) {
    scales = attr_floats(*n.p, "scales");  // Upsample before opset 9
  } else if (!n.in(scales_k).empty() && checked_elements(shape_of(n.in(scales_k))) > 0) {
    scales = const_floats(n, scales_k, "scales");
  } else if (is_resize && !n.in(3).empty()) {
    std::vector<int64_t> sizes = const_ints(n, 3, "sizes");
    if (sizes.size() != xs.size()) throw FoldError("sizes must have one entry per dimension");
    for (size_t k = 0; k < xs.size(); ++k) {
      scales.push_back(static_cast<double>(sizes[k]) / static_cast<double>(xs[k]));
    }
  }
  if (scales.size() != xs.size() || (xs.size() != 3 && xs.size() != 4)) {
    throw FoldError("Resize needs a scale per dimension of an [N, C, L] or [N, C, H, W] input");
  }
  for (size_t k = 0; k < scales.size(); ++k) {
    bool integral = scales[k] >= 1 && scales[k] == std::floor(scales[k]) && scales[k] < 1e6;
    if (!integral || (k < 2 && scales[k] != 1)) {
      throw FoldError(
          fmt::format("only integer upscaling of the spatial axes is supported "
                      "(scales [{}])",
                      fmt::join(scales, ", ")));
    }
  }
  Attrs a;
  a.stride = {xs.size() == 4 ? static_cast<int64_t>(scales[2]) : 1, static_cast<int64_t>(scales.back())};
  emit_main(n, "upsample", {act(n.in(0))}, a);
}

// Identity and inference-time Dropout are elided: their output names the input tensor.
// A graph output keeps its name through an identity op.
void Importer::map_identity(const Node& n) {
  std::string x = act(n.in(0));
  if (graph_outputs_.count(n.out(0))) {
    emit_main(n, "identity", {x}, {});
  } else {
    alias_[n.out(0)] = x;
  }
}

}  // namespace acceldse::workload::onnx_detail
