// `acceldse evaluate`: one design on one network with the analytical model -- per-layer
// cycles, traffic, energy and mapping, plus totals, area and throughput.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "commands.h"
#include "common/error.h"
#include "cost/cost.h"
#include "design_file.h"
#include "documents/documents.h"
#include "network_options.h"
#include "output_options.h"
#include "report/report.h"
#include "workload/llm.h"
#include "workload/workload.h"

namespace acceldse::cli {

namespace {

using nlohmann::json;
using report::csv_field;
using report::grouped;

constexpr const char* kDefaultArch = "edge_32x32";

struct EvaluateOptions {
  std::string arch = kDefaultArch;
  std::string model;
  NetworkOptions network;
  std::string format = "table";
  std::string html;         // --html FILE: also write the HTML report
  std::string save_design;  // --save-design FILE: the design as an accelerator YAML
};

// ---------------------------------------------------------------------------------
// Formatting helpers
// ---------------------------------------------------------------------------------

// Engineering notation with an SI prefix: 0.00123 s -> "1.23 ms".
std::string si(double value, const std::string& unit) {
  static const std::pair<double, const char*> kPrefixes[] = {
      {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""}, {1e-3, "m"}, {1e-6, "u"}, {1e-9, "n"}, {1e-12, "p"}};
  if (value == 0) return "0 " + unit;
  for (const auto& [scale, prefix] : kPrefixes) {
    if (std::abs(value) >= scale) return fmt::format("{:.3g} {}{}", value / scale, prefix, unit);
  }
  return fmt::format("{:.3g} {}", value, unit);
}

std::string mapping_text(const cost::OpCost& c) {
  if (c.fused) return "fused";
  return c.mapping.to_string();
}

// Per-layer columns shared by the table and CSV: name, op and the cost figures.
struct LayerRow {
  std::string name, op;
  const cost::OpCost* cost;
};

std::vector<LayerRow> layer_rows(const workload::Network& net, const cost::NetworkCost& nc) {
  std::vector<LayerRow> rows;
  for (size_t i = 0; i < nc.layers.size(); ++i) rows.push_back({net.ops[i].name, net.ops[i].type, &nc.layers[i]});
  rows.push_back({"total", "", &nc.totals});
  return rows;
}

// ---------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------

void print_area_and_energy(const cost::NetworkCost& nc) {
  const cost::Area& a = nc.area;
  std::cout << fmt::format(
      "area:        {:.3f} mm2, core {:.3f} (MACs {:.3f}, registers {:.3f}, PE storage {:.3f}, array control {:.3f}, "
      "SRAM in/weight/out {:.3f}/{:.3f}/{:.3f}, vector {:.3f}, network {:.3f}, clock tree {:.3f}, whitespace {:.3f}), "
      "I/O {:.3f} (DRAM PHY {:.3f}, host {:.3f})\n",
      a.total_mm2(), a.core_mm2(), a.pe_mm2, a.register_mm2, a.pe_storage_mm2, a.array_control_mm2, a.input_sram_mm2,
      a.weight_sram_mm2, a.output_sram_mm2, a.vector_mm2, a.interconnect_mm2, a.clock_tree_mm2, a.whitespace_mm2,
      a.io_mm2(), a.dram_phy_mm2, a.host_interface_mm2);
  const cost::Energy& e = nc.totals.energy;
  const auto j = [](double pj) { return si(pj * 1e-12, "J"); };
  std::cout << fmt::format(
      "energy:      {}, chip {} (MAC {}, registers {}, PE storage {}, SRAM in/weight/out {}/{}/{}, network {}, "
      "vector {}, clock {}, leakage {}, I/O {}), DRAM {} (access {}, background {})\n",
      j(e.total_pj()), j(e.chip_pj()), j(e.mac_pj), j(e.register_pj), j(e.pe_storage_pj), j(e.input_sram_pj),
      j(e.weight_sram_pj), j(e.output_sram_pj), j(e.noc_pj), j(e.vector_pj), j(e.clock_pj), j(e.leakage_pj), j(e.io_pj),
      j(e.dram_side_pj()), j(e.dram_pj), j(e.dram_background_pj));
}

void print_table(const workload::Network& net, const arch::Accelerator& accel, int64_t batch,
                 const cost::NetworkCost& nc) {
  std::cout << fmt::format("{} on {} (batch {}): {}x{}{} {} array, {} GHz, {} GB/s DRAM{}\n\n", net.name, accel.name,
                           batch, accel.tensor.rows, accel.tensor.cols,
                           accel.tensor.arrays > 1 ? fmt::format(" x{}", accel.tensor.arrays) : "",
                           arch::to_string(accel.tensor.dataflow), accel.clock_ghz, accel.dram.bandwidth_gb_per_s,
                           accel.dram.stall_free ? " (stall-free)" : "");
  report::TextTable table{.header = {"layer", "op", "cycles", "compute", "stall", "vector", "bound", "util", "MACs",
                                     "DRAM bytes", "energy", "mapping"},
                          .numeric = {false, false, true, true, true, true, false, true, true, true, true, false},
                          .rule_before_last = true};  // a rule above the total
  for (const LayerRow& r : layer_rows(net, nc)) {
    const cost::OpCost& c = *r.cost;
    table.rows.push_back({r.name, r.op, grouped(c.cycles), grouped(c.compute_cycles), grouped(c.stall_cycles),
                          grouped(c.vector_cycles), cost::to_string(c.bound),
                          fmt::format("{:.1f}%", 100 * c.utilization), grouped(c.macs), grouped(c.dram_bytes()),
                          si(c.energy.total_pj() * 1e-12, "J"), r.name == "total" ? "" : mapping_text(c)});
  }
  table.print(std::cout);
  const cost::OpCost& t = nc.totals;
  std::cout << "\n"
            << fmt::format("latency:     {} ({} cycles), {} bound\n", si(nc.latency_s, "s"), grouped(t.cycles),
                           cost::to_string(t.bound))
            << fmt::format("throughput:  {:.4g} inferences/s{}\n", nc.throughput_per_s,
                           nc.micro_batch < batch ? fmt::format(" (in micro-batches of {})", nc.micro_batch) : "")
            << fmt::format("utilization: {:.1f}% of {} PEs\n", 100 * t.utilization, grouped(accel.pes()))
            << fmt::format("DRAM:        {} read, {} written\n", si(static_cast<double>(t.dram_read_bytes), "B"),
                           si(static_cast<double>(t.dram_write_bytes), "B"))
            << fmt::format("power:       chip {} at {:.3g} V, DRAM {}\n", si(nc.power_w, "W"), nc.vdd_v,
                           si(nc.dram_power_w, "W"));
  print_area_and_energy(nc);
}

// ---------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------

void print_csv(const workload::Network& net, const cost::NetworkCost& nc) {
  std::cout << "name,op,cycles,compute_cycles,stall_cycles,vector_cycles,bound,utilization,macs,dram_bytes,"
               "energy_pj,mapping\n";
  for (const LayerRow& r : layer_rows(net, nc)) {
    const cost::OpCost& c = *r.cost;
    std::cout << fmt::format("{},{},{},{},{},{},{},{:.6f},{},{},{:.1f},{}\n", csv_field(r.name), csv_field(r.op),
                             c.cycles, c.compute_cycles, c.stall_cycles, c.vector_cycles, cost::to_string(c.bound),
                             c.utilization, c.macs, c.dram_bytes(), c.energy.total_pj(),
                             csv_field(r.name == "total" ? "" : mapping_text(c)));
  }
}

// ---------------------------------------------------------------------------------

int64_t batch_of(const workload::Network& net) {
  if (net.inputs.empty()) return 1;
  const workload::Shape& shape = net.tensors[static_cast<size_t>(net.inputs[0])].shape;
  return shape.empty() ? 1 : shape[0];
}

// ---------------------------------------------------------------------------------
// LLMs: time to first token (the prefill graph) and time per output token (one decode
// step), with the decode memory roofline to compare against.
// ---------------------------------------------------------------------------------

struct LlmFigures {
  workload::LlmConfig config;
  workload::LlmShape shape;
  std::optional<double> ttft_s, tpot_s;  // for the phases evaluated
  int64_t weight_bytes = 0;              // decode: weights streamed by one step
  int64_t kv_read_bytes = 0;             // decode: cache positions read by one step
};

// The bound a decode step cannot beat on this design: it must read every weight and
// the whole KV cache once from DRAM.
double decode_roofline_s(const LlmFigures& f, const arch::Accelerator& accel) {
  return static_cast<double>(f.weight_bytes + f.kv_read_bytes) / (accel.dram.bandwidth_gb_per_s * 1e9);
}

json llm_json(const LlmFigures& f, const arch::Accelerator& accel) {
  json out = {{"config", f.config.name},
              {"params", workload::llm_params(f.config)},
              {"batch", f.shape.batch},
              {"prompt_len", f.shape.prompt_len},
              {"context_len", f.shape.context_len},
              {"decode_weight_bytes", f.weight_bytes},
              {"decode_kv_cache_bytes", f.kv_read_bytes},
              {"decode_roofline_s", decode_roofline_s(f, accel)},
              {"decode_roofline_tokens_per_s", static_cast<double>(f.shape.batch) / decode_roofline_s(f, accel)}};
  if (f.ttft_s) out["ttft_s"] = *f.ttft_s;
  if (f.tpot_s) {
    out["tpot_s"] = *f.tpot_s;
    out["tokens_per_s"] = static_cast<double>(f.shape.batch) / *f.tpot_s;
  }
  return out;
}

void print_llm(const LlmFigures& f, const arch::Accelerator& accel) {
  std::cout << fmt::format("\nLLM {} ({} parameters): batch {}, prompt {} tokens, decode at context {} tokens\n",
                           f.config.name, grouped(workload::llm_params(f.config)), f.shape.batch, f.shape.prompt_len,
                           f.shape.context_len);
  if (f.ttft_s) std::cout << fmt::format("  time to first token (TTFT, prefill):   {}\n", si(*f.ttft_s, "s"));
  if (f.tpot_s) {
    std::cout << fmt::format("  time per output token (TPOT, decode):  {}  = {:.4g} tokens/s over the batch\n",
                             si(*f.tpot_s, "s"), static_cast<double>(f.shape.batch) / *f.tpot_s);
  }
  double roof = decode_roofline_s(f, accel);
  std::cout << fmt::format("  decode memory roofline: ({} weights + {} KV cache) / {} GB/s = {}  = {:.4g} tokens/s\n",
                           si(static_cast<double>(f.weight_bytes), "B"), si(static_cast<double>(f.kv_read_bytes), "B"),
                           accel.dram.bandwidth_gb_per_s, si(roof, "s"), static_cast<double>(f.shape.batch) / roof);
  if (f.tpot_s) std::cout << fmt::format("  TPOT / roofline: {:.3f}\n", *f.tpot_s / roof);
}

LlmFigures llm_figures(const workload::LlmName& name, const EvaluateOptions& o, const arch::Accelerator& accel) {
  LlmFigures f{workload::load_llm_config(name), workload::llm_shape(load_options(o.network)), {}, {}, 0, 0};
  f.weight_bytes = workload::llm_streamed_params(f.config) * accel.precision.weight_bytes;
  f.kv_read_bytes =
      workload::kv_cache_bytes(f.config, f.shape.batch, f.shape.context_len + 1, accel.precision.input_bytes);
  return f;
}

// Both phases: a summary of each (their layer tables are `evaluate --model NAME:prefill`
// and `NAME:decode`) and the LLM figures.
void run_llm_both(const EvaluateOptions& o, const workload::LlmName& name, const arch::Accelerator& accel) {
  LlmFigures f = llm_figures(name, o, accel);
  cost::CostCache cache;
  json phases = json::object();
  std::vector<std::vector<std::string>> rows;
  for (workload::LlmPhase phase : {workload::LlmPhase::kPrefill, workload::LlmPhase::kDecode}) {
    workload::Network net = workload::llm_network(f.config, phase, f.shape, o.model);
    cost::NetworkCost nc = cost::evaluate_network(net, accel, &cache);
    (phase == workload::LlmPhase::kPrefill ? f.ttft_s : f.tpot_s) = nc.latency_s;
    if (o.format == "json") phases[workload::to_string(phase)] = documents::evaluation(net, accel, f.shape.batch, nc);
    const cost::OpCost& t = nc.totals;
    rows.push_back({workload::to_string(phase), si(nc.latency_s, "s"), grouped(t.macs), grouped(t.dram_bytes()),
                    fmt::format("{:.1f}%", 100 * t.utilization), cost::to_string(t.bound)});
  }
  if (o.format == "json") {
    json doc = {{"model", o.model},
                {"arch", accel.name},
                {"batch", f.shape.batch},
                {"llm", llm_json(f, accel)},
                {"phases", phases}};
    std::cout << documents::dumped(doc) << "\n";
    return;
  }
  if (o.format == "csv") {
    throw InputError("<command line>", "--format",
                     "csv is per layer: give one phase (" + name.config + ":prefill or :decode)");
  }
  std::cout << fmt::format("{} on {}: {}x{}{} array, {} GHz, {} GB/s DRAM\n\n", o.model, accel.name, accel.tensor.rows,
                           accel.tensor.cols, accel.tensor.arrays > 1 ? fmt::format(" x{}", accel.tensor.arrays) : "",
                           accel.clock_ghz, accel.dram.bandwidth_gb_per_s);
  report::TextTable{.header = {"phase", "latency", "MACs", "DRAM bytes", "util", "bound"},
                    .numeric = {false, true, true, true, true, false},
                    .rows = rows}
      .print(std::cout);
  print_llm(f, accel);
}

void run_evaluate(const EvaluateOptions& o) {
  const std::optional<workload::LlmName> llm = workload::parse_llm_name(o.model);
  if (llm && !llm->phase) {
    const arch::Accelerator accel = arch::load_accelerator(o.arch);
    if (!o.html.empty())
      throw InputError("<command line>", "--html", "give one phase (" + llm->config + ":prefill or :decode)");
    run_llm_both(o, *llm, accel);
    if (!o.save_design.empty())
      save_design(o.save_design, accel, (accel.name.empty() ? "design" : accel.name) + "-copy",
                  "the design `acceldse evaluate` ran, from " + o.arch);
    return;
  }
  const workload::Network net = workload::load_network(o.model, load_options(o.network));
  const arch::Accelerator accel = arch::load_accelerator(o.arch);
  cost::CostCache cache;  // networks repeat shapes
  const cost::NetworkCost nc = cost::evaluate_network(net, accel, &cache);
  // --batch went on the batch axis the importer found (not always the leading one);
  // without it the leading dimension is reported, as the cost model's throughput uses.
  const int64_t batch = o.network.batch.value_or(batch_of(net));
  std::optional<LlmFigures> figures;
  if (llm) {
    figures = llm_figures(*llm, o, accel);
    (*llm->phase == workload::LlmPhase::kPrefill ? figures->ttft_s : figures->tpot_s) = nc.latency_s;
  }
  if (o.format == "csv") {
    print_csv(net, nc);
  } else if (o.format == "json") {
    json doc = documents::evaluation(net, accel, batch, nc);
    if (figures) doc["llm"] = llm_json(*figures, accel);
    std::cout << documents::dumped(doc) << "\n";
  } else {
    print_table(net, accel, batch, nc);
    if (figures) print_llm(*figures, accel);
  }
  if (!o.html.empty())
    report::write_html(o.html, report::evaluation_html(documents::evaluation(net, accel, batch, nc)));
  if (!o.save_design.empty()) {
    save_design(o.save_design, accel, (accel.name.empty() ? "design" : accel.name) + "-copy",
                "the design `acceldse evaluate` ran, from " + o.arch);
  }
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto options = std::make_shared<EvaluateOptions>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate one accelerator design on one network");
  cmd->add_option("--arch", options->arch,
                  fmt::format("Accelerator: a built-in name (archs/NAME.yaml), a YAML file or a SCALE-Sim .cfg "
                              "(default {})",
                              kDefaultArch));
  cmd->add_option("--model", options->model,
                  "Network: a built-in name, an LLM (llama_7b, llama_7b:prefill, llama_7b:decode) or a "
                  "YAML/ONNX/SCALE-Sim CSV file")
      ->required();
  add_network_options(cmd, options->network);
  add_format_option(cmd, options->format);
  cmd->add_option("--html", options->html, "Also write the HTML report (evaluation_html) to FILE");
  cmd->add_option("--save-design", options->save_design,
                  "Also write the evaluated design as an accelerator YAML (named NAME-copy) to FILE");
  cmd->callback([options] { run_evaluate(*options); });
}

}  // namespace acceldse::cli
