// Output shapes and default parameter counts of every op type, and rebatching.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "common/checked.h"
#include "common/error.h"
#include "workload/detail.h"
#include "workload/workload.h"

namespace acceldse::workload {

using detail::product;

namespace {

// Element counts above this are rejected so that MAC and byte totals of any accepted
// network stay far from int64 overflow.
constexpr int64_t kMaxElements = int64_t{1} << 48;

// Where an op's shape error happened; fail() throws an InputError naming it.
struct Ctx {
  const std::string& file;
  const std::string& op_name;
  const std::string& type;

  [[noreturn]] void fail(const std::string& detail) const {
    throw InputError(file, fmt::format("layer {} ({})", op_name, type), detail);
  }
};

std::string show(const Shape& shape) { return shape_to_string(shape); }

// Resolves a possibly negative axis against `rank` (end_inclusive: axis == rank allowed).
int64_t resolve_axis(const Ctx& ctx, int64_t axis, size_t rank, bool end_inclusive = false) {
  int64_t r = static_cast<int64_t>(rank);
  int64_t resolved = axis < 0 ? axis + r : axis;
  int64_t limit = end_inclusive ? r : r - 1;
  if (resolved < 0 || resolved > limit) {
    ctx.fail(fmt::format("axis {} is out of range for a {}-dimensional input", axis, rank));
  }
  return resolved;
}

void require_rank_at_least(const Ctx& ctx, const Shape& shape, size_t rank, const char* form) {
  if (shape.size() < rank) {
    ctx.fail(fmt::format("input has shape {}; expected at least {} dimensions {}", show(shape), rank, form));
  }
}

void require_positive(const Ctx& ctx, int64_t value, const char* what) {
  if (value <= 0) ctx.fail(fmt::format("{} must be a positive integer, got {}", what, value));
}

// --- Sliding windows (conv, pooling) ------------------------------------------------

struct Window {
  int64_t kernel, stride, dilation, pad_begin, pad_end;
  bool ceil_mode;
};

void check_window(const Ctx& ctx, const Window& w) {
  require_positive(ctx, w.kernel, "kernel");
  require_positive(ctx, w.stride, "stride");
  require_positive(ctx, w.dilation, "dilation");
  if (w.pad_begin < 0 || w.pad_end < 0) {
    ctx.fail(fmt::format("pad must be non-negative, got {} and {}", w.pad_begin, w.pad_end));
  }
}

// floor((in + pads - dilation*(kernel-1) - 1) / stride) + 1; with ceil_mode the
// division rounds up, but (as in PyTorch and ONNX) a last window that would start in
// the end padding is dropped.
int64_t window_output(const Ctx& ctx, int64_t in, const Window& w) {
  check_window(ctx, w);
  int64_t extent = w.dilation * (w.kernel - 1) + 1;
  int64_t span = in + w.pad_begin + w.pad_end - extent;
  if (span < 0) {
    ctx.fail(fmt::format("kernel extent {} is larger than the padded input {}", extent, in + w.pad_begin + w.pad_end));
  }
  int64_t out = (w.ceil_mode ? (span + w.stride - 1) / w.stride : span / w.stride) + 1;
  if (w.ceil_mode && (out - 1) * w.stride >= in + w.pad_begin) --out;
  return out;
}

// Spatial output of conv/pool: [N, C, H, W] -> {P, Q}; a 3-D [N, C, L] input is a
// 1-D window over L (the height attributes must leave the unit height alone).
Shape spatial_output(const Ctx& ctx, const Shape& in, const Attrs& a, bool ceil_mode) {
  if (in.size() != 3 && in.size() != 4) {
    ctx.fail(fmt::format("input has shape {}; expected [N, C, H, W] (or [N, C, L])", show(in)));
  }
  bool one_d = in.size() == 3;
  int64_t height = one_d ? 1 : in[2];
  int64_t width = in.back();
  int64_t p = window_output(ctx, height, {a.kernel[0], a.stride[0], a.dilation[0], a.pads[0], a.pads[2], ceil_mode});
  int64_t q = window_output(ctx, width, {a.kernel[1], a.stride[1], a.dilation[1], a.pads[1], a.pads[3], ceil_mode});
  if (one_d) {
    if (p != 1) ctx.fail("a 3-D [N, C, L] input needs kernel, stride and pad height 1, 1, 0");
    return {q};
  }
  return {p, q};
}

std::vector<Shape> conv_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  require_positive(ctx, a.out_channels, "out_channels");
  require_positive(ctx, a.groups, "groups");
  Shape spatial = spatial_output(ctx, in, a, false);
  int64_t channels = in[1];
  if (channels % a.groups != 0 || a.out_channels % a.groups != 0) {
    ctx.fail(fmt::format("groups {} must divide the input channels {} and out_channels {}", a.groups, channels,
                         a.out_channels));
  }
  Shape out{in[0], a.out_channels};
  out.insert(out.end(), spatial.begin(), spatial.end());
  return {out};
}

std::vector<Shape> pool_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  Shape spatial = spatial_output(ctx, in, a, a.ceil_mode);
  Shape out{in[0], in[1]};
  out.insert(out.end(), spatial.begin(), spatial.end());
  return {out};
}

