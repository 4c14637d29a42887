// `acceldse models` (the built-in suite) and `acceldse model show` (one network, layer
// by layer).
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "common/error.h"
#include "network_options.h"
#include "output_options.h"
#include "report/report.h"
#include "workload/llm.h"
#include "workload/workload.h"

namespace acceldse::cli {

namespace {

namespace wl = acceldse::workload;
using nlohmann::json;

using report::csv_field;
using report::grouped;

// ---------------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------------

void print_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
  out << "\n";
}

std::vector<std::string> shapes_of(const wl::Network& net, const std::vector<int>& tensors) {
  std::vector<std::string> shapes;
  for (int id : tensors) shapes.push_back(wl::shape_to_string(net.tensors[id].shape));
  return shapes;
}

// ---------------------------------------------------------------------------------
// Command-line values
// ---------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------
// acceldse models
// ---------------------------------------------------------------------------------

struct SuiteRow {
  wl::SuiteEntry entry;
  std::vector<std::string> input_shapes;
  wl::Totals totals;
};

std::vector<SuiteRow> load_suite() {
  std::vector<SuiteRow> rows;
  for (const wl::SuiteEntry& entry : wl::suite()) {
    wl::Network net = wl::load_network(entry.name);
    rows.push_back({entry, shapes_of(net, net.inputs), wl::totals(net)});
  }
  return rows;
}

// The first input's shape; models with many inputs (KV caches) would drown the table.
std::string brief_shapes(const std::vector<std::string>& shapes) {
  if (shapes.size() <= 1) return report::join(shapes, "");
  return fmt::format("{} +{} more", shapes.front(), shapes.size() - 1);
}

void print_suite_table(const std::vector<SuiteRow>& rows) {
  report::TextTable table{.header = {"name", "domain", "input shape", "GMACs", "params M", "paper suite"},
                          .numeric = {false, false, false, true, true, false}};
  for (const SuiteRow& r : rows) {
    table.rows.push_back({r.entry.name, r.entry.domain, brief_shapes(r.input_shapes),
                          fmt::format("{:.3f}", r.totals.macs / 1e9), fmt::format("{:.2f}", r.totals.params / 1e6),
                          r.entry.paper_suite ? "yes" : ""});
  }
  table.print(std::cout);
  std::vector<std::string> llms = wl::llm_names();
  if (!llms.empty()) {
    std::cout << fmt::format(
        "\nLLMs (models/llm; NAME:prefill, NAME:decode; see docs/commands.md \"LLM inference\"): {}\n",
        fmt::join(llms, ", "));
  }
}

void print_suite_csv(const std::vector<SuiteRow>& rows) {
  print_csv_row(std::cout, {"name", "domain", "input_shapes", "macs", "params", "paper_suite"});
  for (const SuiteRow& r : rows) {
    print_csv_row(std::cout,
                  {r.entry.name, r.entry.domain, report::join(r.input_shapes, ";"), std::to_string(r.totals.macs),
                   std::to_string(r.totals.params), r.entry.paper_suite ? "true" : "false"});
  }
}

void print_suite_json(const std::vector<SuiteRow>& rows) {
  json models = json::array();
  for (const SuiteRow& r : rows) {
    models.push_back({{"name", r.entry.name},
                      {"domain", r.entry.domain},
                      {"description", r.entry.description},
                      {"inputs", r.input_shapes},
                      {"macs", r.totals.macs},
                      {"params", r.totals.params},
                      {"paper_suite", r.entry.paper_suite}});
  }
  std::cout << json{{"models", models}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void run_models(const std::string& format) {
  std::vector<SuiteRow> rows = load_suite();
  if (format == "csv")
    print_suite_csv(rows);
  else if (format == "json")
    print_suite_json(rows);
  else
    print_suite_table(rows);
}

// ---------------------------------------------------------------------------------
// acceldse model show
// ---------------------------------------------------------------------------------

struct ShowOptions {
  std::string model;
  NetworkOptions network;
  std::string format = "table";
  std::string input_format = "auto";
};

// One layer's printed figures; bytes at 1 byte per element (activations and weights).
struct LayerRow {
  const wl::Op* op;
  std::vector<std::string> inputs, outputs;
  int64_t macs, params, vector_ops, bytes;
};

std::vector<LayerRow> layer_rows(const wl::Network& net) {
  std::vector<LayerRow> rows;
  for (const wl::Op& op : net.ops) {
    rows.push_back({&op, shapes_of(net, op.inputs), shapes_of(net, op.outputs), wl::macs(net, op), op.params,
                    wl::vector_ops(net, op), wl::bytes_moved(net, op, 1, 1)});
  }
  return rows;
}

int64_t total_bytes(const std::vector<LayerRow>& rows) {
  int64_t bytes = 0;
  for (const LayerRow& r : rows) bytes += r.bytes;
  return bytes;
}

const char* class_name(wl::OpClass c) {
  switch (c) {
    case wl::OpClass::kConv: return "conv";
    case wl::OpClass::kMatmul: return "matmul";
    case wl::OpClass::kRecurrent: return "recurrent";
    case wl::OpClass::kPool: return "pool";
    case wl::OpClass::kEltwise: return "eltwise";
    case wl::OpClass::kNorm: return "norm";
    case wl::OpClass::kSoftmax: return "softmax";
    case wl::OpClass::kDataMove: return "data move";
    case wl::OpClass::kEmbedding: return "embedding";
  }
  return "?";
}

std::string tensor_list(const wl::Network& net, const std::vector<int>& ids) {
  std::vector<std::string> items;
  for (int id : ids) {
    items.push_back(fmt::format("{} {}", net.tensors[id].name, wl::shape_to_string(net.tensors[id].shape)));
  }
  return report::join(items, ", ");
}

// Layers, MACs and vector ops per op class: where the work is.
void print_op_mix(const std::vector<LayerRow>& rows, const wl::Totals& totals) {
  struct Mix {
    int64_t layers = 0, macs = 0, vector_ops = 0;
  };
  std::map<std::string, Mix> mix;
  for (const LayerRow& r : rows) {
    Mix& m = mix[class_name(r.op->op_class)];
    m.layers += 1;
    m.macs += r.macs;
    m.vector_ops += r.vector_ops;
  }
  report::TextTable table{.header = {"op class", "layers", "MACs", "% MACs", "vector ops"},
                          .numeric = {false, true, true, true, true}};
  for (const auto& [name, m] : mix) {
    double share = totals.macs > 0 ? 100.0 * m.macs / totals.macs : 0.0;
    table.rows.push_back(
        {name, std::to_string(m.layers), grouped(m.macs), fmt::format("{:.1f}", share), grouped(m.vector_ops)});
  }
  std::cout << "\nop mix:\n";
  table.print(std::cout);
}

void print_show_table(const wl::Network& net, const std::vector<LayerRow>& rows) {
  wl::Totals t = wl::totals(net);
  std::cout << fmt::format("{}: {} layers\ninputs:  {}\noutputs: {}\n\n", net.name, t.ops, tensor_list(net, net.inputs),
                           tensor_list(net, net.outputs));
  report::TextTable table{.header = {"#", "name", "op", "input shape", "output shape", "MACs", "params", "bytes"},
                          .numeric = {true, false, false, false, false, true, true, true}};
  for (size_t i = 0; i < rows.size(); ++i) {
    const LayerRow& r = rows[i];
    table.rows.push_back({std::to_string(i), r.op->name, r.op->type, report::join(r.inputs, ", "),
                          report::join(r.outputs, ", "), grouped(r.macs), grouped(r.params), grouped(r.bytes)});
  }
  table.rows.push_back({"", "total", "", "", "", grouped(t.macs), grouped(t.params), grouped(total_bytes(rows))});
  table.print(std::cout);
  std::cout << fmt::format("\ntotal: {:.3f} GMACs, {:.3f} M params, {} vector ops, {} layers\n", t.macs / 1e9,
                           t.params / 1e6, grouped(t.vector_ops), t.ops);
  print_op_mix(rows, t);
}

void print_show_csv(const std::vector<LayerRow>& rows) {
  print_csv_row(std::cout, {"name", "op", "inputs", "outputs", "macs", "params", "vector_ops", "bytes"});
  for (const LayerRow& r : rows) {
    print_csv_row(std::cout, {r.op->name, r.op->type, report::join(r.inputs, ";"), report::join(r.outputs, ";"),
                              std::to_string(r.macs), std::to_string(r.params), std::to_string(r.vector_ops),
                              std::to_string(r.bytes)});
  }
}

json tensors_json(const wl::Network& net, const std::vector<int>& ids) {
  json list = json::array();
  for (int id : ids) {
    list.push_back({{"name", net.tensors[id].name}, {"shape", wl::shape_to_string(net.tensors[id].shape)}});
  }
  return list;
}

void print_show_json(const wl::Network& net, const std::vector<LayerRow>& rows) {
  wl::Totals t = wl::totals(net);
  json layers = json::array();
  for (const LayerRow& r : rows) {
    layers.push_back({{"name", r.op->name},
                      {"op", r.op->type},
                      {"inputs", r.inputs},
                      {"outputs", r.outputs},
                      {"macs", r.macs},
                      {"params", r.params},
                      {"vector_ops", r.vector_ops},
                      {"bytes", r.bytes}});
  }
  json doc = {{"name", net.name},
              {"inputs", tensors_json(net, net.inputs)},
              {"outputs", tensors_json(net, net.outputs)},
              {"totals",
               {{"macs", t.macs},
                {"params", t.params},
                {"vector_ops", t.vector_ops},
                {"layers", t.ops},
                {"bytes", total_bytes(rows)}}},
              {"layers", layers}};
  std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

wl::LoadOptions show_load_options(const ShowOptions& o) {
  wl::LoadOptions options = load_options(o.network);
  options.format = *wl::parse_format(o.input_format);  // CLI11 checked the value
  return options;
}

void run_show(const ShowOptions& o) {
  wl::Network net = wl::load_network(o.model, show_load_options(o));
  std::vector<LayerRow> rows = layer_rows(net);
  if (o.format == "csv")
    print_show_csv(rows);
  else if (o.format == "json")
    print_show_json(net, rows);
  else
    print_show_table(net, rows);
}

}  // namespace

void add_model_commands(CLI::App& app) {
  auto format = std::make_shared<std::string>("table");
  CLI::App* models = app.add_subcommand("models", "List the built-in networks: domain, input shape, GMACs, parameters");
  add_format_option(models, *format);
  models->callback([format] { run_models(*format); });

  CLI::App* model = app.add_subcommand("model", "Look at one network");
  model->require_subcommand(1);
  auto show_options = std::make_shared<ShowOptions>();
  CLI::App* show =
      model->add_subcommand("show", "Layers of a network with shapes, MACs, parameters and bytes, and its totals");
  show->add_option("model", show_options->model,
                   "A built-in name (see `acceldse models`) or a .yaml, .onnx or SCALE-Sim .csv "
                   "file")
      ->required();
  add_network_options(show, show_options->network);
  add_format_option(show, show_options->format);
  show->add_option("--input-format", show_options->input_format,
                   "File format: auto (by extension, default), yaml, onnx or csv")
      ->check(CLI::IsMember({"auto", "yaml", "onnx", "csv"}));
  show->callback([show_options] { run_show(*show_options); });
}

}  // namespace acceldse::cli
