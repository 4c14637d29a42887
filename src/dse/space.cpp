// Design spaces: parameters over a base accelerator, loaded from YAML or built in code.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include "common/data_dir.h"
#include "common/error.h"
#include "common/input_limits.h"
#include "common/yaml_check.h"
#include "dse/dse.h"
#include "dse/internal.h"

namespace acceldse::dse {

namespace {

constexpr size_t kMaxValuesPerParameter = std::numeric_limits<uint16_t>::max();

// Range values are printed so that integers look like integers and decimal steps
// (0.1 + 0.2) do not leak binary noise into design keys.
std::string format_number(double value) {
  if (std::abs(value) < 1e15 && value == std::round(value)) {
    return std::to_string(static_cast<long long>(std::llround(value)));
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.12g", value);
  return buffer;
}

std::string where(const std::string& key, const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return key;
  return key + " (line " + std::to_string(node.Mark().line + 1) + ")";
}

double range_number(const YAML::Node& range, const char* field, const std::string& file, const std::string& place) {
  const YAML::Node node = range[field];
  if (!node.IsDefined() || !node.IsScalar()) {
    throw InputError(file, place, std::string("range needs a number '") + field + "'");
  }
  auto value = detail::parse_number(node.Scalar());
  if (!value) throw InputError(file, place + "." + field, "expected a number, got '" + node.Scalar() + "'");
  return *value;
}

std::vector<std::string> range_values(const YAML::Node& range, const std::string& file, const std::string& place) {
  for (const auto& entry : range) {
    std::string key = entry.first.as<std::string>();
    if (key != "min" && key != "max" && key != "step" && key != "factor") {
      throw InputError(file, place + "." + key, "unknown range key; expected min, max and step or factor");
    }
  }
  double min = range_number(range, "min", file, place);
  double max = range_number(range, "max", file, place);
  bool has_step = range["step"].IsDefined(), has_factor = range["factor"].IsDefined();
  if (has_step == has_factor) throw InputError(file, place, "range needs exactly one of 'step' or 'factor'");
  if (max < min)
    throw InputError(file, place, "empty range: max (" + format_number(max) + ") < min (" + format_number(min) + ")");
  std::vector<std::string> values;
  auto push = [&](double v) {
    if (values.size() >= kMaxValuesPerParameter)
      throw InputError(file, place, "range has too many values (limit 65535)");
    values.push_back(format_number(v));
  };
  if (has_step) {
    double step = range_number(range, "step", file, place);
    if (!(step > 0)) throw InputError(file, place + ".step", "step must be > 0 (the range would be empty or endless)");
    // Multiplying rather than accumulating keeps long decimal ranges exact enough.
    for (int64_t i = 0;; ++i) {
      double v = min + static_cast<double>(i) * step;
      if (v > max + 1e-9 * std::max(1.0, std::abs(max))) break;
      push(v);
    }
  } else {
    double factor = range_number(range, "factor", file, place);
    if (!(factor > 1)) throw InputError(file, place + ".factor", "factor must be > 1");
    if (!(min > 0)) throw InputError(file, place + ".min", "a geometric range needs min > 0");
    for (double v = min; v <= max * (1 + 1e-9); v *= factor) push(v);
  }
  return values;
}

std::vector<std::string> parameter_values(const YAML::Node& node, const std::string& file, const std::string& place) {
  if (node.IsScalar()) return {node.Scalar()};
  if (node.IsMap()) return range_values(node, file, place);
  if (!node.IsSequence()) throw InputError(file, place, "expected a list of values or a range {min, max, step|factor}");
  std::vector<std::string> values;
  for (size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) {
      throw InputError(file, where(place + "[" + std::to_string(i) + "]", node[i]), "expected a scalar value");
    }
    values.push_back(node[i].Scalar());
  }
  return values;
}

arch::Accelerator default_base() {
  arch::Accelerator accel;
  accel.technology = arch::load_technology(accel.technology_name);
  return accel;
}

// A base given by name or path; a relative path is tried next to the space file first.
arch::Accelerator load_base(const YAML::Node& node, const std::string& file) {
  if (node.IsMap()) {
    YAML::Emitter out;
    out << node;
    return arch::load_accelerator_yaml_text(out.c_str(), file + ": base");
  }
  if (!node.IsScalar()) throw InputError(file, where("base", node), "expected an accelerator name, file or mapping");
  std::string name = node.Scalar();
  std::filesystem::path beside = std::filesystem::path(file).parent_path() / name;
  if (std::filesystem::path(name).is_relative() && std::filesystem::is_regular_file(beside)) {
    return arch::load_accelerator(beside.string());
  }
  return arch::load_accelerator(name);
}

void check_keys(const YAML::Node& root, const std::string& file) {
  static const std::vector<std::string> kKeys{"name", "description", "base", "parameters", "constraints", "objective"};
  for (const auto& entry : root) {
    std::string key = entry.first.as<std::string>();
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      throw InputError(file, where(key, entry.first),
                       "unknown key; expected name, description, base, parameters, constraints, objective");
    }
  }
}

DesignSpace from_node(const YAML::Node& root, const std::string& file) {
  if (!root.IsMap()) throw InputError(file, "", "expected a mapping with 'parameters'");
  check_keys(root, file);
  std::string name = root["name"] ? root["name"].as<std::string>() : std::filesystem::path(file).stem().string();
  arch::Accelerator base = root["base"] ? load_base(root["base"], file) : default_base();
  DesignSpace space(name, file, std::move(base));
  const YAML::Node parameters = root["parameters"];
  if (!parameters || !parameters.IsMap() || parameters.size() == 0) {
    throw InputError(file, where("parameters", parameters), "expected a non-empty mapping of parameter: values");
  }
  for (const auto& entry : parameters) {
    std::string key = entry.first.as<std::string>();
    std::string place = where("parameters." + key, entry.first);
    space.add_parameter(key, parameter_values(entry.second, file, place), place);
  }
  if (const YAML::Node constraints = root["constraints"]) {
    if (!constraints.IsSequence())
      throw InputError(file, where("constraints", constraints), "expected a list of expressions");
    for (size_t i = 0; i < constraints.size(); ++i) {
      std::string place = where("constraints[" + std::to_string(i) + "]", constraints[i]);
      if (!constraints[i].IsScalar()) throw InputError(file, place, "expected an expression such as 'area_mm2 <= 50'");
      space.add_constraint(constraints[i].Scalar(), place);
    }
  }
  if (const YAML::Node objective = root["objective"]) {
    if (!objective.IsScalar()) throw InputError(file, where("objective", objective), "expected an objective name");
    space.set_objective(Objective::parse(objective.Scalar(), file, where("objective", objective)));
  }
  return space;
}

uint64_t fnv1a(std::string_view text, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

std::string detail::hex_hash(std::string_view text) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
  return buffer;
}

size_t DesignHash::operator()(const Design& design) const {
  uint64_t h = 1469598103934665603ULL;
  for (uint16_t i : design.index) h = (h ^ i) * 1099511628211ULL;
  return static_cast<size_t>(h);
}

DesignSpace DesignSpace::from_yaml_text(const std::string& text, const std::string& file_label) {
  const YAML::Node root = parse_yaml_document(text, file_label);
  try {
    return from_node(root, file_label);
  } catch (const YAML::Exception& e) {
    throw InputError(file_label, "line " + std::to_string(e.mark.line + 1), "unexpected YAML structure: " + e.msg);
  }
}

DesignSpace DesignSpace::load(const std::string& name_or_path) {
  std::filesystem::path path(name_or_path);
  if (!std::filesystem::is_regular_file(path)) {
    std::filesystem::path builtin = data_path("spaces") / (name_or_path + ".yaml");
    if (!std::filesystem::is_regular_file(builtin)) {
      throw InputError(name_or_path, "", "no such design-space file or built-in space (see spaces/)");
    }
    path = builtin;
  }
  return from_yaml_text(read_input_file(path.string(), kMaxTextInputBytes, "a design-space YAML file"), path.string());
}

DesignSpace DesignSpace::builtin_default() { return load((data_path("spaces") / "default.yaml").string()); }

DesignSpace::DesignSpace(std::string name, std::string file, arch::Accelerator base)
    : name_(std::move(name)), file_(std::move(file)), base_(std::move(base)), variables_(metric_names()) {
  arch::validate(base_, file_);
}

void DesignSpace::check_value(const Parameter& parameter, size_t i, const std::string& place) const {
  const std::string& value = parameter.values[i];
  std::string at = place + "[" + std::to_string(i) + "]";
  if (value.empty() || value.find_first_of(";=") != std::string::npos) {
    throw InputError(file_, at, "value '" + value + "' must be non-empty and contain no ';' or '='");
  }
  arch::Accelerator accel = base_;
  try {
    arch::set_parameter(accel, parameter.name, value);
  } catch (const InputError& e) {
    throw InputError(file_, i == 0 ? place : at, e.detail());
  }
}

void DesignSpace::add_parameter(const std::string& name, std::vector<std::string> values, const std::string& place_in) {
  std::string place = place_in.empty() ? "parameters." + name : place_in;
  if (values.empty()) throw InputError(file_, place, "no values: the parameter's list or range is empty");
  if (values.size() > kMaxValuesPerParameter) throw InputError(file_, place, "too many values (limit 65535)");
  for (const Parameter& p : parameters_) {
    if (p.name == name) throw InputError(file_, place, "parameter given twice");
  }
  Parameter parameter{name, std::move(values), true, {}};
  for (size_t i = 0; i < parameter.values.size(); ++i) {
    check_value(parameter, i, place);
    for (size_t j = 0; j < i; ++j) {
      if (parameter.values[j] == parameter.values[i]) {
        throw InputError(file_, place + "[" + std::to_string(i) + "]", "duplicate value '" + parameter.values[i] + "'");
      }
    }
    auto number = detail::parse_number(parameter.values[i]);
    parameter.numeric = parameter.numeric && number.has_value();
    parameter.numbers.push_back(number.value_or(0));
  }
  if (!parameter.numeric) parameter.numbers.clear();
  bool shadows_metric = std::find(variables_.begin(), variables_.end(), name) != variables_.end();
  if (parameter.numeric && !shadows_metric) variables_.push_back(name);
  parameters_.push_back(std::move(parameter));
}

void DesignSpace::set_base(arch::Accelerator base) {
  arch::validate(base, file_);
  base_ = std::move(base);
  for (const Parameter& parameter : parameters_) {
    for (size_t i = 0; i < parameter.values.size(); ++i) check_value(parameter, i, "parameters." + parameter.name);
  }
}

void DesignSpace::add_constraint(const std::string& text, const std::string& place_in) {
  std::string place = place_in.empty() ? "constraint '" + text + "'" : place_in;
  constraints_.push_back(Constraint{text, Expression::parse(text, variables_, file_, place)});
}

uint64_t DesignSpace::size() const {
  uint64_t n = 1;
  for (const Parameter& p : parameters_) {
    if (n > std::numeric_limits<uint64_t>::max() / p.values.size()) return std::numeric_limits<uint64_t>::max();
    n *= p.values.size();
  }
  return n;
}

Design DesignSpace::design_at(uint64_t flat) const {
  Design design;
  design.index.resize(parameters_.size());
  for (size_t i = parameters_.size(); i-- > 0;) {
    uint64_t n = parameters_[i].values.size();
    design.index[i] = static_cast<uint16_t>(flat % n);
    flat /= n;
  }
  return design;
}

arch::Accelerator DesignSpace::accelerator(const Design& design) const {
  arch::Accelerator accel = base_;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    arch::set_parameter(accel, parameters_[i].name, value(design, i));
  }
  return accel;
}

