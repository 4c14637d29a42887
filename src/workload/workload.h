#pragma once
// Workload IR: a network is a list of operations in topological order, connected by
// tensors with static shapes. Weights are not tensors: an operation owns its parameters
// (counted in `params`). Everything here is hardware-independent.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace acceldse::workload {

using Shape = std::vector<int64_t>;

int64_t num_elements(const Shape& shape);
std::string shape_to_string(const Shape& shape);  // "1x3x224x224"

// What kind of hardware work an operation is; the cost model dispatches on this.
enum class OpClass {
  kConv,       // conv: lowered to GEMM on the tensor unit
  kMatmul,     // linear (activation x weight) and matmul (activation x activation)
  kRecurrent,  // lstm / gru: GEMMs per time step plus element-wise gate work
  kPool,       // max/avg pooling windows on the vector unit
  kEltwise,    // unary/binary element-wise ops on the vector unit
  kNorm,       // batchnorm / layernorm
  kSoftmax,
  kDataMove,   // concat, split, reshape, flatten, transpose, pad: no arithmetic
  kEmbedding,  // table gather
};

// Every operation type the IR knows, by its name in YAML and in reports.
// Returns nullopt for an unknown name.
std::optional<OpClass> op_class_of(const std::string& type);
const std::vector<std::string>& known_op_types();

// Attributes; each op type reads only the fields it uses (see op_type_attributes()).
struct Attrs {
  // conv / pooling
  int64_t out_channels = 0;
  std::array<int64_t, 2> kernel{1, 1};      // height, width
  std::array<int64_t, 2> stride{1, 1};      // height, width
  std::array<int64_t, 2> dilation{1, 1};    // height, width
  std::array<int64_t, 4> pads{0, 0, 0, 0};  // top, left, bottom, right
  int64_t groups = 1;
  bool bias = false;
  bool ceil_mode = false;  // pooling output size rounding
  bool keepdims = true;    // reduce_* ops
  // linear: y[..., out_features] = x[..., in] * W[in, out_features] (+ b)
  int64_t out_features = 0;
  // concat / split / softmax / flatten / layernorm / gather axis
  int64_t axis = 0;
  // reshape target (0 = copy, -1 = infer); explicit output shape of slice, gather,
  // expand; transpose permutation; split sizes; pad amounts (ONNX order: all begins
  // then all ends); reduce_* axes (empty = all)
  std::vector<int64_t> dims;
  // upsample: integer scale factors (height, width) use `stride`
  // embedding
  int64_t vocab = 0;
  int64_t embed_dim = 0;
  // lstm / gru: input [seq, batch, input] -> output [seq, batch, directions*hidden]
  int64_t hidden = 0;
  int64_t directions = 1;

  bool operator==(const Attrs&) const = default;
};

// YAML attribute keys an op type accepts besides name, op, in, out and params (e.g.
// conv: out_channels, kernel, stride, pad, dilation, groups, bias); empty for an
// unknown type.
const std::vector<std::string>& op_type_attributes(const std::string& type);
// Attrs holding an op type's defaults: axis -1 for softmax and layernorm, 1 for
// flatten, concat and split, 0 otherwise; everything else as in Attrs.
Attrs default_attrs(const std::string& type);

struct Tensor {
  std::string name;
  Shape shape;
  int producer = -1;           // index of the op that writes it; -1 for a network input
  std::vector<int> consumers;  // indices of ops that read it

  bool operator==(const Tensor&) const = default;
};

struct Op {
  std::string name;
  std::string type;  // e.g. "conv", "linear", "matmul", "relu", "add", "maxpool"
  OpClass op_class = OpClass::kEltwise;
  std::vector<int> inputs;   // tensor indices (activations only)
  std::vector<int> outputs;  // tensor indices
  Attrs attrs;
  int64_t params = 0;  // weights, biases and other trained values this op owns

  bool operator==(const Op&) const = default;
};