std::vector<Shape> global_pool_shape(const Ctx& ctx, const Shape& in) {
  require_rank_at_least(ctx, in, 3, "[N, C, spatial...]");
  Shape out(in.size(), 1);
  out[0] = in[0];
  out[1] = in[1];
  return {out};
}

// --- Matrix products ---------------------------------------------------------------

std::vector<Shape> linear_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  require_rank_at_least(ctx, in, 1, "[..., features]");
  require_positive(ctx, a.out_features, "out_features");
  Shape out = in;
  out.back() = a.out_features;
  return {out};
}

// NumPy broadcasting of two shapes aligned at the right.
Shape broadcast(const Ctx& ctx, const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) {
      ctx.fail(
          fmt::format("shapes {} and {} do not broadcast (dimension {} from the right: "
                      "{} vs {})",
                      show(a), show(b), i, da, db));
    }
    out[out.size() - 1 - i] = std::max(da, db);
  }
  return out;
}

// A[..., M, K] x B[..., K, N] -> [..., M, N]; a 1-D A is [1, K] and a 1-D B is [K, 1],
// and the added unit dimension is dropped from the result (NumPy matmul).
std::vector<Shape> matmul_shape(const Ctx& ctx, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty()) ctx.fail("matmul operands must have at least one dimension");
  int64_t k_a = a.back();
  int64_t k_b = b.size() >= 2 ? b[b.size() - 2] : b[0];
  if (k_a != k_b) {
    ctx.fail(fmt::format("inner dimensions differ: A is {} (K = {}), B is {} (K = {})", show(a), k_a, show(b), k_b));
  }
  Shape batch_a(a.begin(), a.end() - std::min<size_t>(a.size(), 2));
  Shape batch_b(b.begin(), b.end() - std::min<size_t>(b.size(), 2));
  Shape out = broadcast(ctx, batch_a, batch_b);
  if (a.size() >= 2) out.push_back(a[a.size() - 2]);
  if (b.size() >= 2) out.push_back(b.back());
  return {out};
}

std::vector<Shape> recurrent_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  if (in.size() != 3) {
    ctx.fail(fmt::format("input has shape {}; expected [seq, batch, features]", show(in)));
  }
  require_positive(ctx, a.hidden, "hidden");
  if (a.directions != 1 && a.directions != 2) {
    ctx.fail(fmt::format("directions must be 1 or 2, got {}", a.directions));
  }
  return {{in[0], in[1], a.directions * a.hidden}};
}

// --- Element-wise, norms --------------------------------------------------------------

std::vector<Shape> broadcast_all(const Ctx& ctx, const std::vector<Shape>& inputs) {
  Shape out = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) out = broadcast(ctx, out, inputs[i]);
  return {out};
}

std::vector<Shape> reduce_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  std::vector<bool> reduced(in.size(), a.dims.empty());
  for (int64_t axis : a.dims) reduced[resolve_axis(ctx, axis, in.size())] = true;
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!reduced[i])
      out.push_back(in[i]);
    else if (a.keepdims)
      out.push_back(1);
  }
  return {out};
}

std::vector<Shape> batchnorm_shape(const Ctx& ctx, const Shape& in) {
  require_rank_at_least(ctx, in, 2, "[N, C, ...]");
  return {in};
}

std::vector<Shape> same_shape_with_axis(const Ctx& ctx, const Shape& in, const Attrs& a) {
  require_rank_at_least(ctx, in, 1, "");
  resolve_axis(ctx, a.axis, in.size());
  return {in};
}

// --- Data movement -------------------------------------------------------------------

