#pragma once
// The ONNX importer's class, shared by the files of src/workload/onnx/ that implement
// it: import.cpp (setup, the node loop, the op table), inputs.cpp (graph inputs and
// their batch axes), tensors.cpp (constants, activations, emitting IR ops), fold.cpp
// (constant folding of shape arithmetic), map_*.cpp (ONNX operators -> IR ops).
// Not part of the workload interface.
#include <onnx/onnx_pb.h>

#include <array>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "workload/onnx/model.h"
#include "workload/onnx/proto.h"
#include "workload/onnx/tensor.h"
#include "workload/workload.h"

namespace acceldse::workload::onnx_detail {

// One ONNX node, with the unique name of the IR op that carries it.
struct Node {
  const onnx::NodeProto* p = nullptr;
  std::string name;  // unique op name
  int index = 0;

  const std::string& type() const { return p->op_type(); }
  int num_inputs() const { return p->input_size(); }
  std::string in(int k) const { return k < p->input_size() ? p->input(k) : std::string(); }
  std::string out(int k) const { return k < p->output_size() ? p->output(k) : std::string(); }
};

// What a node is called in error messages: "node NAME (OpType)".
std::string place(const Node& n);
bool is_default_domain(const std::string& domain);
// The first op type the IR knows. ONNX ops without an IR counterpart of their own
// (Where, Equal, Softplus, ...) fall back to an element-wise op of the same cost class;
// the ONNX node name stays on the op.
std::string ir_type(std::initializer_list<const char*> preferred);
// Tile's output shape, with overflow checks.
Shape tiled_shape(const Shape& in, const std::vector<int64_t>& reps);
// Attribute values used in arithmetic (kernels, strides, hidden sizes) are bounded so
// that no product of them can overflow.
int64_t bounded(int64_t v, int64_t lo, const char* what);
// 0, 1, ..., n - 1.
std::vector<int64_t> iota_axes(int64_t n);
// ONNX activation ops with one data input -> IR op type (map_elementwise.cpp).
const std::unordered_map<std::string, std::string>& unary_map();
// ONNX broadcasting ops with several data inputs -> IR op type (map_elementwise.cpp).
const std::unordered_map<std::string, std::string>& nary_map();

class Importer {
 public:
  Importer(const onnx::ModelProto& model, std::string file, const LoadOptions& options)
      : model_(model),
        g_(model.graph()),
        file_(std::move(file)),
        options_(options),
        b_(std::filesystem::path(file_).stem().string(), file_) {}

  // Fills `names` (if given) with what the ONNX names became.
  Network run(ImportNames* names = nullptr);

 private:
  using FoldFn = std::vector<ConstTensor> (Importer::*)(const Node&);
  using MapFn = void (Importer::*)(const Node&);
  static const std::unordered_map<std::string, FoldFn>& fold_table();
  static const std::unordered_map<std::string, MapFn>& map_table();

  // setup
  void read_opset();
  void load_initializers();
  void add_inputs();
  void name_nodes();
  void check_supported();
  void import_node(const Node& n);
  void note_unmodelled_outputs(const Node& n);
  Network finish();
  void record_names(ImportNames& names) const;

  // tensors
  // Written in the file (an initializer or a Constant node's output), not computed.
  bool is_literal(const std::string& name) const;
  bool is_const(const std::string& name) const { return !name.empty() && consts_.count(name) > 0; }
  const ConstTensor& const_in(const Node& n, int k, const char* what) const;
  std::vector<int64_t> const_ints(const Node& n, int k, const char* what) const;
  std::vector<double> const_floats(const Node& n, int k, const char* what) const;
  std::string act(const std::string& name) const;
  Shape shape_of(const std::string& name) const;
  bool used(const std::string& name) const { return !name.empty() && used_.count(name) > 0; }
  int64_t params_of(const Node& n, std::initializer_list<int> positions);
  std::string fresh(const std::string& base);
  std::string emit(const std::string& op_name, const std::string& type, const std::vector<std::string>& ins,
                   const Attrs& a, const std::vector<std::string>& outs, int64_t params = 0);
  std::string emit_main(const Node& n, const std::string& type, const std::vector<std::string>& ins, const Attrs& a,
                        int64_t params = 0);
  std::string emit_aux(const Node& n, const std::string& suffix, const std::string& type,
                       const std::vector<std::string>& ins, const Attrs& a, int64_t params = 0);
  std::string reshape_aux(const Node& n, const std::string& suffix, const std::string& x, std::vector<int64_t> dims);
  std::string transpose_aux(const Node& n, const std::string& suffix, const std::string& x, std::vector<int64_t> perm);
  std::vector<int64_t> axes_of(const Node& n, int input_k);