const std::string& DesignSpace::value(const Design& design, size_t parameter) const {
  return parameters_[parameter].values[design.index[parameter]];
}

std::string DesignSpace::key(const Design& design) const {
  std::vector<size_t> order(parameters_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return parameters_[a].name < parameters_[b].name; });
  std::string out;
  for (size_t i : order) {
    if (!out.empty()) out += ';';
    out += parameters_[i].name + "=" + value(design, i);
  }
  return out;
}

std::string DesignSpace::hash() const {
  // Declared order is part of the identity: parameters are applied in that order. The
  // spec's leading comment (where its format is documented) is not.
  std::string text = arch::to_yaml(base_);
  if (text.starts_with('#')) text.erase(0, text.find('\n') + 1);
  for (const Parameter& p : parameters_) {
    text += "\n" + p.name + ":";
    for (const std::string& v : p.values) text += v + ";";
  }
  return detail::hex_hash(text);
}

void DesignSpace::variable_values(const Design& design, const Metrics& metrics, std::vector<double>& out) const {
  out.clear();
  append_metric_values(metrics, out);
  for (size_t i = 0; i < parameters_.size() && out.size() < variables_.size(); ++i) {
    const Parameter& p = parameters_[i];
    if (p.numeric && variables_[out.size()] == p.name) out.push_back(p.numbers[design.index[i]]);
  }
}

std::optional<double> detail::parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace acceldse::dse