// One GEMM the op performs on the tensor unit: C[m,n] += A[m,k] * B[k,n], done
// `count` times on independent data (groups, heads, batch items, time steps).
// `b_is_weight`: B is a parameter (stationary across the m dimension and reusable).
// A convolution's GEMM reads its input through the im2col view: A's rows are output
// pixels (batch-major, raster order), each the window of taps it reads, so the windows
// of neighbouring pixels share input elements.
struct ConvWindow {
  int64_t out_h = 0, out_w = 0;  // 0: A is a plain matrix
  int64_t in_h = 0, in_w = 0;
  int64_t span_h = 1, span_w = 1;  // kernel extent with dilation
  int64_t stride_h = 1, stride_w = 1;
  int64_t kernel_h = 1, kernel_w = 1;  // taps
  bool operator==(const ConvWindow&) const = default;
};

struct Gemm {
  int64_t m = 0, k = 0, n = 0;
  int64_t count = 1;
  bool b_is_weight = true;
  bool sequential = false;  // instances depend on each other (recurrent time steps)
  ConvWindow window{};      // of a convolution's GEMM; empty otherwise

  bool operator==(const Gemm&) const = default;
};

// Input elements per im2col element that a block of `rows` consecutive rows of A reads
// (1 for a plain matrix): a block within an output row reads its windows' columns, a
// block of output rows the input rows they cover (the halo included), a block of
// images whole images. Padding is not fetched. At most 1. With `across_rows` false
// only taps of one kernel row share (each kernel row reads its own input rows).
double im2col_fetch_fraction(const ConvWindow& window, double rows, bool across_rows = true);

struct Network {
  std::string name;
  std::vector<Tensor> tensors;
  std::vector<Op> ops;       // topological order
  std::vector<int> inputs;   // tensor indices of network inputs
  std::vector<int> outputs;  // tensor indices of network outputs
  // Descriptive header of the YAML format (empty/false for other formats).
  std::string domain;
  std::string description;
  bool paper_suite = false;

  bool operator==(const Network&) const = default;

  const Tensor& input_of(const Op& op, size_t i = 0) const { return tensors[op.inputs.at(i)]; }
  const Tensor& output_of(const Op& op, size_t i = 0) const { return tensors[op.outputs.at(i)]; }
};

// --- Counts (64-bit) -------------------------------------------------------------
// Multiply-accumulates of convolutions, linear/matmul and recurrent GEMMs; 0 otherwise.
int64_t macs(const Network& net, const Op& op);
// Element operations on the vector unit (activations, pooling window ops, norms, ...).
int64_t vector_ops(const Network& net, const Op& op);
int64_t input_elements(const Network& net, const Op& op);
int64_t output_elements(const Network& net, const Op& op);
// Bytes read and written if each tensor moves once: inputs + weights + outputs.
int64_t bytes_moved(const Network& net, const Op& op, int activation_bytes, int weight_bytes);
// The tensor-unit work of conv / matmul / recurrent ops; empty for the others.
std::vector<Gemm> gemms(const Network& net, const Op& op);

struct Totals {
  int64_t macs = 0;
  int64_t params = 0;
  int64_t vector_ops = 0;
  int64_t ops = 0;
};
Totals totals(const Network& net);

// --- Building and shape inference ---------------------------------------------------
// Builds a network incrementally; each add_op infers its output shapes at once, so an
// error names the op. `file` is used in error messages.
class NetworkBuilder {
 public:
  NetworkBuilder(std::string name, std::string file);
  int add_input(const std::string& name, const Shape& shape);
  // Adds an op reading the named tensors; output tensors get the given names (or
  // "<op name>" / "<op name>:i" if empty). Returns the op index.
  int add_op(const std::string& name, const std::string& type, const std::vector<std::string>& inputs,
             const Attrs& attrs, const std::vector<std::string>& output_names = {},
             std::optional<int64_t> params_override = std::nullopt);
  bool has_tensor(const std::string& name) const;
  const Tensor& tensor(const std::string& name) const;
  // Marks outputs (tensors nobody consumes if none were given) and returns the network.
  Network finish(const std::vector<std::string>& outputs = {});