std::vector<Shape> concat_shape(const Ctx& ctx, const std::vector<Shape>& inputs, const Attrs& a) {
  const Shape& first = inputs[0];
  int64_t axis = resolve_axis(ctx, a.axis, first.size());
  Shape out = first;
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Shape& s = inputs[i];
    bool same_rank = s.size() == first.size();
    for (size_t d = 0; same_rank && d < s.size(); ++d) {
      if (static_cast<int64_t>(d) != axis && s[d] != first[d]) same_rank = false;
    }
    if (!same_rank) {
      ctx.fail(
          fmt::format("input {} has shape {}, input 0 has {}; they must agree except on "
                      "axis {}",
                      i, show(s), show(first), axis));
    }
    out[axis] += s[axis];
  }
  return {out};
}

std::vector<Shape> split_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  int64_t axis = resolve_axis(ctx, a.axis, in.size());
  std::vector<int64_t> sizes = a.dims;
  if (sizes.empty()) {
    if (in[axis] % 2 != 0) {
      ctx.fail(fmt::format("dimension {} has odd size {}; give the split sizes in dims", axis, in[axis]));
    }
    sizes = {in[axis] / 2, in[axis] / 2};
  }
  int64_t sum = 0;
  for (int64_t size : sizes) {
    require_positive(ctx, size, "each split size");
    sum += size;
  }
  if (sum != in[axis]) {
    ctx.fail(fmt::format("split sizes [{}] add up to {}, but dimension {} has size {}", fmt::join(sizes, ", "), sum,
                         axis, in[axis]));
  }
  std::vector<Shape> outs;
  for (int64_t size : sizes) {
    outs.push_back(in);
    outs.back()[axis] = size;
  }
  return outs;
}

// Target dims: 0 copies the input dimension at the same index, one -1 is inferred.
std::vector<Shape> reshape_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  if (a.dims.empty()) ctx.fail("dims: expected the target shape");
  Shape out = a.dims;
  int infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0) {
      if (i >= in.size())
        ctx.fail(
            fmt::format("dims[{}] = 0 copies a dimension the input {} "
                        "does not have",
                        i, show(in)));
      out[i] = in[i];
    } else if (out[i] == -1) {
      if (infer_at >= 0) ctx.fail("dims: at most one entry may be -1");
      infer_at = static_cast<int>(i);
    } else if (out[i] < 0) {
      ctx.fail(fmt::format("dims[{}] = {}: expected a positive size, 0 or -1", i, out[i]));
    }
  }
  int64_t total = num_elements(in);
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (static_cast<int>(i) != infer_at) known *= out[i];
  }
  if (infer_at >= 0 && total % known == 0) out[infer_at] = total / known;
  if (num_elements(out) != total || (infer_at >= 0 && total % known != 0)) {
    ctx.fail(fmt::format("cannot reshape {} ({} elements) to [{}]", show(in), total, fmt::join(a.dims, ", ")));
  }
  return {out};
}

std::vector<Shape> flatten_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  size_t axis = static_cast<size_t>(resolve_axis(ctx, a.axis, in.size(), true));
  return {{product(in, 0, axis), product(in, axis, in.size())}};
}

std::vector<Shape> transpose_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  std::vector<int64_t> perm = a.dims;
  if (perm.empty()) {  // ONNX default: reverse the dimensions
    perm.resize(in.size());
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(in.size());
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity) {
    ctx.fail(
        fmt::format("dims [{}] is not a permutation of the {} input dimensions", fmt::join(perm, ", "), in.size()));
  }
  Shape out;
  for (int64_t d : perm) out.push_back(in[d]);
  return {out};
}

// dims = [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}] (ONNX order).
std::vector<Shape> pad_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  if (a.dims.size() != 2 * in.size()) {
    ctx.fail(
        fmt::format("dims has {} entries; expected {} (all begins, then all ends, for the "
                    "{}-dimensional input)",
                    a.dims.size(), 2 * in.size(), in.size()));
  }
  Shape out = in;
  for (size_t i = 0; i < in.size(); ++i) {
    out[i] += a.dims[i] + a.dims[i + in.size()];
    if (out[i] <= 0) ctx.fail(fmt::format("padding leaves dimension {} with size {}", i, out[i]));
  }
  return {out};
}

std::vector<Shape> explicit_shape(const Ctx& ctx, const Attrs& a) {
  if (a.dims.empty()) ctx.fail("dims: expected the output shape");
  for (int64_t d : a.dims) require_positive(ctx, d, "each entry of dims");
  return {a.dims};
}

std::vector<Shape> upsample_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  if (in.size() != 3 && in.size() != 4) {
    ctx.fail(fmt::format("input has shape {}; expected [N, C, H, W] (or [N, C, L])", show(in)));
  }
  require_positive(ctx, a.stride[0], "scale (stride) height");
  require_positive(ctx, a.stride[1], "scale (stride) width");
  Shape out = in;
  if (in.size() == 4) out[2] *= a.stride[0];
  out.back() *= a.stride[1];
  return {out};
}

