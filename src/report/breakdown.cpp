#include "report/breakdown.h"

#include <vector>

#include "report/charts.h"
#include "report/json_util.h"
#include "report/text.h"

namespace acceldse::report::detail {

namespace {

// The first object found at `paths`, e.g. the energy components.
const json* first_object(const json& doc, std::initializer_list<std::string_view> paths) {
  for (std::string_view p : paths) {
    if (const json* o = object_at(doc, p)) return o;
  }
  return nullptr;
}

const json* energy_object(const json& doc) {
  return first_object(
      doc, {"energy", "energy_pj", "breakdown.energy_pj", "breakdown.energy", "totals.energy", "totals.energy_pj"});
}

const json* area_object(const json& doc) {
  return first_object(doc, {"area", "area_mm2", "breakdown.area_mm2", "breakdown.area", "totals.area"});
}

// Every number in `obj` except totals, with `suffix` dropped from its name.
std::vector<Segment> components(const json* obj, std::string_view suffix) {
  std::vector<Segment> out;
  if (!obj) return out;
  for (const auto& [key, value] : obj->items()) {
    if (!value.is_number() || key.starts_with("total")) continue;
    std::string name = key.ends_with(suffix) ? key.substr(0, key.size() - suffix.size()) : key;
    out.push_back({name, value.get<double>(), ""});
  }
  return out;
}

}  // namespace

std::optional<double> energy_total_pj(const json& doc) {
  auto parts = components(energy_object(doc), "_pj");
  if (parts.empty()) return std::nullopt;
  double sum = 0;
  for (const Segment& s : parts) sum += s.value;
  return sum;
}

std::optional<std::string> breakdown_plot(const json& doc) {
  std::vector<StackRow> rows;
  auto energy = components(energy_object(doc), "_pj");
  for (Segment& s : energy) s.tooltip = s.name + ": " + si(s.value * 1e-12, "J");
  auto area = components(area_object(doc), "_mm2");
  for (Segment& s : area) s.tooltip = s.name + ": " + num(s.value) + " mm²";
  if (!energy.empty()) rows.push_back({"energy", energy});
  if (!area.empty()) rows.push_back({"area", area});
  if (rows.empty()) return std::nullopt;
  return stacked_rows("breakdown", "Where the energy and the area go", rows, true, "share of total (%)");
}

}  // namespace acceldse::report::detail