  // constant folding
  std::vector<ConstTensor> fold_constant(const Node& n);
  std::vector<ConstTensor> fold_identity(const Node& n);
  std::vector<ConstTensor> fold_cast(const Node& n);
  std::vector<ConstTensor> fold_shape(const Node& n);
  std::vector<ConstTensor> fold_size(const Node& n);
  std::vector<ConstTensor> fold_gather(const Node& n);
  std::vector<ConstTensor> fold_unsqueeze(const Node& n);
  std::vector<ConstTensor> fold_squeeze(const Node& n);
  std::vector<ConstTensor> fold_reshape(const Node& n);
  std::vector<ConstTensor> fold_flatten(const Node& n);
  std::vector<ConstTensor> fold_concat(const Node& n);
  std::vector<ConstTensor> fold_slice(const Node& n);
  std::vector<ConstTensor> fold_transpose(const Node& n);
  std::vector<ConstTensor> fold_expand(const Node& n);
  std::vector<ConstTensor> fold_tile(const Node& n);
  std::vector<ConstTensor> fold_constant_of_shape(const Node& n);
  std::vector<ConstTensor> fold_range(const Node& n);
  std::vector<ConstTensor> fold_binary(const Node& n);
  std::vector<ConstTensor> fold_unary(const Node& n);
  std::vector<ConstTensor> fold_where(const Node& n);
  std::vector<ConstTensor> fold_clip(const Node& n);
  std::vector<ConstTensor> fold_reduce(const Node& n);
  std::vector<ConstTensor> fold_split(const Node& n);
  std::vector<ConstTensor> fold_matmul(const Node& n);
  std::vector<const ConstTensor*> const_inputs(const Node& n) const;
  std::vector<int64_t> slice_args(const Node& n, int k, const char* attr, const char* what);
  std::vector<int64_t> split_sizes(const Node& n, int64_t dim);

  // mapping onto IR ops
  struct Window {
    std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, dilation{1, 1};
    std::array<int64_t, 4> pads{0, 0, 0, 0};
  };
  Window window_attrs(const Node& n, const Shape& x, const std::vector<int64_t>& kernel);
  void map_conv(const Node& n);
  void map_conv_transpose(const Node& n);
  void map_instance_norm(const Node& n);
  void map_cumsum(const Node& n);
  void map_einsum(const Node& n);
  std::string resize_to(const Node& n, const std::string& x, const Shape& target, const std::string& out);
  void map_gemm(const Node& n);
  void map_matmul(const Node& n);
  void map_const_left_product(const Node& n, const std::string& a_const, const std::string& b, bool b_transposed,
                              int64_t params);
  void map_nary(const Node& n);
  void map_unary(const Node& n);
  void map_clip(const Node& n);
  void map_prelu(const Node& n);
  void map_pool(const Node& n);
  void map_global_pool(const Node& n);
  void map_batchnorm(const Node& n);
  void map_layernorm(const Node& n);
  void map_softmax(const Node& n);
  void map_concat(const Node& n);
  void map_split(const Node& n);
  void map_reshape(const Node& n);
  void map_flatten(const Node& n);
  void map_transpose(const Node& n);
  void map_squeeze(const Node& n);
  void map_expand(const Node& n);
  void map_tile(const Node& n);
  void map_pad(const Node& n);
  void map_slice(const Node& n);
  void map_gather(const Node& n);
  void map_resize(const Node& n);
  void map_identity(const Node& n);
  void map_reduce(const Node& n);
  void map_argmax(const Node& n);
  void map_recurrent(const Node& n);
  void emit_recurrent_state(const Node& n, int out_k, const std::string& core, int64_t batch, int64_t dirs,
                            int64_t hidden, int64_t layout);

  const onnx::ModelProto& model_;
  const onnx::GraphProto& g_;
  std::string file_;
  LoadOptions options_;
  NetworkBuilder b_;
  int64_t opset_ = 13;
  std::vector<Node> nodes_;
  std::vector<bool> folds_;                              // node index -> folded
  std::unordered_map<std::string, ConstTensor> consts_;  // known-constant ONNX tensors
  // The batch the file declares, when --batch replaces it (literal reshape targets that
  // spell it are rescaled).
  std::optional<int64_t> declared_batch_;
  // With --batch: every tensor's shape when the file is imported at its own batch (empty
  // if that import fails), to find which entry of a literal reshape target holds the batch.
  std::unordered_map<std::string, Shape> reference_shapes_;

 public:
  void set_reference(const Network& at_declared_batch) {
    for (const Tensor& t : at_declared_batch.tensors) reference_shapes_[t.name] = t.shape;
  }

 private:
  std::unordered_map<std::string, std::string> alias_;        // elided op output -> IR tensor
  std::unordered_map<std::string, std::string> unmodelled_;   // ONNX output -> why it is absent
  std::unordered_map<std::string, int64_t> source_elements_;  // parameter tensor -> elements
  std::unordered_set<std::string> counted_;                   // parameters already owned by an op
  std::unordered_set<std::string> used_;                      // read by a node or a graph output
  std::unordered_set<std::string> taken_;                     // names aux ops must avoid
  std::unordered_set<std::string> graph_outputs_;
};

}  // namespace acceldse::workload::onnx_detail
