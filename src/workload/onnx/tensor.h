#pragma once
// Constant tensors of the ONNX importer and the tensor algebra that folds them.
// Exporters (PyTorch above all) compute Reshape/Expand/Slice targets at run time from
// Shape(x); since every shape here is static, those subgraphs are evaluated at import
// time. Values are materialised only for small tensors (shape arithmetic); large
// constants (weights) keep just their shape and the initializers they came from.
// Internal to the ONNX importer (src/workload/onnx/) and its tests: not part of the
// workload interface.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "workload/workload.h"

namespace acceldse::workload::onnx_detail {

// Raised by the folding code; the importer adds the file and node name.
class FoldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Values of tensors above this size are not computed (only their shapes).
inline constexpr int64_t kMaxFoldElements = int64_t{1} << 16;
// Largest element count a tensor may have; beyond it a model is rejected, so that
// later 64-bit products (MACs, bytes) cannot overflow.
inline constexpr int64_t kMaxElements = int64_t{1} << 50;

struct ConstTensor {
  Shape shape;
  bool is_float = false;  // values are in `f` (else in `i`; booleans are 0/1)
  bool known = false;     // values materialised
  std::vector<int64_t> i;
  std::vector<double> f;
  // Parameter tensors (initializers) this value was computed from, sorted, unique.
  std::vector<std::string> sources;

  int64_t size() const { return static_cast<int64_t>(is_float ? f.size() : i.size()); }
  double as_double(int64_t k) const { return is_float ? f[k] : static_cast<double>(i[k]); }
};

// --- shapes ------------------------------------------------------------------------

// Element count with overflow and sign checks.
inline int64_t checked_elements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw FoldError("negative dimension in shape " + shape_to_string(shape));
    if (d != 0 && n > kMaxElements / d) {
      throw FoldError("tensor of shape " + shape_to_string(shape) + " is too large");
    }
    n *= d;
  }
  return n;
}

// Normalises a possibly negative axis against `rank`.
inline int64_t norm_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    throw FoldError("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

// NumPy (multidirectional) broadcasting.
inline Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw FoldError("shapes " + shape_to_string(a) + " and " + shape_to_string(b) + " do not broadcast");
    }
    out[k] = da == 1 ? db : da;
  }
  return out;
}

inline Shape row_major_strides(const Shape& shape) {
  Shape strides(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * shape[k];
  return strides;
}

// For each element of `out`, the flat index of the element of `in` it reads when `in`
// is broadcast to `out` (which must be a broadcast of `in`).
inline std::vector<int64_t> broadcast_source_index(const Shape& in, const Shape& out) {
  int64_t n = checked_elements(out);
  Shape in_strides = row_major_strides(in);
  size_t offset = out.size() - in.size();
  std::vector<int64_t> index(n);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rest = flat, src = 0;
    for (size_t k = out.size(); k-- > 0;) {
      int64_t coord = rest % out[k];
      rest /= out[k];
      if (k >= offset && in[k - offset] != 1) src += coord * in_strides[k - offset];
    }
    index[flat] = src;
  }
  return index;
}

// ONNX Reshape target resolution: 0 copies the input dim (unless allowzero), -1 infers.
inline Shape resolve_reshape(const Shape& in, const std::vector<int64_t>& target, bool allowzero) {
  Shape out(target.size());
  Shape known_dims;
  int infer = -1;
  for (size_t k = 0; k < target.size(); ++k) {
    int64_t d = target[k];
    if (d == 0 && !allowzero) {
      if (k >= in.size()) throw FoldError("reshape 0 refers past the input rank");
      d = in[k];
    }
    if (d == -1) {
      if (infer >= 0) throw FoldError("reshape target has more than one -1");
      infer = static_cast<int>(k);
      continue;
    }
    if (d < 0) throw FoldError("reshape target has negative dimension " + std::to_string(d));
    out[k] = d;
    known_dims.push_back(d);
  }
  int64_t known = checked_elements(known_dims);
  int64_t total = checked_elements(in);
  if (infer >= 0) {
    if (known == 0 || total % known != 0) {
      throw FoldError("cannot reshape " + shape_to_string(in) + " to the target");
    }
    out[infer] = total / known;
  }
  if (checked_elements(out) != total) {
    throw FoldError("cannot reshape " + shape_to_string(in) + " (" + std::to_string(total) + " elements) to " +
                    shape_to_string(out));
  }
  return out;
}

