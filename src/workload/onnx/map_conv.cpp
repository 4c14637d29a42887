// ONNX operators -> IR ops: convolutions (plain and transposed), normalisations over
// windows, cumulative sums and pooling.
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

// --- convolution and pooling ----------------------------------------------------------------

// Kernel, strides, dilations and pads of a 1-D or 2-D window as the IR's 2-D attributes
// (a 1-D window is a 2-D one of height 1), with auto_pad resolved to explicit pads.
Importer::Window Importer::window_attrs(const Node& n, const Shape& x, const std::vector<int64_t>& kernel) {
  if (x.size() != 3 && x.size() != 4) {
    throw FoldError(
        fmt::format("input has shape {}; only 1-D and 2-D windows ([N, C, L] or "
                    "[N, C, H, W]) are supported",
                    shape_to_string(x)));
  }
  size_t k = x.size() - 2;
  auto list = [&](const char* name, int64_t def, size_t len) {
    std::vector<int64_t> v = attr_ints(*n.p, name);
    if (v.empty()) v.assign(len, def);
    if (v.size() != len) throw FoldError(fmt::format("{} must have {} entries", name, len));
    return v;
  };
  if (kernel.size() != k) throw FoldError(fmt::format("kernel must have {} dimensions", k));
  std::vector<int64_t> strides = list("strides", 1, k), dilations = list("dilations", 1, k),
                       pads = list("pads", 0, 2 * k);
  for (size_t i = 0; i < k; ++i) {
    bounded(kernel[i], 1, "a kernel size");
    bounded(strides[i], 1, "a stride");
    bounded(dilations[i], 1, "a dilation");
  }
  for (int64_t p : pads) bounded(p, 0, "a pad");
  std::string auto_pad = attr_string(*n.p, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") pads.assign(2 * k, 0);
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < k; ++i) {
      int64_t in = x[2 + i], s = strides[i];
      int64_t out = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + (kernel[i] - 1) * dilations[i] + 1 - in);
      int64_t small = total / 2, big = total - small;  // SAME_UPPER puts the extra at the end
      pads[i] = auto_pad == "SAME_UPPER" ? small : big;
      pads[i + k] = auto_pad == "SAME_UPPER" ? big : small;
    }
  } else if (auto_pad != "NOTSET" && auto_pad != "VALID" && !auto_pad.empty()) {
    throw FoldError("unknown auto_pad '" + auto_pad + "'");
  }
  Window w;
  size_t off = 2 - k;  // 1-D: the height entries keep their defaults
  for (size_t i = 0; i < k; ++i) {
    w.kernel[off + i] = kernel[i];
    w.stride[off + i] = strides[i];
    w.dilation[off + i] = dilations[i];
    w.pads[off + i] = pads[i];
    w.pads[2 + off + i] = pads[k + i];
  }
  return w;
}

void Importer::map_conv(const Node& n) {
  std::string x = act(n.in(0));
  Shape xs = shape_of(n.in(0));
  const ConstTensor& w = const_in(n, 1, "weight");
  if (w.shape.size() != xs.size() || w.shape.size() < 3) {
    throw FoldError(fmt::format("weight {} does not match input {}", shape_to_string(w.shape), shape_to_string(xs)));
  }
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  Window win = window_attrs(n, xs, kernel);
  Attrs a;
  a.out_channels = w.shape[0];
  a.groups = bounded(attr_int(*n.p, "group", 1), 1, "group");
  int64_t in_channels = 0;
  if (__builtin_mul_overflow(w.shape[1], a.groups, &in_channels) || in_channels != xs[1]) {
    throw FoldError(fmt::format("weight {} with group {} does not fit {} input channels", shape_to_string(w.shape),
                                a.groups, xs[1]));
  }
  a.kernel = win.kernel;
  a.stride = win.stride;
  a.dilation = win.dilation;
  a.pads = win.pads;
  a.bias = !n.in(2).empty();
  emit_main(n, "conv", {x}, a, params_of(n, {1, 2}));
}

// --- transposed convolution, instance/group norm, cumulative sum, einsum -------------------------

// Pads or slices x to `target` (same rank), writing tensor `out`: the data move that gives a
// lowered op the shape the ONNX node has.
std::string Importer::resize_to(const Node& n, const std::string& x, const Shape& target, const std::string& out) {
  Shape xs = b_.tensor(x).shape;
  std::string cur = x;
  bool grows = false, shrinks = false;
  for (size_t i = 0; i < xs.size(); ++i) {
    grows |= target[i] > xs[i];
    shrinks |= target[i] < xs[i];
  }
  if (grows) {
    Attrs p;
    p.dims.assign(2 * xs.size(), 0);
    for (size_t i = 0; i < xs.size(); ++i) p.dims[xs.size() + i] = std::max<int64_t>(0, target[i] - xs[i]);
    cur = shrinks ? emit_aux(n, "pad", "pad", {cur}, p) : emit(fresh(n.name + "/pad"), "pad", {cur}, p, {out});
  }
  if (shrinks) {
    Attrs sl;
    sl.dims = target;
    cur = emit(fresh(n.name + "/crop"), "slice", {cur}, sl, {out});
  }
  if (!grows && !shrinks) {
    cur = emit(fresh(n.name + "/shape"), "identity", {cur}, {}, {out});
  }
  return cur;
}

