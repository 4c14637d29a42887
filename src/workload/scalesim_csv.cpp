// SCALE-Sim v2 topology CSV files (scalesim-project/scale-sim-v2), read unchanged.
//
// Both layouts have a header row, then one row per layer; rows end with a trailing
// comma (SCALE-Sim drops the last field of every row), and blank lines are skipped.
//
// Convolution layout: Layer name, IFMAP Height, IFMAP Width, Filter Height,
// Filter Width, Channels, Num Filter, Strides[, Stride width]. SCALE-Sim pads nothing
// and runs batch 1; every row is an independent layer (rows are not chained), so each
// becomes its own network input [1, C, H, W] feeding one conv. SCALE-Sim sizes the
// output as ceil((H - R + S) / S) (topo_calc_hyperparams in topology_utils.py): when
// (H - R) is not a multiple of S it counts one more, partial, window than the usual
// floor((H - R) / S) + 1 (e.g. 224, 7x7, stride 2 -> 110, not 109). The conv gets
// just enough end padding (bottom/right) to reproduce that size and its MACs. A row whose name
// contains "DP" is, for SCALE-Sim, a depthwise layer that it expands into one
// single-channel layer per input channel with Num Filter filters each; that is a
// grouped conv with groups = C and C * Num Filter output channels.
//
// GEMM layout (header "Layer, M, N, K"): in scalesim/topology_utils.py,
// load_arrays_gemm turns a row into the convolution entry
//   IFMAP height = M, IFMAP width = K, filter 1 x K, channels 1, filters N, stride 1,
// so each of the M output rows is one window of K elements and there are N filters:
// output[M, N] = A[M, K] x B[K, N] with B the filter (weights), M*N*K MACs. It becomes
// an input [1, M, K] feeding a linear op with out_features N (m = M, k = K, n = N).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <set>

#include "common/error.h"
#include "workload/detail.h"
#include "workload/workload.h"