// ONNX Squeeze: removes the given axes (all size-1 axes if none).
inline Shape squeeze_shape(const Shape& in, std::vector<int64_t> axes) {
  int64_t rank = static_cast<int64_t>(in.size());
  for (auto& a : axes) a = norm_axis(a, rank);
  Shape out;
  for (int64_t k = 0; k < rank; ++k) {
    bool listed = std::find(axes.begin(), axes.end(), k) != axes.end();
    if (listed && in[k] != 1) {
      throw FoldError("cannot squeeze axis " + std::to_string(k) + " of size " + std::to_string(in[k]));
    }
    if (listed || (axes.empty() && in[k] == 1)) continue;
    out.push_back(in[k]);
  }
  return out;
}

// ONNX Unsqueeze: axes refer to the output rank.
inline Shape unsqueeze_shape(const Shape& in, std::vector<int64_t> axes) {
  int64_t rank = static_cast<int64_t>(in.size() + axes.size());
  for (auto& a : axes) a = norm_axis(a, rank);
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
    throw FoldError("unsqueeze axes repeat");
  }
  Shape out;
  size_t next = 0;
  for (int64_t k = 0; k < rank; ++k) {
    if (std::binary_search(axes.begin(), axes.end(), k)) {
      out.push_back(1);
    } else {
      out.push_back(in[next++]);
    }
  }
  return out;
}

inline Shape flatten_shape(const Shape& in, int64_t axis) {
  int64_t rank = static_cast<int64_t>(in.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) throw FoldError("flatten axis out of range");
  Shape lead(in.begin(), in.begin() + axis), tail(in.begin() + axis, in.end());
  return {checked_elements(lead), checked_elements(tail)};
}

// One axis of an ONNX Slice after clamping: first index, step and element count.
struct SliceAxis {
  int64_t start = 0, step = 1, count = 0;
};

inline SliceAxis resolve_slice_axis(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (step == 0) throw FoldError("slice step is 0");
  auto clamp = [](int64_t v, int64_t lo, int64_t hi) { return std::min(std::max(v, lo), hi); };
  // Exporters write INT64_MAX/MIN for "to the end"; adding dim to them must not overflow.
  if (start < 0) start = start < -dim ? -1 - dim : start + dim;
  if (end < 0) end = end < -dim ? -1 - dim : end + dim;
  SliceAxis s;
  s.step = step;
  // Counts are written so that no step, however large, can overflow.
  if (step > 0) {
    s.start = clamp(start, 0, dim);
    end = clamp(end, 0, dim);
    s.count = end > s.start ? (end - s.start - 1) / step + 1 : 0;
  } else {
    int64_t back = step == INT64_MIN ? INT64_MAX : -step;
    s.start = clamp(start, 0, dim - 1);
    end = clamp(end, -1, dim - 1);
    s.count = s.start > end ? (s.start - end - 1) / back + 1 : 0;
  }
  return s;
}

// Full per-axis slice plan for `in` (axes not listed are taken whole).
inline std::vector<SliceAxis> slice_plan(const Shape& in, const std::vector<int64_t>& starts,
                                         const std::vector<int64_t>& ends, std::vector<int64_t> axes,
                                         std::vector<int64_t> steps) {
  int64_t rank = static_cast<int64_t>(in.size());
  if (axes.empty()) {
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    throw FoldError("slice starts, ends, axes and steps differ in length");
  }
  std::vector<SliceAxis> plan(in.size());
  for (int64_t k = 0; k < rank; ++k) plan[k] = {0, 1, in[k]};
  std::vector<bool> seen(in.size(), false);
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t a = norm_axis(axes[k], rank);
    if (seen[a]) throw FoldError("slice axis repeats");
    seen[a] = true;
    plan[a] = resolve_slice_axis(in[a], starts[k], ends[k], steps[k]);
  }
  return plan;
}

inline Shape slice_shape(const std::vector<SliceAxis>& plan) {
  Shape out;
  for (const auto& s : plan) out.push_back(s.count);
  return out;
}

// ONNX Gather: data[:axis] + indices + data[axis+1:].
inline Shape gather_shape(const Shape& data, const Shape& indices, int64_t axis) {
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), indices.begin(), indices.end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  return out;
}

// NumPy matmul shape, with 1-D operands promoted and their axis removed again.
inline Shape matmul_shape(Shape a, Shape b) {
  if (a.empty() || b.empty()) throw FoldError("matmul operand is a scalar");
  bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  if (a_vec) a.insert(a.begin(), 1);
  if (b_vec) b.push_back(1);
  if (a.back() != b[b.size() - 2]) {
    throw FoldError("matmul inner dimensions differ: " + shape_to_string(a) + " x " + shape_to_string(b));
  }
  Shape out = broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2));
  if (!a_vec) out.push_back(a[a.size() - 2]);
  if (!b_vec) out.push_back(b.back());
  return out;
}

