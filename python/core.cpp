// The native part of the Python module `acceldse` (package acceldse/, see
// docs/python.md). It adds no model of its own: networks, accelerators and the result store
// come from the library, and evaluate/explore/suite/corun run the command-line code
// itself (acceldse::cli::run_command_line) with --format json, so a Python answer is the
// CLI's answer to the number.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "cli_app.h"
#include "common/error.h"
#include "dse/dse.h"
#include "workload/workload.h"

namespace py = pybind11;
using namespace acceldse;

namespace {

// Sends std::cout to a string while a command runs (the commands print their answer).
class CaptureStdout {
 public:
  CaptureStdout() : old_(std::cout.rdbuf(text_.rdbuf())) {}
  ~CaptureStdout() { std::cout.rdbuf(old_); }
  CaptureStdout(const CaptureStdout&) = delete;
  CaptureStdout& operator=(const CaptureStdout&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::streambuf* old_;
};

// Runs `acceldse ARGS...` in this process and returns what it printed. The GIL stays
// held: std::cout is process-wide, so two commands must not run at once.
std::string run_cli(const std::vector<std::string>& args) {
  CaptureStdout capture;
  cli::run_command_line(args);
  return capture.text();
}

py::dict layer_record(const workload::Network& net, const workload::Op& op) {
  py::dict d;
  d["name"] = op.name;
  d["type"] = op.type;
  d["output_shape"] = op.outputs.empty() ? std::string() : workload::shape_to_string(net.output_of(op).shape);
  d["macs"] = workload::macs(net, op);
  d["vector_ops"] = workload::vector_ops(net, op);
  d["params"] = op.params;
  return d;
}

py::list network_layers(const workload::Network& net) {
  py::list out;
  for (const workload::Op& op : net.ops) out.append(layer_record(net, op));
  return out;
}

py::dict network_totals(const workload::Network& net) {
  const workload::Totals t = workload::totals(net);
  py::dict d;
  d["macs"] = t.macs;
  d["params"] = t.params;
  d["vector_ops"] = t.vector_ops;
  d["ops"] = t.ops;
  return d;
}

workload::Network load_network(const std::string& name_or_path, std::optional<int64_t> batch) {
  workload::LoadOptions options;
  options.batch = batch;
  return workload::load_network(name_or_path, options);
}

// Metrics by name; the counts as integers.
py::dict metrics_dict(const dse::Metrics& metrics) {
  std::vector<double> values;
  dse::append_metric_values(metrics, values);
  py::dict d;
  const std::vector<std::string>& names = dse::metric_names();
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (names[i] == "cycles" || names[i] == "pes" || names[i] == "dram_bytes") {
      d[names[i].c_str()] = static_cast<int64_t>(values[i]);
    } else {
      d[names[i].c_str()] = values[i];
    }
  }
  return d;
}

py::dict stored_dict(const dse::StoredDesign& s) {
  py::dict d;
  d["space"] = s.space;
  d["space_hash"] = s.space_hash;
  d["model"] = s.model;
  d["model_hash"] = s.model_hash;
  d["key"] = s.key;
  d["error"] = s.error;
  py::dict params;
  for (const auto& [name, value] : s.params()) params[name.c_str()] = value;
  d["params"] = params;
  d["metrics"] = metrics_dict(s.metrics);
  return d;
}

void bind_network(py::module_& m) {
  py::class_<workload::Network>(m, "Network", "A network as acceldse sees it (graph IR with shapes)")
      .def_readonly("name", &workload::Network::name)
      .def_readonly("domain", &workload::Network::domain)
      .def_readonly("description", &workload::Network::description)
      .def("layers", &network_layers, "One dict per op, in network order")
      .def("totals", &network_totals, "MACs, parameters, vector ops and op count")
      .def("to_yaml", [](const workload::Network& n) { return workload::to_yaml(n); })
      .def("__len__", [](const workload::Network& n) { return n.ops.size(); })
      .def("__repr__", [](const workload::Network& n) {
        return "<acceldse.Network '" + n.name + "' with " + std::to_string(n.ops.size()) + " ops>";
      });
  m.def("load_network", &load_network, py::arg("name_or_path"), py::arg("batch") = py::none(),
        "A built-in model name or a YAML / ONNX / SCALE-Sim CSV file");
  m.def(
      "network_from_yaml",
      [](const std::string& text, std::optional<int64_t> batch) {
        workload::LoadOptions options;
        options.batch = batch;
        return workload::load_yaml_text(text, "<python text>", options);
      },
      py::arg("text"), py::arg("batch") = py::none(), "A network from the text of its YAML form");
  m.def("builtin_models", [] {
    std::vector<std::string> names;
    for (const workload::SuiteEntry& e : workload::suite()) names.push_back(e.name);
    return names;
  });
}

void bind_accelerator(py::module_& m) {
  py::class_<arch::Accelerator>(m, "Accelerator", "An accelerator spec (the template's plain data)")
      .def_readonly("name", &arch::Accelerator::name)
      .def_readonly("clock_ghz", &arch::Accelerator::clock_ghz)
      .def_property_readonly("pes", &arch::Accelerator::pes)
      .def_property_readonly("rows", [](const arch::Accelerator& a) { return a.tensor.rows; })
      .def_property_readonly("cols", [](const arch::Accelerator& a) { return a.tensor.cols; })
      .def_property_readonly("technology", [](const arch::Accelerator& a) { return a.technology.name; })
      .def("to_yaml", [](const arch::Accelerator& a) { return arch::to_yaml(a); })
      .def(
          "with_parameter",
          [](const arch::Accelerator& a, const std::string& name, const std::string& value) {
            arch::Accelerator copy = a;
            arch::set_parameter(copy, name, value);
            arch::validate(copy, "<python>");
            return copy;
          },
          py::arg("name"), py::arg("value"), "A copy with one design-space parameter set (e.g. 'rows', '64')")
      .def("__repr__", [](const arch::Accelerator& a) {
        return "<acceldse.Accelerator '" + a.name + "' " + std::to_string(a.tensor.rows) + "x" +
               std::to_string(a.tensor.cols) + ">";
      });
  m.def("load_arch", &arch::load_accelerator, py::arg("name_or_path"),
        "A built-in accelerator (archs/NAME.yaml), a YAML file or a SCALE-Sim .cfg");
  m.def(
      "arch_from_yaml", [](const std::string& text) { return arch::load_accelerator_yaml_text(text, "<python dict>"); },
      py::arg("text"), "An accelerator from the text of its YAML form (JSON is YAML too)");
  m.def("builtin_archs", &arch::builtin_accelerators);
}

void bind_store(py::module_& m) {
  py::class_<dse::ResultStore>(m, "ResultStore", "The SQLite result store of explore --db")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("count", &dse::ResultStore::count)
      .def(
          "designs",
          [](dse::ResultStore& s, const std::string& model) {
            py::list out;
            for (const dse::StoredDesign& d : s.all(model)) out.append(stored_dict(d));
            return out;
          },
          py::arg("model") = "", "Every stored design (of one model if given)");
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "acceldse native core; use the `acceldse` package";
  // Bad input is a ValueError carrying the message the CLI prints after "acceldse: error: ".
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const cli::UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  m.def("run_cli", &run_cli, py::arg("args"), "Runs `acceldse ARGS...` in this process and returns what it printed");
  bind_network(m);
  bind_accelerator(m);
  bind_store(m);
}