std::vector<Shape> embedding_shape(const Ctx& ctx, const Shape& in, const Attrs& a) {
  require_positive(ctx, a.vocab, "vocab");
  require_positive(ctx, a.embed_dim, "embed_dim");
  Shape out = in;
  out.push_back(a.embed_dim);
  return {out};
}

std::vector<Shape> data_move_shape(const Ctx& ctx, const std::vector<Shape>& inputs, const Attrs& a) {
  const std::string& type = ctx.type;
  const Shape& in = inputs[0];
  if (type == "concat") return concat_shape(ctx, inputs, a);
  if (type == "split") return split_shape(ctx, in, a);
  if (type == "reshape") return reshape_shape(ctx, in, a);
  if (type == "flatten") return flatten_shape(ctx, in, a);
  if (type == "transpose") return transpose_shape(ctx, in, a);
  if (type == "pad") return pad_shape(ctx, in, a);
  if (type == "upsample") return upsample_shape(ctx, in, a);
  if (type == "identity") return {in};
  return explicit_shape(ctx, a);  // slice, gather, expand
}

std::vector<Shape> eltwise_shape(const Ctx& ctx, const std::vector<Shape>& inputs, const Attrs& a) {
  if (detail::is_reduction(ctx.type)) return reduce_shape(ctx, inputs[0], a);
  return broadcast_all(ctx, inputs);
}

std::vector<Shape> dispatch(const Ctx& ctx, OpClass op_class, const std::vector<Shape>& inputs, const Attrs& a) {
  const Shape& in = inputs[0];
  switch (op_class) {
    case OpClass::kConv: return conv_shape(ctx, in, a);
    case OpClass::kMatmul: return ctx.type == "linear" ? linear_shape(ctx, in, a) : matmul_shape(ctx, in, inputs[1]);
    case OpClass::kRecurrent: return recurrent_shape(ctx, in, a);
    case OpClass::kPool: return ctx.type.starts_with("global_") ? global_pool_shape(ctx, in) : pool_shape(ctx, in, a);
    case OpClass::kEltwise: return eltwise_shape(ctx, inputs, a);
    case OpClass::kNorm: return ctx.type == "batchnorm" ? batchnorm_shape(ctx, in) : same_shape_with_axis(ctx, in, a);
    case OpClass::kSoftmax: return same_shape_with_axis(ctx, in, a);
    case OpClass::kDataMove: return data_move_shape(ctx, inputs, a);
    case OpClass::kEmbedding: return embedding_shape(ctx, in, a);
  }
  ctx.fail("unhandled op class");
}

void check_input_count(const Ctx& ctx, const detail::OpInfo& info, size_t count) {
  int n = static_cast<int>(count);
  bool too_few = n < info.min_inputs;
  bool too_many = info.max_inputs != detail::kAnyNumber && n > info.max_inputs;
  if (!too_few && !too_many) return;
  std::string expected = info.max_inputs == detail::kAnyNumber ? fmt::format("at least {}", info.min_inputs)
                         : info.min_inputs == info.max_inputs
                             ? fmt::format("{}", info.min_inputs)
                             : fmt::format("{} to {}", info.min_inputs, info.max_inputs);
  ctx.fail(fmt::format("has {} inputs; expected {}", n, expected));
}

// Element count with overflow detection; fails above kMaxElements.
void check_size(const Ctx& ctx, const Shape& shape, const char* what) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d <= 0) ctx.fail(fmt::format("{} shape {} has a non-positive dimension", what, show(shape)));
    if (__builtin_mul_overflow(count, d, &count) || count > kMaxElements) {
      ctx.fail(fmt::format("{} shape {} is too large", what, show(shape)));
    }
  }
}

}  // namespace

std::vector<Shape> infer_output_shapes(const std::string& file, const std::string& op_name, const std::string& type,
                                       const std::vector<Shape>& input_shapes, Attrs& attrs) {
  Ctx ctx{file, op_name, type};
  const detail::OpInfo* info = detail::find_op(type);
  if (info == nullptr) {
    ctx.fail(fmt::format("unknown op '{}'; expected one of: {}", type, detail::known_op_list()));
  }
  check_input_count(ctx, *info, input_shapes.size());
  for (const Shape& in : input_shapes) check_size(ctx, in, "input");
  std::vector<Shape> outputs = dispatch(ctx, info->op_class, input_shapes, attrs);
  for (const Shape& out : outputs) check_size(ctx, out, "output");
  return outputs;
}