// Output shape of a reduction over `axes` (empty = all).
inline Shape reduce_shape(const Shape& in, const std::vector<int64_t>& axes, bool keepdims) {
  int64_t rank = static_cast<int64_t>(in.size());
  std::vector<bool> reduced(in.size(), axes.empty());
  for (int64_t a : axes) reduced[norm_axis(a, rank)] = true;
  Shape out;
  for (int64_t k = 0; k < rank; ++k) {
    if (!reduced[k]) {
      out.push_back(in[k]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

// --- values --------------------------------------------------------------------------

// A tensor with the given shape whose values are not computed (too large or unknown).
inline ConstTensor shape_only(Shape shape, bool is_float, std::vector<std::string> sources) {
  checked_elements(shape);
  ConstTensor t;
  t.shape = std::move(shape);
  t.is_float = is_float;
  t.sources = std::move(sources);
  return t;
}

inline ConstTensor int_tensor(Shape shape, std::vector<int64_t> values) {
  ConstTensor t;
  t.shape = std::move(shape);
  t.i = std::move(values);
  t.known = true;
  return t;
}

inline ConstTensor float_tensor(Shape shape, std::vector<double> values) {
  ConstTensor t;
  t.shape = std::move(shape);
  t.f = std::move(values);
  t.is_float = true;
  t.known = true;
  return t;
}

inline std::vector<std::string> merge_sources(const std::vector<const ConstTensor*>& ins) {
  std::vector<std::string> out;
  for (const auto* t : ins) {
    if (t) out.insert(out.end(), t->sources.begin(), t->sources.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Builds a tensor of `shape` whose element k is element pick(k) of `src` (a gather of
// flat indices); values only when `src` is known and the result small.
inline ConstTensor remap(const ConstTensor& src, Shape shape, const std::function<int64_t(int64_t)>& pick) {
  int64_t n = checked_elements(shape);
  if (!src.known || n > kMaxFoldElements) return shape_only(std::move(shape), src.is_float, src.sources);
  ConstTensor t;
  t.shape = std::move(shape);
  t.is_float = src.is_float;
  t.known = true;
  t.sources = src.sources;
  for (int64_t k = 0; k < n; ++k) {
    int64_t s = pick(k);
    if (src.is_float) {
      t.f.push_back(src.f[s]);
    } else {
      t.i.push_back(src.i[s]);
    }
  }
  return t;
}

inline ConstTensor reshaped(const ConstTensor& src, Shape shape) {
  if (checked_elements(shape) != checked_elements(src.shape)) {
    throw FoldError("cannot reshape " + shape_to_string(src.shape) + " to " + shape_to_string(shape));
  }
  ConstTensor t = src;
  t.shape = std::move(shape);
  return t;
}

inline ConstTensor broadcast_to(const ConstTensor& src, const Shape& shape) {
  if (broadcast_shapes(src.shape, shape) != shape) {
    throw FoldError("cannot broadcast " + shape_to_string(src.shape) + " to " + shape_to_string(shape));
  }
  if (!src.known || checked_elements(shape) > kMaxFoldElements) {
    return shape_only(shape, src.is_float, src.sources);
  }
  auto index = broadcast_source_index(src.shape, shape);
  return remap(src, shape, [&](int64_t k) { return index[k]; });
}

// Walks the multi-index of `out`, mapping each element to a flat index of `in` through
// `coord_to_src` (per-axis source coordinate).
inline ConstTensor strided_copy(const ConstTensor& in, Shape out,
                                const std::function<int64_t(size_t, int64_t)>& coord_to_src) {
  Shape in_strides = row_major_strides(in.shape);
  Shape out_shape = out;
  return remap(in, std::move(out), [&](int64_t flat) {
    int64_t src = 0;
    for (size_t k = out_shape.size(); k-- > 0;) {
      src += coord_to_src(k, flat % out_shape[k]) * in_strides[k];
      flat /= out_shape[k];
    }
    return src;
  });
}

inline ConstTensor slice_values(const ConstTensor& in, const std::vector<SliceAxis>& plan) {
  return strided_copy(in, slice_shape(plan), [&](size_t k, int64_t c) { return plan[k].start + c * plan[k].step; });
}

inline ConstTensor transpose_values(const ConstTensor& in, const std::vector<int64_t>& perm) {
  int64_t rank = static_cast<int64_t>(in.shape.size());
  if (static_cast<int64_t>(perm.size()) != rank) throw FoldError("transpose perm has wrong length");
  std::vector<bool> seen(perm.size(), false);
  Shape out;
  for (int64_t p : perm) {
    int64_t a = norm_axis(p, rank);
    if (seen[a]) throw FoldError("transpose perm repeats an axis");
    seen[a] = true;
    out.push_back(in.shape[a]);
  }
  // Output axis k walks input axis perm[k]; express as a flat source index.
  Shape in_strides = row_major_strides(in.shape);
  Shape out_shape = out;
  return remap(in, std::move(out), [&](int64_t flat) {
    int64_t src = 0;
    for (size_t k = out_shape.size(); k-- > 0;) {
      src += (flat % out_shape[k]) * in_strides[norm_axis(perm[k], rank)];
      flat /= out_shape[k];
    }
    return src;
  });
}

inline ConstTensor gather_values(const ConstTensor& data, const ConstTensor& indices, int64_t axis) {
  axis = norm_axis(axis, static_cast<int64_t>(data.shape.size()));
  Shape out = gather_shape(data.shape, indices.shape, axis);
  // Indices select rows; only the gathered data can be a parameter.
  const auto& sources = data.sources;
  if (!indices.known) return shape_only(out, data.is_float, sources);
  int64_t dim = data.shape[axis];
  std::vector<int64_t> idx;
  for (int64_t k = 0; k < indices.size(); ++k) {
    double d = indices.as_double(k);
    if (indices.is_float && !(std::fabs(d) < 9.2e18)) throw FoldError("gather index out of range");
    int64_t v = indices.is_float ? static_cast<int64_t>(d) : indices.i[k];
    if (v < -dim || v >= dim) throw FoldError("gather index " + std::to_string(v) + " out of range");
    idx.push_back(v < 0 ? v + dim : v);
  }
  int64_t inner = checked_elements(Shape(data.shape.begin() + axis + 1, data.shape.end()));
  int64_t nidx = static_cast<int64_t>(idx.size());
  return remap(data, out, [&](int64_t flat) {
    int64_t in_pos = flat % inner, rest = flat / inner;
    int64_t j = rest % nidx, outer = rest / nidx;
    return (outer * dim + idx[j]) * inner + in_pos;
  });
}

inline ConstTensor concat_values(const std::vector<const ConstTensor*>& ins, int64_t axis) {
  if (ins.empty()) throw FoldError("concat of nothing");
  int64_t rank = static_cast<int64_t>(ins[0]->shape.size());
  axis = norm_axis(axis, rank);
  Shape out = ins[0]->shape;
  out[axis] = 0;
  bool known = true, is_float = ins[0]->is_float;
  for (const auto* t : ins) {
    if (static_cast<int64_t>(t->shape.size()) != rank) throw FoldError("concat ranks differ");
    for (int64_t k = 0; k < rank; ++k) {
      if (k != axis && t->shape[k] != ins[0]->shape[k]) throw FoldError("concat shapes differ");
    }
    out[axis] += t->shape[axis];
    known = known && t->known;
    is_float = is_float || t->is_float;
  }
  auto sources = merge_sources(ins);
  if (!known || checked_elements(out) > kMaxFoldElements) return shape_only(out, is_float, sources);
  ConstTensor r;
  r.shape = out;
  r.is_float = is_float;
  r.known = true;
  r.sources = sources;
  int64_t outer = checked_elements(Shape(out.begin(), out.begin() + axis));
  int64_t inner = checked_elements(Shape(out.begin() + axis + 1, out.end()));
  for (int64_t o = 0; o < outer; ++o) {
    for (const auto* t : ins) {
      int64_t chunk = t->shape[axis] * inner;
      for (int64_t k = o * chunk; k < (o + 1) * chunk; ++k) {
        if (is_float) {
          r.f.push_back(t->as_double(k));
        } else {
          r.i.push_back(t->i[k]);
        }
      }
    }
  }
  return r;
}

// Element-wise n-ary operation with broadcasting. `fi` computes integer results and
// returns false when the result is undefined (overflow, division by zero); `ff`
// computes floating results. `bool_out` makes the result boolean (comparisons).
struct ElementOp {
  std::function<bool(const std::vector<int64_t>&, int64_t&)> fi;
  std::function<double(const std::vector<double>&)> ff;
  bool bool_out = false;
};

inline ConstTensor elementwise(const std::vector<const ConstTensor*>& ins, const ElementOp& op) {
  if (ins.empty()) throw FoldError("the operation has no inputs");
  Shape out;
  bool known = true, is_float = false;
  for (const auto* t : ins) {
    out = broadcast_shapes(out, t->shape);
    known = known && t->known;
    is_float = is_float || t->is_float;
  }
  auto sources = merge_sources(ins);
  bool result_float = is_float && !op.bool_out;
  if (!known || checked_elements(out) > kMaxFoldElements || (!is_float && !op.fi)) {
    return shape_only(out, result_float, sources);
  }
  std::vector<std::vector<int64_t>> index;
  for (const auto* t : ins) index.push_back(broadcast_source_index(t->shape, out));
  ConstTensor r;
  r.shape = out;
  r.is_float = result_float;
  r.known = true;
  r.sources = sources;
  int64_t n = checked_elements(out);
  for (int64_t k = 0; k < n; ++k) {
    if (is_float) {
      std::vector<double> args;
      for (size_t a = 0; a < ins.size(); ++a) args.push_back(ins[a]->as_double(index[a][k]));
      double v = op.ff(args);
      if (result_float) {
        r.f.push_back(v);
      } else {
        r.i.push_back(v != 0.0 ? 1 : 0);
      }
    } else {
      std::vector<int64_t> args;
      for (size_t a = 0; a < ins.size(); ++a) args.push_back(ins[a]->i[index[a][k]]);
      int64_t v = 0;
      if (!op.fi(args, v)) return shape_only(out, result_float, sources);
      r.i.push_back(v);
    }
  }
  return r;
}

// Reduction over `axes` (empty = all) with an accumulator on doubles.
inline ConstTensor reduce_values(const ConstTensor& in, const std::vector<int64_t>& axes, bool keepdims, double init,
                                 const std::function<double(double, double)>& acc, bool mean) {
  int64_t rank = static_cast<int64_t>(in.shape.size());
  Shape out = reduce_shape(in.shape, axes, keepdims);
  if (!in.known) return shape_only(out, in.is_float || mean, in.sources);
  Shape kept = reduce_shape(in.shape, axes, true);
  int64_t n_out = checked_elements(kept);
  std::vector<double> accs(n_out, init);
  Shape kept_strides = row_major_strides(kept);
  int64_t n_in = checked_elements(in.shape);
  for (int64_t flat = 0; flat < n_in; ++flat) {
    int64_t rest = flat, dst = 0;
    for (int64_t k = rank; k-- > 0;) {
      int64_t coord = rest % in.shape[k];
      rest /= in.shape[k];
      if (kept[k] != 1) dst += coord * kept_strides[k];
    }
    accs[dst] = acc(accs[dst], in.as_double(flat));
  }
  int64_t group = n_out == 0 ? 0 : n_in / n_out;
  if (mean && group > 0) {
    for (auto& v : accs) v /= static_cast<double>(group);
  }
  if (in.is_float || mean) {
    ConstTensor t = float_tensor(out, accs);
    t.sources = in.sources;
    return t;
  }
  std::vector<int64_t> ints;
  for (double v : accs) {
    if (!(std::fabs(v) < 9.2e18)) return shape_only(out, false, in.sources);
    ints.push_back(static_cast<int64_t>(v));
  }
  ConstTensor t = int_tensor(out, ints);
  t.sources = in.sources;
  return t;
}

// Converts to integer or floating values (ONNX Cast). Non-finite or huge floats make the
// integer result unknown rather than undefined behaviour.
inline ConstTensor cast_values(const ConstTensor& in, bool to_float, bool to_bool) {
  ConstTensor t = in;
  t.is_float = to_float;
  t.i.clear();
  t.f.clear();
  if (!in.known) {
    t.known = false;
    return t;
  }
  for (int64_t k = 0; k < in.size(); ++k) {
    double v = in.as_double(k);
    if (to_float) {
      t.f.push_back(v);
    } else if (to_bool) {
      t.i.push_back(v != 0.0 ? 1 : 0);
    } else if (!in.is_float) {
      t.i.push_back(in.i[k]);
    } else if (std::fabs(v) < 9.2e18) {
      t.i.push_back(static_cast<int64_t>(v));
    } else {
      return shape_only(in.shape, false, in.sources);
    }
  }
  return t;
}

}  // namespace acceldse::workload::onnx_detail
