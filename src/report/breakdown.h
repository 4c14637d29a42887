#pragma once
// Energy and area breakdown of one design, from whichever layout the document uses:
// {"energy": {"mac_pj": ..}}, {"energy_pj": {"mac": ..}}, or the same under
// "breakdown" / "totals". Internal to src/report.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace acceldse::report::detail {

// The breakdown plot (data-kind "breakdown"), or nullopt if `doc` has no components.
std::optional<std::string> breakdown_plot(const nlohmann::json& doc);

// Sum of the energy components in pJ, for documents without a total.
std::optional<double> energy_total_pj(const nlohmann::json& doc);

}  // namespace acceldse::report::detail