int64_t default_params(const std::string& type, const std::vector<Shape>& input_shapes, const Attrs& attrs) {
  if (input_shapes.empty() || input_shapes[0].empty()) return 0;
  const Shape& in = input_shapes[0];
  const int64_t bias = attrs.bias ? 1 : 0;
  // Saturating (common/checked.h): NetworkBuilder refuses an op whose count saturates.
  if (type == "conv" && in.size() >= 2 && attrs.groups > 0) {
    return add_sat(mul_sat(attrs.out_channels, in[1] / attrs.groups, attrs.kernel[0], attrs.kernel[1]),
                   bias * attrs.out_channels);
  }
  if (type == "linear") return add_sat(mul_sat(in.back(), attrs.out_features), bias * attrs.out_features);
  if ((type == "lstm" || type == "gru") && in.size() == 3) {
    // PyTorch: W_ih [G*H, I], W_hh [G*H, H], and two biases b_ih, b_hh [G*H].
    int64_t gates = type == "lstm" ? 4 : 3;
    int64_t h = attrs.hidden;
    return mul_sat(attrs.directions, add_sat(mul_sat(gates, h, add_sat(in[2], h)), mul_sat(bias * 2, gates, h)));
  }
  if (type == "batchnorm" && in.size() >= 2) return mul_sat(2, in[1]);
  if (type == "layernorm") {
    int64_t rank = static_cast<int64_t>(in.size());
    int64_t axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
    if (axis < 0 || axis >= rank) return 0;
    return mul_sat(2, product(in, static_cast<size_t>(axis), in.size()));
  }
  if (type == "embedding") return mul_sat(attrs.vocab, attrs.embed_dim);
  return 0;
}

// ---------------------------------------------------------------------------------
// Rebatching
// ---------------------------------------------------------------------------------
namespace {

bool has_explicit_shape(const std::string& type) {
  return type == "reshape" || type == "slice" || type == "gather" || type == "expand";
}

// Rescales a literal batch in an op's target shape. Rule 1 (reshape, slice, gather,
// expand): a leading entry equal to the old batch is the batch, so it becomes the new
// batch. Rule 2 (reshape only): a target that folds the batch into its leading entry
// (e.g. [batch*seq, hidden] written as [128, 768] at batch 1) is scaled when the
// element count says so. Targets using 0 or -1 for the batch need neither rule.
void rescale_target(Attrs& attrs, const std::string& type, const Shape& new_input, int64_t old_batch,
                    int64_t new_batch) {
  detail::rescale_batch_target(attrs.dims, type, new_input, old_batch, new_batch);
}

}  // namespace

void detail::rescale_batch_target(std::vector<int64_t>& dims, const std::string& type, const Shape& new_input,
                                  int64_t old_batch, int64_t new_batch) {
  if (!has_explicit_shape(type) || dims.empty()) return;
  int64_t& lead = dims[0];
  if (lead == old_batch) {
    lead = new_batch;
    return;
  }
  bool has_wildcard = std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d <= 0; });
  if (type != "reshape" || has_wildcard) return;
  int64_t target = num_elements(dims);
  int64_t actual = num_elements(new_input);
  if (target != actual && (lead * new_batch) % old_batch == 0 &&
      target / lead * (lead * new_batch / old_batch) == actual) {
    lead = lead * new_batch / old_batch;
  }
}

Network with_batch(const Network& net, int64_t batch, const std::string& file) {
  if (batch <= 0) {
    throw InputError(file, "batch", fmt::format("expected a positive integer, got {}", batch));
  }
  Network out = net;
  if (out.inputs.empty()) return out;
  int64_t old_batch = out.tensors[out.inputs[0]].shape.at(0);
  for (int id : out.inputs) out.tensors[id].shape.at(0) = batch;
  for (Op& op : out.ops) {
    std::vector<Shape> in_shapes;
    for (int id : op.inputs) in_shapes.push_back(out.tensors[id].shape);
    rescale_target(op.attrs, op.type, in_shapes.empty() ? Shape{} : in_shapes[0], old_batch, batch);
    std::vector<Shape> shapes = infer_output_shapes(file, op.name, op.type, in_shapes, op.attrs);
    for (size_t i = 0; i < shapes.size() && i < op.outputs.size(); ++i) {
      out.tensors[op.outputs[i]].shape = shapes[i];
    }
  }
  return out;
}

}  // namespace acceldse::workload
