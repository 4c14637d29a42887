#pragma once
// A design space: metrics a design achieves, expressions over them, named parameters
// over a base accelerator, constraints and an objective, and building a space from a
// file and command-line limits.
#include <array>
#include <compare>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arch/arch.h"
#include "common/pareto.h"
#include "cost/cost.h"
#include "workload/workload.h"

namespace acceldse::dse {

// ---- Metrics --------------------------------------------------------------------------
// What one design achieves on one workload. Studies that aggregate several networks
// (suites, co-running) fill the same fields with their aggregate.
struct Metrics {
  double latency_s = 0;
  int64_t cycles = 0;
  double area_mm2 = 0;
  double energy_pj = 0;
  double power_w = 0;           // chip (the DRAM devices: dram_power_w)
  double throughput_per_s = 0;  // inferences per second
  double utilization = 0;       // MACs / (PEs * cycles)
  double edp = 0;               // energy-delay product in joule-seconds
  double perf_per_area = 0;     // inferences per second per mm2
  int64_t pes = 0;
  int64_t dram_bytes = 0;
  double dram_power_w = 0;
};

// Names usable in expressions, in the order append_metric_values() lays them out.
const std::vector<std::string>& metric_names();
// Appends the metrics in metric_names() order.
void append_metric_values(const Metrics& metrics, std::vector<double>& out);
std::optional<double> metric_value(const Metrics& metrics, std::string_view name);
// Derives the search metrics from the cost model's answer for `accel`.
Metrics metrics_of(const cost::NetworkCost& cost, const arch::Accelerator& accel);

// ---- Expressions ----------------------------------------------------------------------
// Arithmetic (+ - * / and parentheses, also × ÷ −) over named variables, optionally
// compared (< <= > >= == != , also ≤ ≥) and combined with `and`/`or` (&& ||).
// Comparisons yield 1 or 0.
class Expression {
 public:
  Expression();
  ~Expression();
  Expression(const Expression&);
  Expression& operator=(const Expression&);
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;

  // `names` fixes the variable order evaluate() expects. Errors name file and place.
  static Expression parse(std::string_view text, const std::vector<std::string>& names, const std::string& file,
                          const std::string& place);
  double evaluate(std::span<const double> values) const;
  // How far from true, relative to the compared magnitude: 0 when satisfied. Used to
  // steer heuristics towards feasibility.
  double violation(std::span<const double> values) const;
  const std::string& text() const;
  // Variables the expression reads, as indices into `names`.
  const std::vector<size_t>& uses() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- Design space ---------------------------------------------------------------------
struct Parameter {
  std::string name;                 // any name arch::set_parameter accepts
  std::vector<std::string> values;  // canonical text, in search order
  // True when every value is a number: then neighbouring values are "close" for the
  // heuristics and the parameter can be used in expressions.
  bool numeric = false;
  std::vector<double> numbers;  // values as numbers when numeric
};

// One point: the index of the chosen value of each parameter.
struct Design {
  std::vector<uint16_t> index;
  auto operator<=>(const Design&) const = default;
  bool operator==(const Design&) const = default;
};
struct DesignHash {
  size_t operator()(const Design& design) const;
};

struct Constraint {
  std::string text;  // e.g. "area_mm2 <= 50"
  Expression expression;
};

class Objective {
 public:
  enum class Sense { kMinimize, kMaximize };
  Objective();  // latency
  // "latency", "throughput", "perf_per_area", "energy", "edp", "pareto", or
  // "min EXPR" / "max EXPR" over metric names. Throws InputError naming file/place.
  static Objective parse(const std::string& text, const std::string& file = "<command line>",
                         const std::string& place = "objective");
  const std::string& name() const { return name_; }
  bool pareto() const { return pareto_; }
  Sense sense() const { return sense_; }
  // Lower is better. For pareto: the product of the front metrics (a scale-free
  // balance point used to pick one "best" design and for sensitivity).
  double score(const Metrics& metrics) const;
  // The metric the score follows, for reports ("latency_s", "edp", "expression").
  const std::string& metric() const { return metric_; }

 private:
  std::string name_, metric_;
  bool pareto_ = false;
  Sense sense_ = Sense::kMinimize;
  std::shared_ptr<const Expression> expression_;  // over metric_names()
};

// The metrics a Pareto front trades off (all minimised): latency_s, area_mm2, energy_pj.
std::array<double, 3> pareto_vector(const Metrics& metrics);

class DesignSpace {
 public:
  // A name in spaces/ (without .yaml) or a YAML file. Throws InputError naming the
  // file and key for malformed YAML, unknown parameters, bad values, empty ranges.
  static DesignSpace load(const std::string& name_or_path);
  static DesignSpace from_yaml_text(const std::string& text, const std::string& file_label);
  // The documented built-in default: spaces/default.yaml.
  static DesignSpace builtin_default();

  // Programmatic construction; every value is checked against `base`.
  DesignSpace(std::string name, std::string file, arch::Accelerator base);
  void add_parameter(const std::string& name, std::vector<std::string> values, const std::string& place = "");
  // Replaces the base accelerator (e.g. --arch); re-checks every parameter value.
  void set_base(arch::Accelerator base);
  void add_constraint(const std::string& text, const std::string& place = "");
  void set_objective(Objective objective) { objective_ = std::move(objective); }

  const std::string& name() const { return name_; }
  const std::string& file() const { return file_; }
  const arch::Accelerator& base() const { return base_; }
  const std::vector<Parameter>& parameters() const { return parameters_; }
  const std::vector<Constraint>& constraints() const { return constraints_; }
  const Objective& objective() const { return objective_; }

  // Number of designs, saturating at UINT64_MAX.
  uint64_t size() const;
  // Design number `flat` in grid order (first parameter slowest).
  Design design_at(uint64_t flat) const;
  // The accelerator of a design: base with every parameter set, in declared order.
  arch::Accelerator accelerator(const Design& design) const;
  const std::string& value(const Design& design, size_t parameter) const;
  // "name=value;..." sorted by parameter name: stable across declaration order.
  std::string key(const Design& design) const;
  // Identity of what determines the metrics: base accelerator + parameter lists.
  std::string hash() const;
  // Expression variables: metric_names() then numeric parameters.
  const std::vector<std::string>& variable_names() const { return variables_; }
  void variable_values(const Design& design, const Metrics& metrics, std::vector<double>& out) const;

 private:
  std::string name_, file_;
  arch::Accelerator base_;
  std::vector<Parameter> parameters_;
  std::vector<Constraint> constraints_;
  Objective objective_;
  std::vector<std::string> variables_;
  void check_value(const Parameter& parameter, size_t i, const std::string& place) const;
};

// What a command line adds to a design space; `explore` and the studies share it so
// that both accept and refuse the same options.
struct SpaceOptions {
  std::string space;                                // a name in spaces/ or a YAML file; empty: spaces/default.yaml
  std::string arch;                                 // replaces the space's base accelerator when given
  std::optional<double> area_max_mm2, power_max_w;  // must be positive and finite
  std::optional<int64_t> pes_max;                   // must be positive
  std::vector<std::string> constraints;             // extra expressions
  std::string objective;                            // empty: default_objective or the space's
};
// Throws InputError (file "<command line>", place the SpaceOptions field) for a limit that is not
// positive, and whatever loading the space or accelerator and parsing throws.
DesignSpace build_space(const SpaceOptions& options, const std::string& default_objective = "");

}  // namespace acceldse::dse
