// `acceldse simulate` (the cycle-level reference simulator on one network) and
// `acceldse validate` (simulator and analytical model side by side over a grid of
// networks, arrays and dataflows). This is the only place that sees both src/sim and
// src/cost; the simulator itself never links the model it checks.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "common/error.h"
#include "cost/cost.h"
#include "documents/documents.h"
#include "network_options.h"
#include "output_options.h"
#include "report/report.h"
#include "sim/sim.h"
#include "study_options.h"
#include "validation/validation.h"

namespace acceldse::cli {
namespace {

using Json = nlohmann::ordered_json;
using report::csv_field;
using report::grouped;

// ---- Small formatting helpers ---------------------------------------------------------

// The first `text_columns` columns are text, the others numbers.
void print_table(std::ostream& out, std::vector<std::string> header, std::vector<std::vector<std::string>> rows,
                 size_t text_columns) {
  std::vector<bool> numeric(header.size(), true);
  std::fill_n(numeric.begin(), std::min(text_columns, numeric.size()), false);
  report::TextTable{.header = std::move(header), .numeric = std::move(numeric), .rows = std::move(rows)}.print(out);
}

void print_csv(std::ostream& out, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
    out << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
}

std::string kib(int64_t bytes) { return fmt::format("{:.1f}", static_cast<double>(bytes) / 1024.0); }
std::string pct(double fraction) { return fmt::format("{:.2f}", 100.0 * fraction); }

arch::Dataflow parse_dataflow(const std::string& text) {
  for (arch::Dataflow d : {arch::Dataflow::kWs, arch::Dataflow::kOs, arch::Dataflow::kIs}) {
    if (text == arch::to_string(d)) return d;
  }
  throw InputError("<command line>", "--dataflows", "expected ws, os or is, got '" + text + "'");
}

// A network with the command's options; a --models entry may carry its own
// (NAME@batch=8, see network_options.h).
workload::Network load_model(const std::string& entry, const NetworkOptions& options) {
  ModelSpec spec = parse_model_spec(entry, options, "--models");
  return load_model_spec(spec, entry);
}

// "" (the spec's buffers.im2col_fetch), "unique" or "expanded".
std::optional<arch::Im2colFetch> parse_im2col(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text == "expanded" ? arch::Im2colFetch::kExpanded : arch::Im2colFetch::kUnique;
}

// ---- simulate --------------------------------------------------------------------------

struct SimulateArgs {
  std::string arch, model, layer, trace_dir, format = "table", im2col;
  std::string dataflow, loop_order = "nkm";
  std::vector<int64_t> tile;  // m, k, n
  NetworkOptions network;
  int64_t trace_cap = sim::kDefaultTraceCapCells;
};

// The same keys as `acceldse evaluate --format json` where they apply.
Json sram_json(const sim::LayerResult& r) {
  return {{"input_reads_bytes", r.input_sram.reads_bytes},   {"input_writes_bytes", r.input_sram.writes_bytes},
          {"weight_reads_bytes", r.weight_sram.reads_bytes}, {"weight_writes_bytes", r.weight_sram.writes_bytes},
          {"output_reads_bytes", r.output_sram.reads_bytes}, {"output_writes_bytes", r.output_sram.writes_bytes}};
}

Json result_json(const sim::LayerResult& r) {
  Json j;
  j["cycles"] = r.cycles;
  j["compute_cycles"] = r.compute_cycles;
  j["stall_cycles"] = r.stall_cycles;
  j["vector_cycles"] = r.vector_cycles;
  j["utilization"] = r.utilization;
  j["macs"] = r.macs;
  j["folds"] = r.folds;
  j["dram_bytes"] = r.dram_bytes();
  j["dram_read_bytes"] = r.dram_read_bytes;
  j["dram_write_bytes"] = r.dram_write_bytes;
  j["sram"] = sram_json(r);
  return j;
}

Json layer_json(const sim::LayerResult& r) {
  Json j{{"name", r.name},
         {"op", r.op},
         {"dataflow", r.tensor_unit ? arch::to_string(r.dataflow) : "-"},
         {"tensor_unit", r.tensor_unit}};
  j.update(result_json(r));
  return j;
}

std::vector<std::string> table_cells(const sim::LayerResult& r) {
  return {r.name,
          r.op,
          r.tensor_unit ? arch::to_string(r.dataflow) : "-",
          grouped(r.cycles),
          grouped(r.compute_cycles),
          grouped(r.stall_cycles),
          grouped(r.vector_cycles),
          fmt::format("{:.1f}%", 100 * r.utilization),
          grouped(r.macs),
          grouped(r.dram_bytes()),
          kib(r.input_sram.reads_bytes),
          kib(r.input_sram.writes_bytes),
          kib(r.weight_sram.reads_bytes),
          kib(r.weight_sram.writes_bytes),
          kib(r.output_sram.reads_bytes),
          kib(r.output_sram.writes_bytes)};
}

std::vector<std::string> csv_cells(const sim::LayerResult& r) {
  return {r.name,
          r.op,
          r.tensor_unit ? arch::to_string(r.dataflow) : "-",
          std::to_string(r.cycles),
          std::to_string(r.compute_cycles),
          std::to_string(r.stall_cycles),
          std::to_string(r.vector_cycles),
          fmt::format("{:.6f}", r.utilization),
          std::to_string(r.macs),
          std::to_string(r.dram_bytes()),
          std::to_string(r.dram_read_bytes),
          std::to_string(r.dram_write_bytes),
          std::to_string(r.input_sram.reads_bytes),
          std::to_string(r.input_sram.writes_bytes),
          std::to_string(r.weight_sram.reads_bytes),
          std::to_string(r.weight_sram.writes_bytes),
          std::to_string(r.output_sram.reads_bytes),
          std::to_string(r.output_sram.writes_bytes)};
}

void print_simulation(const sim::NetworkResult& result, const std::string& model, const arch::Accelerator& accel,
                      const std::string& format) {
  if (format == "json") {
    Json j;
    j["model"] = model;
    j["arch"] = accel.name;
    j["totals"] = result_json(result.totals);
    j["layers"] = Json::array();
    for (const sim::LayerResult& r : result.layers) j["layers"].push_back(layer_json(r));
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  sim::LayerResult total = result.totals;
  total.name = "total";
  total.op = "-";
  const bool csv = format == "csv";
  std::vector<std::vector<std::string>> rows;
  for (const sim::LayerResult& r : result.layers) rows.push_back(csv ? csv_cells(r) : table_cells(r));
  rows.push_back(csv ? csv_cells(total) : table_cells(total));
  if (csv) {
    print_csv(std::cout,
              {"name", "op", "dataflow", "cycles", "compute_cycles", "stall_cycles", "vector_cycles", "utilization",
               "macs", "dram_bytes", "dram_read_bytes", "dram_write_bytes", "input_reads_bytes", "input_writes_bytes",
               "weight_reads_bytes", "weight_writes_bytes", "output_reads_bytes", "output_writes_bytes"},
              rows);
    return;
  }
  std::cout << fmt::format("{} on {}: {}x{} {} array x{}, {:.1f} bytes/cycle DRAM{} (reference simulation)\n\n", model,
                           accel.name, accel.tensor.rows, accel.tensor.cols, arch::to_string(accel.tensor.dataflow),
                           accel.tensor.arrays, accel.dram_bytes_per_cycle(),
                           accel.dram.stall_free ? ", stall-free" : "");
  print_table(std::cout,
              {"layer", "op", "dataflow", "cycles", "compute", "stall", "vector", "util", "MACs", "DRAM bytes",
               "in rd KiB", "in wr KiB", "w rd KiB", "w wr KiB", "out rd KiB", "out wr KiB"},
              rows, 3);
}

void run_simulate(const SimulateArgs& a) {
  const arch::Accelerator accel = arch::load_accelerator(a.arch);
  workload::Network net = workload::load_network(a.model, load_options(a.network));
  sim::Options options;
  options.trace_dir = a.trace_dir;
  options.trace_cap_cells = a.trace_cap;
  options.im2col = parse_im2col(a.im2col);
  if (!a.dataflow.empty()) options.mapping.dataflow = parse_dataflow(a.dataflow);
  if (!a.tile.empty()) {
    options.mapping.tile_m = a.tile[0];
    options.mapping.tile_k = a.tile[1];
    options.mapping.tile_n = a.tile[2];
  }
  options.mapping.loop_order = a.loop_order;
  sim::NetworkResult result;
  if (a.layer.empty()) {
    result = sim::simulate_network(net, accel, options);
  } else {
    auto it = std::find_if(net.ops.begin(), net.ops.end(), [&](const workload::Op& op) { return op.name == a.layer; });
    if (it == net.ops.end()) {
      throw InputError(a.model, "--layer", "no layer named '" + a.layer + "' in network " + net.name);
    }
    result.layers.push_back(sim::simulate_op(net, *it, accel, options));
    result.totals = result.layers.back();
    result.totals.name = net.name;
  }
  print_simulation(result, net.name, accel, a.format);
}

// ---- validate --------------------------------------------------------------------------

struct ValidateArgs {
  std::string models = "resnet50,mobilenet_v2,bert_base";
  std::string archs = "32x32,16x64,128x128";
  std::string base_arch = "edge_32x32";
  std::string dataflows = "ws,os,is";
  std::string mapping = "cost";
  std::string im2col;  // "": each spec's buffers.im2col_fetch
  std::string format = "table";
  bool unlimited = false;
  bool all_layers = false;
  double bound_pct = -1;        // default: 5 (finite bandwidth) or 1 (unlimited)
  double layer_bound_pct = -1;  // off unless given
  NetworkOptions network;
};

// "32x32" -> {32, 32}; nothing for anything else (std::regex trips GCC 12 warnings
// under the sanitizer build).
std::optional<std::pair<int64_t, int64_t>> parse_shape(const std::string& text) {
  const size_t x = text.find('x');
  auto number = [](const std::string& digits) -> std::optional<int64_t> {
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(digits);
  };
  if (x == std::string::npos) return std::nullopt;
  const auto rows = number(text.substr(0, x)), cols = number(text.substr(x + 1));
  if (!rows || !cols) return std::nullopt;
  return std::make_pair(*rows, *cols);
}

// "RxC" sets the array of the base accelerator; anything else is a name or a file.
arch::Accelerator grid_arch(const std::string& entry, const arch::Accelerator& base) {
  const auto shape = parse_shape(entry);
  if (!shape) return arch::load_accelerator(entry);
  arch::Accelerator a = base;
  a.tensor.rows = shape->first;
  a.tensor.cols = shape->second;
  a.name = base.name + "@" + entry;
  arch::validate(a, "<command line --archs " + entry + ">");
  return a;
}

using validation::LayerComparison;
using validation::NetworkComparison;

void print_validation(const ValidateArgs& a, const std::vector<NetworkComparison>& results, double bound, bool pass) {
  const std::string metric = a.unlimited ? "compute_cycles" : "cycles";
  if (a.format == "json") {
    const documents::ValidationHeader header{.compute_cycles_only = a.unlimited,
                                             .mapping = a.mapping,
                                             .im2col = a.im2col.empty() ? "spec" : a.im2col,
                                             .bound_pct = bound,
                                             .layer_bound_pct = a.layer_bound_pct,
                                             .pass = pass};
    std::cout << documents::dumped(documents::validation(header, results)) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> net_rows, layer_rows;
  for (const NetworkComparison& n : results) {
    const LayerComparison* w = n.worst();
    net_rows.push_back({n.model, n.arch, arch::to_string(n.dataflow), std::to_string(n.layers.size()),
                        std::to_string(n.sim_total), std::to_string(n.cost_total), pct(n.total_error()),
                        pct(n.mean_abs_error()), w ? pct(std::abs(w->error())) : "0.00", w ? w->layer : "-",
                        pct(n.dram_error()), n.passes(bound, a.layer_bound_pct) ? "ok" : "FAIL"});
    if (a.format == "csv" || a.all_layers) {
      for (const LayerComparison& l : n.layers) {
        layer_rows.push_back({n.model, n.arch, arch::to_string(n.dataflow), l.layer, l.op, std::to_string(l.sim),
                              std::to_string(l.cost), pct(l.error()), std::to_string(l.sim_dram),
                              std::to_string(l.cost_dram), l.mapping});
      }
    }
  }
  const std::vector<std::string> net_header{"model",           "arch",           "dataflow",     "layers",
                                            "sim_" + metric,   "cost_" + metric, "error_pct",    "mean_abs_err_pct",
                                            "max_abs_err_pct", "worst_layer",    "dram_err_pct", "status"};
  const std::vector<std::string> layer_header{
      "model",          "arch",      "dataflow",       "layer",           "op",          "sim_" + metric,
      "cost_" + metric, "error_pct", "sim_dram_bytes", "cost_dram_bytes", "cost_mapping"};
  if (a.format == "csv") {
    print_csv(std::cout, layer_header, layer_rows);
    return;
  }
  std::cout << fmt::format(
      "Simulator vs analytical model, {} of conv/matmul layers ({}; simulator mapping: {}; "
      "im2col DRAM traffic: {}). Bound on the network total: {}%.\n\n",
      metric, a.unlimited ? "stall-free memory" : "finite bandwidth", a.mapping,
      a.im2col.empty() ? "as each spec's buffers.im2col_fetch" : a.im2col, bound);
  print_table(std::cout, net_header, net_rows, 3);
  if (a.all_layers) {
    std::cout << "\n";
    print_table(std::cout, layer_header, layer_rows, 5);
  }
  std::cout << (pass ? "\nall networks within the bound\n" : "\nsome networks exceed the bound\n");
}

void run_validate(const ValidateArgs& a) {
  const arch::Accelerator base = arch::load_accelerator(a.base_arch);
  std::vector<std::pair<std::string, arch::Accelerator>> archs;
  for (const std::string& entry : split_list(a.archs, "--archs")) archs.emplace_back(entry, grid_arch(entry, base));
  std::vector<arch::Dataflow> dataflows;
  for (const std::string& d : split_list(a.dataflows, "--dataflows")) dataflows.push_back(parse_dataflow(d));
  const double bound = a.bound_pct >= 0 ? a.bound_pct : a.unlimited ? 1.0 : 5.0;

  const validation::Settings settings{.compute_cycles_only = a.unlimited, .replay_cost_mapping = a.mapping == "cost"};
  cost::CostCache cache;
  std::vector<NetworkComparison> results;
  for (const std::string& model : split_list(a.models, "--models")) {
    const workload::Network net = load_model(model, a.network);
    for (const auto& [label, accel_in] : archs) {
      for (arch::Dataflow d : dataflows) {
        arch::Accelerator accel = accel_in;
        accel.tensor.dataflow = d;
        if (a.unlimited) accel.dram.stall_free = true;  // both models: DRAM never stalls
        if (const auto fetch = parse_im2col(a.im2col)) accel.buffers.im2col_fetch = *fetch;  // both models
        NetworkComparison n = validation::compare_network(net, accel, settings, cache);
        n.model = model;
        n.arch = label;
        results.push_back(std::move(n));
      }
    }
  }
  bool pass = true;
  for (const NetworkComparison& n : results) pass = pass && n.passes(bound, a.layer_bound_pct);
  print_validation(a, results, bound, pass);
  if (!pass) {
    // Exit code 1 (not 2, which means bad input): the models disagree.
    std::cout.flush();
    std::cerr << "acceldse: validation failed: an error exceeds the bound of " << bound << "%\n";
    std::exit(1);
  }
}

CLI::Option* im2col_option(CLI::App* cmd, std::string& im2col, const std::string& default_text) {
  return cmd
      ->add_option("--im2col", im2col,
                   "Convolution input DRAM traffic: unique (each input element once while it "
                   "stays on chip) or expanded (every im2col element, as SCALE-Sim); default: " +
                       default_text)
      ->check(CLI::IsMember({"unique", "expanded"}));
}

}  // namespace

void add_simulate_commands(CLI::App& app) {
  auto s = std::make_shared<SimulateArgs>();
  CLI::App* sim_cmd = app.add_subcommand(
      "simulate", "Cycle-level reference simulation of a network: cycles, stalls, SRAM and DRAM traffic per layer");
  sim_cmd->add_option("--arch", s->arch, "Accelerator: built-in name, YAML file or SCALE-Sim .cfg")->required();
  sim_cmd->add_option("--model", s->model, "Network: built-in name or a .yaml, .onnx or SCALE-Sim .csv file")
      ->required();
  sim_cmd->add_option("--layer", s->layer, "Simulate only the layer with this name");
  add_network_options(sim_cmd, s->network);
  sim_cmd->add_option("--trace", s->trace_dir,
                      "Write SCALE-Sim style SRAM/DRAM traces into DIR/<layer>/ (small layers only)");
  sim_cmd
      ->add_option(
          "--trace-cap", s->trace_cap,
          fmt::format("Largest SRAM trace per layer, in cycles x ports (default {})", sim::kDefaultTraceCapCells))
      ->check(CLI::PositiveNumber);
  sim_cmd->add_option("--dataflow", s->dataflow, "Override the accelerator's dataflow: ws, os or is")
      ->check(CLI::IsMember({"ws", "os", "is"}));
  sim_cmd->add_option("--tile", s->tile, "Tile the GEMMs: M,K,N (0 = whole dimension; default: untiled, as SCALE-Sim)")
      ->delimiter(',')
      ->expected(3)
      ->check(CLI::NonNegativeNumber);
  sim_cmd->add_option("--loop-order", s->loop_order, "Tile loops, outermost first (a permutation of mkn; default nkm)");
  im2col_option(sim_cmd, s->im2col, "the spec's buffers.im2col_fetch");
  add_format_option(sim_cmd, s->format);
  sim_cmd->callback([s] { run_simulate(*s); });

  auto v = std::make_shared<ValidateArgs>();
  CLI::App* val = app.add_subcommand(
      "validate", "Compare the simulator with the analytical model over networks x arrays x dataflows");
  val->add_option("--models", v->models, "Networks, comma separated (default: " + v->models + ")");
  val->add_option("--archs", v->archs,
                  "Arrays RxC applied to --base-arch, or accelerator names/files, comma separated "
                  "(default: " +
                      v->archs + ")");
  val->add_option("--base-arch", v->base_arch, "Accelerator the RxC entries modify (default: " + v->base_arch + ")");
  val->add_option("--dataflows", v->dataflows, "Dataflows, comma separated (default: ws,os,is)");
  val->add_flag("--unlimited-bandwidth", v->unlimited,
                "Stall-free DRAM in both models; compare compute cycles (default bound 1%)");
  val->add_option("--bound", v->bound_pct,
                  "Largest allowed |error| of a network total, in percent (default 5, or 1 with "
                  "--unlimited-bandwidth)")
      ->check(CLI::NonNegativeNumber);
  val->add_option("--layer-bound", v->layer_bound_pct,
                  "Largest allowed |error| of any layer, in percent (default: none)")
      ->check(CLI::NonNegativeNumber);
  val->add_option("--mapping", v->mapping,
                  "Simulator mapping: cost (replay the analytical model's tiles and loop order, "
                  "default) or own (SCALE-Sim's untiled folds)")
      ->check(CLI::IsMember({"own", "cost"}));
  im2col_option(val, v->im2col, "each spec's buffers.im2col_fetch, for both models");
  add_network_options(val, v->network, true);
  val->add_flag("--layers", v->all_layers, "Table output: list every layer, not only the worst per network");
  add_format_option(val, v->format);
  val->callback([v] { run_validate(*v); });
}

}  // namespace acceldse::cli