 private:
  Network net_;
  std::string file_;
  std::unordered_map<std::string, int> tensor_index_;  // tensor name -> index
  std::unordered_map<std::string, int> op_index_;      // op name -> index
  int find_tensor(const std::string& name) const;
};

// Output shapes of an op type given its input shapes; throws InputError naming `file`
// and the op on inconsistent shapes or attributes.
std::vector<Shape> infer_output_shapes(const std::string& file, const std::string& op_name, const std::string& type,
                                       const std::vector<Shape>& input_shapes, Attrs& attrs);
// Parameters an op type owns by default (weights + bias), from shapes and attributes.
int64_t default_params(const std::string& type, const std::vector<Shape>& input_shapes, const Attrs& attrs);

// Rebatches a network: every network input's leading dimension becomes `batch`, and
// shapes are re-inferred (reshape targets with a literal batch are scaled).
Network with_batch(const Network& net, int64_t batch, const std::string& file);

// --- Import / export -------------------------------------------------------------
enum class Format { kAuto, kYaml, kOnnx, kScaleSimCsv };
std::optional<Format> parse_format(const std::string& name);  // "yaml", "onnx", "csv"

struct LoadOptions {
  Format format = Format::kAuto;  // kAuto: by extension (.yaml/.yml, .onnx, .csv)
  std::optional<int64_t> batch;   // overrides the batch (leading) dimension
  // Overrides for network input shapes (ONNX symbolic dims): input name -> shape.
  // An empty name applies to the single input.
  std::vector<std::pair<std::string, Shape>> input_shapes;
  // LLM configurations (models/llm/NAME.yaml): tokens of the prompt (the prefill phase)
  // and tokens already in the KV cache at the decode step; see llm.h for the defaults.
  std::optional<int64_t> prompt_len;
  std::optional<int64_t> context_len;
};

// A built-in model name (see suite()) or a file path.
Network load_network(const std::string& name_or_path, const LoadOptions& options = {});
Network load_yaml(const std::string& path, const LoadOptions& options = {});
Network load_yaml_text(const std::string& text, const std::string& file_label, const LoadOptions& options = {});
Network load_onnx(const std::string& path, const LoadOptions& options = {});
Network load_scalesim_csv(const std::string& path, const LoadOptions& options = {});
std::string to_yaml(const Network& net);

// Writes `resized` -- the network load_onnx(original_path, options) gives, with other
// widths (as fit-model changes them: output channels, features, hidden and head sizes)
// -- as an ONNX model: the original file with every weight, bias and normalisation
// parameter whose shape changes resized and freshly initialised (weights
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) from a generator seeded by the tensor's name;
// biases 0; norm scales 1, shifts and running means 0, running variances 1), unchanged
// tensors kept bit for bit, the attributes and shape literals that spell a width (Conv
// group, LSTM/GRU hidden_size, Split sizes, Reshape/Expand targets, Slice bounds)
// rewritten and value_info updated. Opset, inputs, outputs and node order stay. The model
// is imported again before it is written and must give `resized` layer for layer:
// InputError, and no file, if a changed width hides in a value that cannot be rewritten
// (computed rather than stored, or shared with a node that keeps its width), or if
// `resized` does not come from the file.
void save_resized_onnx(const std::string& original_path, const Network& resized, const std::string& out_path,
                       const LoadOptions& options = {});

// --- Built-in suite (models/*.yaml) --------------------------------------------------
struct SuiteEntry {
  std::string name;
  std::string domain;  // vision, detection, language, speech
  std::string description;
  bool paper_suite = false;
};
std::vector<SuiteEntry> suite();               // every built-in model, sorted by name
std::vector<std::string> paper_suite_names();  // the eight of the paper suite
bool is_builtin(const std::string& name);
// An LLM configuration in models/llm, optionally with its phase: "llama_7b",
// "llama_7b:prefill", "llama_7b:decode" (see llm.h).
bool is_llm_name(const std::string& name);

}  // namespace acceldse::workload