// ConvTranspose scatters every input pixel through the kernel: N * Cin * H * W * (Cout/g) *
// kh * kw MACs, the same as a stride-1 convolution with that kernel over the input. It is
// lowered to that convolution (size-preserving padding, the node's dilation and groups)
// followed by a pad/crop to the ONNX output size; the overlap-add of neighbouring
// outputs (one add per MAC result beyond the first) is not modelled.
void Importer::map_conv_transpose(const Node& n) {
  std::string x = act(n.in(0));
  Shape xs = shape_of(n.in(0));
  const ConstTensor& w = const_in(n, 1, "weight");
  if (xs.size() != 4 || w.shape.size() != 4) {
    throw FoldError(fmt::format("ConvTranspose is supported in 2-D (input [N, C, H, W]); input {} weight {}",
                                shape_to_string(xs), shape_to_string(w.shape)));
  }
  int64_t groups = bounded(attr_int(*n.p, "group", 1), 1, "group");
  if (w.shape[0] != xs[1]) {
    throw FoldError(
        fmt::format("weight {} does not fit {} input channels (ConvTranspose weights are "
                    "[Cin, Cout/group, kh, kw])",
                    shape_to_string(w.shape), xs[1]));
  }
  auto list = [&](const char* name, int64_t fallback, size_t count) {
    std::vector<int64_t> v = attr_ints(*n.p, name);
    if (v.empty()) v.assign(count, fallback);
    if (v.size() != count) throw FoldError(fmt::format("{} must have {} values", name, count));
    return v;
  };
  std::vector<int64_t> strides = list("strides", 1, 2), dil = list("dilations", 1, 2), pads = list("pads", 0, 4),
                       extra = list("output_padding", 0, 2);
  std::vector<int64_t> out_shape = attr_ints(*n.p, "output_shape");
  std::string auto_pad = attr_string(*n.p, "auto_pad", "NOTSET");
  Shape target{xs[0], w.shape[1] * groups, 0, 0};
  Attrs a;
  a.out_channels = target[1];
  a.groups = groups;
  a.bias = !n.in(2).empty();
  for (size_t i = 0; i < 2; ++i) {
    int64_t k = bounded(w.shape[2 + i], 1, "a kernel size"), s = bounded(strides[i], 1, "a stride");
    int64_t d = bounded(dil[i], 1, "a dilation"), span = (k - 1) * d + 1;
    int64_t full = s * (xs[2 + i] - 1) + extra[i] + span;
    if (!out_shape.empty())
      target[2 + i] = out_shape[out_shape.size() - 2 + i];
    else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER")
      target[2 + i] = xs[2 + i] * s;
    else if (auto_pad == "VALID")
      target[2 + i] = full;
    else
      target[2 + i] = full - pads[i] - pads[2 + i];
    if (target[2 + i] <= 0) throw FoldError("ConvTranspose output size is not positive");
    a.kernel[i] = k;
    a.dilation[i] = d;
    a.pads[i] = (span - 1) / 2;  // keep H x W: the MACs of the scatter
    a.pads[2 + i] = span - 1 - a.pads[i];
  }
  std::string conv = emit(n.name, "conv", {x}, a, {fresh(n.name + "/scatter")}, params_of(n, {1, 2}));
  resize_to(n, conv, target, n.out(0));
}

// InstanceNormalization normalises every (sample, channel) over its spatial positions;
// GroupNormalization every (sample, group). Both cost what a layernorm over the trailing
// axes costs; their parameters are the scale and bias given.
// PyTorch exports GroupNorm (before opset 18) as reshape -> InstanceNormalization with a
// scale of ones and a bias of zeros -> reshape -> Mul/Add with the trained affine: those
// ones and zeros are not trained values, so they are not counted.
void Importer::map_instance_norm(const Node& n) {
  Shape xs = shape_of(n.in(0));
  if (xs.size() < 3) throw FoldError(fmt::format("expected an input [N, C, ...], got {}", shape_to_string(xs)));
  Attrs a;
  a.axis = 2;
  auto all_equal = [&](int k, double value) {
    if (!is_const(n.in(k))) return false;
    const ConstTensor& t = consts_.at(n.in(k));
    if (!t.known) return false;
    for (int64_t i = 0; i < t.size(); ++i) {
      if (t.as_double(i) != value) return false;
    }
    return true;
  };
  bool identity_affine = n.type() == "InstanceNormalization" && all_equal(1, 1.0) && all_equal(2, 0.0);
  emit_main(n, "layernorm", {act(n.in(0))}, a, identity_affine ? 0 : params_of(n, {1, 2}));
}

// One add per element along the axis.
void Importer::map_cumsum(const Node& n) { emit_main(n, "add", {act(n.in(0))}, {}); }

void Importer::map_pool(const Node& n) {
  Shape xs = shape_of(n.in(0));
  Window win = window_attrs(n, xs, attr_ints(*n.p, "kernel_shape"));
  Attrs a;
  a.kernel = win.kernel;
  a.stride = win.stride;
  a.dilation = win.dilation;
  a.pads = win.pads;
  a.ceil_mode = attr_int(*n.p, "ceil_mode", 0) != 0;
  emit_main(n, n.type() == "MaxPool" ? "maxpool" : "avgpool", {act(n.in(0))}, a);
}

void Importer::map_global_pool(const Node& n) {
  emit_main(n, n.type() == "GlobalMaxPool" ? "global_maxpool" : "global_avgpool", {act(n.in(0))}, {});
}

}  // namespace acceldse::workload::onnx_detail
