// `acceldse fit-model`: layer widths that fit a design, or the array shape that fits
// networks as they are (src/dse study.h, fit_network and suggest_array).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common/error.h"
#include "documents/documents.h"
#include "output_options.h"
#include "report/report.h"
#include "study_options.h"

namespace acceldse::cli {
namespace {

using report::csv_field;
using report::join;

struct FitArgs {
  std::string arch, model, models, out, format = "table", html;
  NetworkOptions network;
  double tolerance_pct = 10;
  bool suggest_array = false, exact = false;
  int64_t pes = 0;
  int threads = 0;
  size_t top = 10;
};

std::string values_text(const std::vector<int64_t>& v) {
  if (v.size() == 1) return std::to_string(v[0]);
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

void print_fit_table(std::ostream& os, const dse::FitResult& r, const FitArgs& args, const std::string& model,
                     const std::string& arch) {
  os << fmt::format("Fitting {} to {} (tolerance {}%): {} width classes, {} fixed by the graph\n\n", model, arch,
                    args.tolerance_pct, r.classes, r.frozen_classes);
  std::vector<std::vector<std::string>> rows;
  for (const dse::FitChange& c : r.changes)
    rows.push_back({c.layer, c.field, values_text(c.old_value), values_text(c.new_value), c.reason});
  if (rows.empty())
    os << "No change within the tolerance makes the network faster on this design.\n";
  else
    report::TextTable{.header = {"layer", "field", "old", "new", "why"}, .rows = rows, .indent = "  ", .rule = false}
        .print(os);
  os << fmt::format("\npredicted speed-up {:.4f}x: {} -> {} cycles ({:.6g} -> {:.6g} ms)\n", r.speedup(),
                    r.cycles_before, r.cycles_after, r.latency_before_s * 1e3, r.latency_after_s * 1e3);
  os << fmt::format("MACs {} -> {} ({:+.2f}%), parameters {} -> {} ({:+.2f}%)\n", r.macs_before, r.macs_after,
                    documents::change_pct(r.macs_before, r.macs_after), r.params_before, r.params_after,
                    documents::change_pct(r.params_before, r.params_after));
}

void print_fit_csv(std::ostream& os, const dse::FitResult& r) {
  os << "layer,field,old,new,reason\n";
  for (const dse::FitChange& c : r.changes) {
    os << join({csv_field(c.layer), c.field, csv_field(values_text(c.old_value)), csv_field(values_text(c.new_value)),
                csv_field(c.reason)})
       << "\n";
  }
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// The network was read from ONNX: a file named .onnx (built-in models are YAML).
bool is_onnx_file(const std::string& model) {
  std::error_code ec;
  return std::filesystem::is_regular_file(model, ec) && lower_extension(model) == ".onnx";
}

// --out is YAML, or ONNX when the input was ONNX (the input file with resized weights).
void check_fit_out(const FitArgs& args) {
  std::string ext = lower_extension(args.out);
  if (ext == ".onnx") {
    if (!is_onnx_file(args.model)) {
      throw InputError("<command line>", "--out",
                       "ONNX output is written only for an ONNX input (it is that file with resized weights); '" +
                           args.model + "' is not an .onnx file, so write the fitted network as .yaml");
    }
    return;
  }
  if (ext != ".yaml" && ext != ".yml") {
    throw InputError("<command line>", "--out",
                     "expected a .yaml file (or .onnx for an ONNX input), got '" + args.out + "'");
  }
}

void write_fitted(const dse::FitResult& r, const FitArgs& args) {
  if (lower_extension(args.out) == ".onnx") {
    workload::save_resized_onnx(args.model, r.fitted, args.out, load_options(args.network));
    return;
  }
  std::ofstream file(args.out);
  if (!file || !(file << workload::to_yaml(r.fitted)) || !file.flush()) {
    throw InputError(args.out, "", "cannot write the fitted network");
  }
}

void run_fit(const FitArgs& args) {
  if (args.arch.empty())
    throw InputError("<command line>", "--arch", "fitting a model needs the design (--arch NAME|FILE)");
  if (args.model.empty())
    throw InputError("<command line>", "--model", "expected the network to fit (--model NAME|FILE)");
  if (!(args.tolerance_pct >= 0 && args.tolerance_pct <= 100)) {
    throw InputError("<command line>", "--tolerance",
                     fmt::format("expected a percentage between 0 and 100, got {}", args.tolerance_pct));
  }
  arch::Accelerator accel = arch::load_accelerator(args.arch);
  dse::NetworkPtr net = load_model(args.model, "--model", args.network);
  if (!args.out.empty()) check_fit_out(args);  // fail on a bad path before the search, not after
  dse::FitResult r = dse::fit_network(*net, accel, dse::FitOptions{args.tolerance_pct});
  r.fitted.name = net->name + "_fit";
  r.fitted.description = (net->description.empty() ? net->name : net->description) + "; widths fitted to " +
                         (accel.name.empty() ? args.arch : accel.name) + " by acceldse fit-model";
  if (!args.out.empty()) write_fitted(r, args);
  std::string arch_name = accel.name.empty() ? args.arch : accel.name;
  const documents::Json doc = documents::fit(r, net->name, arch_name, args.tolerance_pct, args.out);
  if (args.format == "json")
    std::cout << documents::dumped(doc) << "\n";
  else if (args.format == "csv")
    print_fit_csv(std::cout, r);
  else
    print_fit_table(std::cout, r, args, net->name, arch_name);
  if (!args.html.empty()) {
    report::write_html(args.html, report::fit_html(documents::for_report(doc)));
  }
}

void run_suggest_array(const FitArgs& args) {
  std::vector<std::string> names =
      args.models.empty() ? std::vector<std::string>{} : split_list(args.models, "--models");
  if (names.empty() && !args.model.empty()) names.push_back(args.model);
  if (names.empty()) throw InputError("<command line>", "--models", "expected the networks to fit an array to");
  std::vector<dse::NetworkPtr> networks;
  for (const std::string& name : names) networks.push_back(load_model(name, "--models", args.network));
  arch::Accelerator base =
      args.arch.empty() ? dse::DesignSpace::builtin_default().base() : arch::load_accelerator(args.arch);
  int64_t pes = args.pes > 0 ? args.pes : base.tensor.rows * base.tensor.cols;
  std::vector<dse::ArrayCandidate> found = dse::suggest_array(networks, base, pes, args.exact, args.threads);
  std::vector<std::string> net_names;
  for (const dse::NetworkPtr& n : networks) net_names.push_back(n->name);
  if (args.format == "json") {
    std::cout << documents::dumped(documents::suggested_arrays(pes, args.exact, net_names, found, args.top)) << "\n";
    return;
  }
  std::vector<std::string> header{"rows", "cols", "pes", "geomean_latency_ms", "geomean_util"};
  for (const std::string& n : net_names) header.push_back(n + "_ms");
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < found.size() && i < args.top; ++i) {
    const dse::ArrayCandidate& c = found[i];
    std::vector<std::string> row{std::to_string(c.rows), std::to_string(c.cols), std::to_string(c.rows * c.cols),
                                 fmt::format("{:.6g}", c.geomean_latency_s * 1e3),
                                 fmt::format("{:.3f}", c.geomean_utilization)};
    for (double l : c.latency_s) row.push_back(fmt::format("{:.6g}", l * 1e3));
    rows.push_back(std::move(row));
  }
  if (args.format == "csv") {
    std::cout << join(header) << "\n";
    for (const auto& row : rows) std::cout << join(row) << "\n";
    return;
  }
  std::cout << fmt::format(
      "Array shapes of {} {} PEs for {} networks, best geomean latency first ({} candidates, top {})\n",
      args.exact ? "exactly" : "at most", pes, networks.size(), found.size(), std::min(args.top, found.size()));
  report::TextTable{.header = header, .rows = rows, .indent = "  ", .rule = false}.print(std::cout);
}

}  // namespace

void add_fit_commands(CLI::App& app) {
  auto args = std::make_shared<FitArgs>();
  CLI::App* cmd =
      app.add_subcommand("fit-model", "Propose layer widths that fit a design (or an array shape that fits networks)");
  cmd->add_option("--arch", args->arch, "The design to fit to (built-in name or file); with --suggest-array, the base");
  cmd->add_option("--model", args->model, "The network to fit (built-in name or file)");
  cmd->add_option("--tolerance", args->tolerance_pct,
                  "Largest change of a width and of the parameter count, percent (default 10)");
  cmd->add_option("--out", args->out,
                  "Write the fitted network as YAML (.yaml), or as ONNX (.onnx) when --model is an ONNX file");
  add_format_option(cmd, args->format);
  cmd->add_option("--html", args->html, "Also write the HTML report (fit_html) to FILE; not with --suggest-array");
  cmd->add_flag("--suggest-array", args->suggest_array, "Suggest the rows x cols that best fit --models as they are");
  cmd->add_option("--models", args->models, "With --suggest-array: comma-separated networks");
  cmd->add_option("--pes", args->pes, "With --suggest-array: PE budget (default: the base design's rows x cols)");
  cmd->add_flag("--exact", args->exact, "With --suggest-array: only shapes with exactly --pes PEs");
  cmd->add_option("--top", args->top, "With --suggest-array: shapes to list (default 10)");
  cmd->add_option("--threads", args->threads, "Worker threads (default: all cores)");
  add_network_options(cmd, args->network, true);
  cmd->callback([args] {
    if (args->suggest_array && !args->html.empty()) {
      throw InputError("<command line>", "--html", "no HTML report for --suggest-array");
    }
    if (args->suggest_array)
      run_suggest_array(*args);
    else
      run_fit(*args);
  });
}

}  // namespace acceldse::cli