namespace acceldse::workload {

namespace {

constexpr const char* kConvColumns[] = {"Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                                        "Channels",   "Num Filter",   "Strides",     "Stride Width"};
constexpr const char* kGemmColumns[] = {"Layer", "M", "N", "K"};
constexpr size_t kConvMinColumns = 8;  // one stride for both directions
constexpr size_t kConvMaxColumns = 9;  // stride height, stride width
constexpr size_t kGemmColumnCount = 4;

struct CsvRow {
  int line = 0;  // 1-based line number in the file
  std::vector<std::string> cells;
};

std::string trim(std::string_view s) {
  auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    cells.push_back(trim(std::string_view(line).substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  // The trailing comma leaves one empty last field, which SCALE-Sim drops too.
  if (cells.size() > 1 && cells.back().empty()) cells.pop_back();
  return cells;
}

// Non-blank rows with their line numbers (handles \r\n and a missing final newline).
std::vector<CsvRow> read_rows(const std::string& text) {
  std::vector<CsvRow> rows;
  size_t start = 0;
  for (int line = 1; start <= text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string content = trim(std::string_view(text).substr(start, end - start));
    if (!content.empty()) rows.push_back({line, split_cells(content)});
    start = end + 1;
  }
  return rows;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

enum class Layout { kConv, kGemm };

Layout detect_layout(const std::string& file, const CsvRow& header) {
  const std::vector<std::string>& h = header.cells;
  if (h.size() >= kConvMinColumns && lower(h[1]).find("ifmap") != std::string::npos) {
    return Layout::kConv;
  }
  if (h.size() >= kGemmColumnCount && lower(h[1]) == "m" && lower(h[2]) == "n" && lower(h[3]) == "k") {
    return Layout::kGemm;
  }
  throw InputError(file, fmt::format("line {}", header.line),
                   fmt::format("unrecognised header '{}'; expected 'Layer name, IFMAP Height, "
                               "IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
                               "Strides,' (convolution) or 'Layer, M, N, K,' (GEMM)",
                               fmt::join(h, ", ")));
}

// Reads one data row of a given layout; every error names the line and column.
class RowReader {
 public:
  RowReader(const std::string& file, const CsvRow& row, std::string layer)
      : file_(file), row_(row), layer_(std::move(layer)) {}

  int64_t positive(size_t column, const char* column_name) const {
    const std::string& cell = row_.cells[column];
    int64_t value = 0;
    auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (ec != std::errc() || end != cell.data() + cell.size() || value <= 0) {
      fail(fmt::format("line {}, column '{}' (layer {})", row_.line, column_name, layer_),
           fmt::format("expected a positive integer, got '{}'", cell));
    }
    return value;
  }

  [[noreturn]] void fail(const std::string& place, const std::string& detail) const {
    throw InputError(file_, place, detail);
  }
  [[noreturn]] void fail(const std::string& detail) const {
    fail(fmt::format("line {} (layer {})", row_.line, layer_), detail);
  }

 private:
  const std::string& file_;
  const CsvRow& row_;
  std::string layer_;
};

// Layer names are the tensor/op names; a repeated one gets "@line N" appended, as
// SCALE-Sim itself does not require them to be unique.
std::string unique_name(std::set<std::string>& used, const std::string& name, int line) {
  std::string result = used.contains(name) ? fmt::format("{}@line{}", name, line) : name;
  used.insert(result);
  return result;
}

void check_column_count(const std::string& file, const CsvRow& row, size_t min, size_t max,
                        const std::string& expected) {
  size_t n = row.cells.size();
  if (n < min || n > max) {
    throw InputError(file, fmt::format("line {}", row.line),
                     fmt::format("expected {}, got {} column{}", expected, n, n == 1 ? "" : "s"));
  }
}

void add_conv_row(NetworkBuilder& builder, const std::string& file, const CsvRow& row, std::set<std::string>& used) {
  check_column_count(file, row, kConvMinColumns, kConvMaxColumns,
                     "8 columns (Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter "
                     "Width, Channels, Num Filter, Strides) or 9 (separate stride width)");
  const std::string& raw_name = row.cells[0];
  RowReader r(file, row, raw_name);
  if (raw_name.empty()) r.fail(fmt::format("line {}, column 'Layer name'", row.line), "expected a layer name");
  int64_t v[kConvMaxColumns] = {};
  for (size_t c = 1; c < row.cells.size(); ++c) v[c] = r.positive(c, kConvColumns[c]);
  int64_t height = v[1], width = v[2], filter_h = v[3], filter_w = v[4];
  int64_t channels = v[5], filters = v[6], stride_h = v[7];
  int64_t stride_w = row.cells.size() == kConvMaxColumns ? v[8] : stride_h;
  if (filter_h > height || filter_w > width) {
    r.fail(fmt::format("filter {}x{} is larger than the IFMAP {}x{} (SCALE-Sim pads nothing)", filter_h, filter_w,
                       height, width));
  }
  bool depthwise = raw_name.find("DP") != std::string::npos;
  // End padding that turns floor((H + pad - R) / S) + 1 into SCALE-Sim's
  // ceil((H - R) / S) + 1.
  auto end_pad = [](int64_t in, int64_t filter, int64_t stride) { return (stride - (in - filter) % stride) % stride; };
  std::string name = unique_name(used, raw_name, row.line);
  std::string input = name + ".in";
  builder.add_input(input, {1, channels, height, width});
  Attrs attrs;
  attrs.kernel = {filter_h, filter_w};
  attrs.stride = {stride_h, stride_w};
  attrs.pads = {0, 0, end_pad(height, filter_h, stride_h), end_pad(width, filter_w, stride_w)};
  attrs.groups = depthwise ? channels : 1;
  attrs.out_channels = depthwise ? channels * filters : filters;
  builder.add_op(name, "conv", {input}, attrs);
}

void add_gemm_row(NetworkBuilder& builder, const std::string& file, const CsvRow& row, std::set<std::string>& used) {
  check_column_count(file, row, kGemmColumnCount, kGemmColumnCount, "4 columns (Layer, M, N, K)");
  const std::string& raw_name = row.cells[0];
  RowReader r(file, row, raw_name);
  if (raw_name.empty()) r.fail(fmt::format("line {}, column 'Layer'", row.line), "expected a layer name");
  int64_t m = r.positive(1, kGemmColumns[1]);
  int64_t n = r.positive(2, kGemmColumns[2]);
  int64_t k = r.positive(3, kGemmColumns[3]);
  std::string name = unique_name(used, raw_name, row.line);
  std::string input = name + ".in";
  builder.add_input(input, {1, m, k});
  Attrs attrs;
  attrs.out_features = n;
  builder.add_op(name, "linear", {input}, attrs);
}

}  // namespace

Network load_scalesim_csv(const std::string& path, const LoadOptions& options) {
  if (!options.input_shapes.empty()) {
    throw InputError(path, "input shape override",
                     "SCALE-Sim topologies give every layer's input shape; an override is not "
                     "supported (use the batch option to change the batch)");
  }
  std::vector<CsvRow> rows = read_rows(detail::read_text_file(path));
  if (rows.empty()) {
    throw InputError(path, "", "the file is empty; expected a SCALE-Sim topology header row");
  }
  Layout layout = detect_layout(path, rows.front());
  if (rows.size() == 1) {
    throw InputError(path, fmt::format("line {}", rows.front().line), "no layers after the header row");
  }
  NetworkBuilder builder(std::filesystem::path(path).stem().string(), path);
  std::set<std::string> used;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (layout == Layout::kConv)
      add_conv_row(builder, path, rows[i], used);
    else
      add_gemm_row(builder, path, rows[i], used);
  }
  Network net = builder.finish();
  if (options.batch) net = with_batch(net, *options.batch, path);
  return net;
}

}  // namespace acceldse::workload
