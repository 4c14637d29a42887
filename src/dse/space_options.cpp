// The design space a command line asks for: one function for `explore` and the studies,
// so that both accept and refuse exactly the same options.
#include <fmt/format.h>

#include <cmath>

#include "common/error.h"
#include "dse/dse.h"

namespace acceldse::dse {
namespace {

constexpr const char* kCommandLine = "<command line>";

void add_limit(DesignSpace& space, const std::optional<double>& limit, const std::string& metric,
               const std::string& place) {
  if (!limit) return;
  if (!(*limit > 0) || !std::isfinite(*limit)) {
    throw InputError(kCommandLine, place, fmt::format("expected a positive number, got {}", *limit));
  }
  space.add_constraint(fmt::format("{} <= {}", metric, *limit), place);
}

void add_count_limit(DesignSpace& space, const std::optional<int64_t>& limit, const std::string& metric,
                     const std::string& place) {
  if (!limit) return;
  if (*limit <= 0)
    throw InputError(kCommandLine, place, fmt::format("expected a positive whole number, got {}", *limit));
  space.add_constraint(fmt::format("{} <= {}", metric, *limit), place);
}

}  // namespace

DesignSpace build_space(const SpaceOptions& options, const std::string& default_objective) {
  DesignSpace space = options.space.empty() ? DesignSpace::builtin_default() : DesignSpace::load(options.space);
  if (!options.arch.empty()) space.set_base(arch::load_accelerator(options.arch));
  add_limit(space, options.area_max_mm2, "area_mm2", "area_max_mm2");
  add_limit(space, options.power_max_w, "power_w", "power_max_w");
  add_count_limit(space, options.pes_max, "pes", "pes_max");
  for (const std::string& text : options.constraints) space.add_constraint(text, "constraints");
  const std::string& objective = options.objective.empty() ? default_objective : options.objective;
  if (!objective.empty()) space.set_objective(Objective::parse(objective));
  return space;
}

}  // namespace acceldse::dse
