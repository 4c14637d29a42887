// Operand addressing (SCALE-Sim operand_matrix.py, generalised to padding, dilation,
// groups, batch and GEMM instances) and the lowering of ops to GEMM problems.
#include <algorithm>

#include "common/error.h"
#include "sim/internal.h"

namespace acceldse::sim {
namespace detail {

Operands::Operands(const GemmProblem& problem) : gemm_(problem.gemm), im2col_(problem.is_conv), g_(problem.conv) {
  b_distinct_ = problem.b_distinct > 0 ? problem.b_distinct : gemm_.count;
  if (im2col_) {
    cin_group_ = g_.in_channels / g_.groups;
    cout_group_ = g_.out_channels / g_.groups;
  }
}

std::vector<Operands::Segment> Operands::segments(int64_t j0, int64_t j1) const {
  // im2col column j = (kh * kernel_w + kw) * channels + c, channel fastest (SCALE-Sim).
  std::vector<Segment> segs;
  for (int64_t j = j0; j < j1;) {
    const int64_t window = j / cin_group_, c = j % cin_group_;
    const int64_t run = std::min(cin_group_ - c, j1 - j);
    segs.push_back({window / g_.kernel_w, window % g_.kernel_w, c, c + run});
    j += run;
  }
  return segs;
}

int64_t Operands::a_index(int64_t inst, int64_t i, int64_t j) const {
  if (!im2col_) return (inst * gemm_.m + i) * gemm_.k + j;
  int64_t found = -1;
  for_each_a_im2col(inst, i, i + 1, j, j + 1, [&](int64_t index) { found = index; });
  return found;
}

int64_t Operands::b_index(int64_t inst, int64_t k, int64_t n) const {
  // Filters are stored filter-major: filter n's K weights are contiguous.
  return (b_instance(inst) * gemm_.n + n) * gemm_.k + k;
}

int64_t Operands::c_index(int64_t inst, int64_t i, int64_t n) const {
  // Convolution outputs are NHWC with the groups side by side in the channels.
  if (im2col_) return i * g_.out_channels + inst * cout_group_ + n;
  return (inst * gemm_.m + i) * gemm_.n + n;
}

int64_t Operands::a_elements() const {
  if (im2col_) return g_.batch * g_.in_h * g_.in_w * g_.in_channels;
  return gemm_.count * gemm_.m * gemm_.k;
}

}  // namespace detail

namespace {

// The convolution's im2col geometry, or nothing when im2col is the identity (1x1,
// stride 1, no padding, one group): then A is the NHWC input itself, a plain matrix.
bool conv_geometry(const workload::Network& net, const workload::Op& op, ConvGeometry& g) {
  const workload::Shape& in = net.input_of(op).shape;
  const workload::Shape& out = net.output_of(op).shape;
  const workload::Attrs& a = op.attrs;
  const bool one_d = in.size() == 3;
  g.batch = in[0];
  g.in_channels = in[1];
  g.in_h = one_d ? 1 : in[2];
  g.in_w = in.back();
  g.out_channels = out[1];
  g.out_h = one_d ? 1 : out[2];
  g.out_w = out.back();
  g.groups = a.groups;
  g.kernel_h = a.kernel[0];
  g.kernel_w = a.kernel[1];
  g.stride_h = a.stride[0];
  g.stride_w = a.stride[1];
  g.dilation_h = a.dilation[0];
  g.dilation_w = a.dilation[1];
  g.pad_top = a.pads[0];
  g.pad_left = a.pads[1];
  const bool identity = g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 &&
                        g.pad_left == 0 && a.pads[2] == 0 && a.pads[3] == 0 && g.groups == 1;
  return !identity;
}

}  // namespace

std::vector<GemmProblem> gemm_problems(const workload::Network& net, const workload::Op& op) {
  std::vector<workload::Gemm> gemms = workload::gemms(net, op);
  std::vector<GemmProblem> problems;
  for (size_t i = 0; i < gemms.size(); ++i) {
    GemmProblem p;
    p.name = gemms.size() == 1 ? op.name : op.name + ".gemm" + std::to_string(i);
    p.gemm = gemms[i];
    if (op.op_class == workload::OpClass::kConv) {
      p.is_conv = conv_geometry(net, op, p.conv);
      const ConvGeometry& g = p.conv;
      const bool consistent = p.gemm.m == g.batch * g.out_h * g.out_w && p.gemm.count == g.groups &&
                              p.gemm.k == g.in_channels / g.groups * g.kernel_h * g.kernel_w &&
                              p.gemm.n == g.out_channels / g.groups;
      // Fall back to a plain matrix rather than mis-address a lowering we do not know.
      if (!consistent) p.is_conv = false;
    }
    // Recurrent time steps reuse the weights of their direction.
    if (gemms[i].sequential && op.op_class == workload::OpClass::kRecurrent) {
      p.b_distinct = std::max<int64_t>(1, op.attrs.directions);
    }
    problems.push_back(p);
  }
  return problems;
}

}  // namespace acceldse::sim
