// The pages for the three studies built on the search: designing for a suite of
// networks, co-running networks on one chip, and fitting a network to the hardware.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "report/charts.h"
#include "report/json_util.h"
#include "report/page.h"
#include "report/report.h"
#include "report/svg.h"
#include "report/text.h"

namespace acceldse::report {

using namespace detail;

namespace {

// A design's parameters: nested under "params" or flat beside other keys.
const json& params_of(const json& design) {
  const json* p = object_at(design, "params");
  return p ? *p : design;
}

std::vector<std::string> string_list(const json* arr) {
  std::vector<std::string> out;
  if (!arr) return out;
  for (const json& v : *arr) {
    std::string s = v.is_object() ? name_of(v, "name") : display(v);
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

// A cross-matrix cell: a number, or an object carrying the normalised performance.
double cell_value(const json& v) {
  if (v.is_number()) return v.get<double>();
  return number(v, {"normalized_perf", "normalised_perf", "perf", "value", "relative"}).value_or(NAN);
}

std::string fixed2(double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v) : "–"; }

// Objective, space, constraints and search time, as most study documents carry them.
void add_run_rows(const json& doc, std::vector<std::pair<std::string, std::string>>& rows) {
  if (auto o = text(doc, {"objective"})) rows.emplace_back("objective", *o);
  if (std::string space = name_of(doc, "space"); !space.empty()) rows.emplace_back("design space", space);
  if (const json* c = array_at(doc, "constraints")) {
    std::string joined;
    for (const json& item : *c) joined += (joined.empty() ? "" : "; ") + display(item);
    rows.emplace_back("constraints", joined);
  }
  if (auto f = number(doc, {"run.feasible_for_all"}))
    rows.emplace_back("designs feasible for all", count(static_cast<int64_t>(*f)));
  if (auto t = number(doc, {"run.elapsed_s"})) rows.emplace_back("search time", si(*t, "s"));
}

// ---- suite ----------------------------------------------------------------------

// Each network's own optimum in suite order (so the diagonal reads 1.00), then any
// other designs, then the selected suite design last.
std::vector<std::string> design_order(std::vector<std::string> labels, const std::vector<std::string>& networks,
                                      const std::string& selected) {
  auto rank = [&](const std::string& label) {
    auto it = std::find(networks.begin(), networks.end(), label);
    if (it != networks.end()) return static_cast<size_t>(it - networks.begin());
    return label == selected ? networks.size() + 1 : networks.size();
  };
  std::stable_sort(labels.begin(), labels.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  return labels;
}

// The colour scale of the heat map starts at a fixed floor, not at the data's minimum:
// otherwise a matrix whose worst cell is 0.97 paints 0.97 as the worst colour and reads
// as a large loss. Relative performance is 0 (cannot run usefully) to 1 (its optimum).
constexpr double kHeatFloor = 0;
constexpr double kHeatCeiling = 1;

// Absolute figures of network `n` on design `d` from doc.designs[d].metrics[n].
struct Absolute {
  double latency_s = NAN, throughput_per_s = NAN;
};
Absolute absolute_of(const json* designs, const std::string& d, const std::string& n) {
  Absolute a;
  const json* design = designs && designs->contains(d) ? &(*designs)[d] : nullptr;
  const json* m = design && design->is_object() ? find(*design, "metrics") : nullptr;
  if (!m || !m->is_object() || !m->contains(n)) return a;
  a.latency_s = number((*m)[n], {"latency_s"}).value_or(NAN);
  a.throughput_per_s = number((*m)[n], {"throughput_per_s"}).value_or(NAN);
  return a;
}

struct HeatLayout {
  Box box;
  double cell_w = 0;
  static constexpr double kCellH = 40;  // two lines: relative and absolute
  static constexpr size_t kRowLabelChars = 26;
};

HeatLayout heat_layout(const std::vector<std::string>& designs, const std::vector<std::string>& networks) {
  HeatLayout l;
  size_t label_chars = 8;
  for (const auto& d : designs) label_chars = std::max(label_chars, std::min(d.size() + 2, HeatLayout::kRowLabelChars));
  Box& box = l.box;
  box.left = 14 + 6.5 * static_cast<double>(label_chars);
  // Right of the matrix: "geomean 0.87" (about 80 px), then the colour bar, its ticks
  // and its rotated title; each has its own column so nothing overlaps.
  box.right = 200;
  box.top = 40;
  box.bottom = Svg::band_axis_margin(networks);
  l.cell_w = std::clamp((1000 - box.left - box.right) / std::max<double>(1, static_cast<double>(networks.size())), 30.0,
                        110.0);
  box.width = std::max(box.left + l.cell_w * static_cast<double>(networks.size()) + box.right, 760.0);
  box.right = box.width - box.left - l.cell_w * static_cast<double>(networks.size());
  box.height = box.top + HeatLayout::kCellH * static_cast<double>(designs.size()) + box.bottom;
  return l;
}

std::string heat_cell(const HeatLayout& l, double x, double y, double v, const Absolute& a, bool selected,
                      const std::string& network, const std::string& design, const Scale& colour) {
  const double h = HeatLayout::kCellH;
  std::string fill = sequential_colour(colour(std::clamp(v, kHeatFloor, kHeatCeiling)));
  std::string detail = fmt::format("{} on {}: {} of its own optimum", network, design, fixed2(v));
  if (std::isfinite(a.latency_s)) detail += "; latency " + si(a.latency_s, "s");
  if (std::isfinite(a.throughput_per_s)) detail += ", " + num(a.throughput_per_s) + " inferences/s";
  std::string out =
      fmt::format(R"(<rect class="cell{}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>)",
                  selected ? " sel" : "", px(x), px(y), px(l.cell_w), px(h), fill, escape(detail));
  out += fmt::format(R"(<text class="ct" x="{}" y="{}" fill="{}">{}</text>)", px(x + l.cell_w / 2), px(y + 16),
                     text_colour_on(fill), fixed2(v));
  // "12.3 ms" needs about 44 px at 10 px; narrower cells keep it in the tooltip.
  if (std::isfinite(a.latency_s) && l.cell_w >= 46) {
    out += fmt::format(R"(<text class="ca" x="{}" y="{}" fill="{}">{}</text>)", px(x + l.cell_w / 2), px(y + 31),
                       text_colour_on(fill), escape(si(a.latency_s, "s")));
  }
  return out;
}

std::string heat_map(const std::vector<std::string>& designs, const std::vector<std::string>& networks,
                     const json& matrix, const json* design_docs, const std::string& selected) {
  const HeatLayout l = heat_layout(designs, networks);
  const Box& box = l.box;
  const double h = HeatLayout::kCellH;
  Scale colour{kHeatFloor, kHeatCeiling, 0, 1, false};
  Svg svg("heatmap", box, fmt::format(R"(data-rows="{}" data-cols="{}")", designs.size(), networks.size()));
  svg.title("Performance of each network on each design, relative to its own optimum (latency below)");
  bool any = false;
  for (size_t r = 0; r < designs.size(); ++r) {
    const json* row = matrix.contains(designs[r]) && matrix[designs[r]].is_object() ? &matrix[designs[r]] : nullptr;
    double y = box.y0() + static_cast<double>(r) * h;
    svg.body += fmt::format(R"(<text class="ty" x="{}" y="{}">{}</text>)", px(box.x0() - 6), px(y + h / 2 + 4),
                            escape(ellipsize(designs[r], HeatLayout::kRowLabelChars)));
    double log_sum = 0;
    size_t n_pos = 0;
    bool complete = true;
    for (size_t c = 0; c < networks.size(); ++c) {
      if (!row || !row->contains(networks[c])) continue;
      double v = cell_value((*row)[networks[c]]);
      double x = box.x0() + static_cast<double>(c) * l.cell_w;
      if (!std::isfinite(v)) {  // null: the design breaks a constraint on that network
        complete = false;
        svg.body += fmt::format(
            R"(<rect class="cell na" x="{}" y="{}" width="{}" height="{}" fill="#eeeeee"><title>{} on {}: breaks a constraint</title></rect>)",
            px(x), px(y), px(l.cell_w), px(h), escape(networks[c]), escape(designs[r]));
        continue;
      }
      any = true;
      if (v > 0) {
        log_sum += std::log(v);
        ++n_pos;
      }
      svg.body += heat_cell(l, x, y, v, absolute_of(design_docs, designs[r], networks[c]), designs[r] == selected,
                            networks[c], designs[r], colour);
    }
    // The suite criterion is the geometric mean over networks, so show it per row.
    if (n_pos > 0 && complete) {
      svg.body += fmt::format(R"(<text x="{}" y="{}">geomean {}</text>)", px(box.x1() + 8), px(y + h / 2 + 4),
                              fixed2(std::exp(log_sum / static_cast<double>(n_pos))));
    }
  }
  svg.band_axis(networks, box.x0(), l.cell_w, "network");
  if (any) svg.colour_bar(colour, "relative performance (fixed 0 to 1)", 100);
  return svg.str();
}

// ---- uncertainty ----------------------------------------------------------------

// Each network's improvement under perturbed technologies: a bar from min to max, a
// tick at the median, a dot at the nominal figure.
std::string spread_chart(const std::vector<std::string>& networks, const json& unc, const json* nominal) {
  const json* imp = object_at(unc, "improvement_pct");
  std::vector<double> all;
  struct Row {
    double lo, mid, hi, nom;
  };
  std::vector<Row> rows;
  for (const auto& n : networks) {
    const json* s = imp && imp->contains(n) ? &(*imp)[n] : nullptr;
    Row r{NAN, NAN, NAN, NAN};
    if (s && s->is_object()) {
      r.lo = number(*s, {"min"}).value_or(NAN);
      r.mid = number(*s, {"median"}).value_or(NAN);
      r.hi = number(*s, {"max"}).value_or(NAN);
    }
    if (nominal && nominal->contains(n) && (*nominal)[n].is_number()) r.nom = (*nominal)[n].get<double>();
    for (double v : {r.lo, r.hi, r.nom}) all.push_back(v);
    rows.push_back(r);
  }
  Box box;
  box.width = 1000;
  box.height = 360;
  box.bottom = Svg::band_axis_margin(networks);
  box.height = 260 + box.bottom;
  Scale y = fit_scale(all, box.y1(), box.y0(), {false, 20, true, 0.06});
  Svg svg("spread", box);
  svg.title(
      "Improvement of the selected design over each optimum under technology uncertainty (min–max, median, nominal •)");
  svg.y_axis(y, "improvement (%)");
  const double bw = (box.x1() - box.x0()) / std::max<double>(1, static_cast<double>(networks.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const double cx = box.x0() + (static_cast<double>(i) + 0.5) * bw;
    const double w = std::min(18.0, bw * 0.4);
    if (std::isfinite(r.lo) && std::isfinite(r.hi)) {
      std::string tip =
          fmt::format("{}: improvement min {:.1f}%, median {:.1f}%, max {:.1f}%", networks[i], r.lo, r.mid, r.hi);
      double top = y(r.hi), bottom = y(r.lo);
      svg.body += fmt::format(
          R"(<rect class="bar range" x="{}" y="{}" width="{}" height="{}" fill="#9ecae9"><title>{}</title></rect>)",
          px(cx - w / 2), px(top), px(w), px(std::max(1.0, bottom - top)), escape(tip));
      if (std::isfinite(r.mid)) {
        svg.body += fmt::format(R"(<line class="mk" x1="{}" x2="{}" y1="{}" y2="{}"/>)", px(cx - w / 2 - 3),
                                px(cx + w / 2 + 3), px(y(r.mid)), px(y(r.mid)));
      }
    }
    if (std::isfinite(r.nom)) {
      svg.body +=
          fmt::format(R"(<circle class="pt sv" cx="{}" cy="{}" r="4"><title>{} nominal: {:.1f}%</title></circle>)",
                      px(cx), px(y(r.nom)), escape(networks[i]), r.nom);
    }
  }
  svg.band_axis(networks, box.x0(), bw, "network");
  return svg.str();
}

void add_uncertainty(Page& page, const json& doc, const std::vector<std::string>& networks) {
  const json* unc = object_at(doc, "uncertainty");
  if (!unc) return;
  page.heading("Under technology uncertainty");
  double pct_v = number(*unc, {"pct"}).value_or(NAN);
  double samples = number(*unc, {"samples"}).value_or(NAN);
  page.paragraph(
      fmt::format("The study re-run {} times with every technology constant (area, energy, leakage, DRAM "
                  "figures) scaled by its own random factor within ±{}% (seed {}).",
                  std::isfinite(samples) ? count(static_cast<int64_t>(samples)) : "?", num(pct_v),
                  text(*unc, {"seed"}).value_or("?")));
  page.raw(spread_chart(networks, *unc, object_at(doc, "improvement_pct")));
  const json* same = object_at(*unc, "optimum_same");
  const json* imp = object_at(*unc, "improvement_pct");
  Rows rows;
  for (const auto& n : networks) {
    std::string stay = same && same->contains(n) && (*same)[n].is_number() ? pct((*same)[n].get<double>()) : "";
    std::string spread;
    if (imp && imp->contains(n) && (*imp)[n].is_object()) {
      const json& s = (*imp)[n];
      spread = fmt::format("{} / {} / {}", num(number(s, {"min"}).value_or(NAN)),
                           num(number(s, {"median"}).value_or(NAN)), num(number(s, {"max"}).value_or(NAN)));
    }
    rows.push_back({n, stay, spread});
  }
  page.table({"network", "its optimum stays the same", "improvement % min / median / max"}, rows);
  if (auto sel = number(*unc, {"selected_same"})) {
    page.paragraph("The selected design stays the nominal one in " + pct(*sel) + " of the samples.");
  }
}

void add_constraint_report(Page& page, const json& doc) {
  const json* report = array_at(doc, "constraint_report");
  if (!report || report->empty()) return;
  page.heading("What bound the study");
  Rows rows;
  for (const json& c : *report) {
    if (!c.is_object()) continue;
    rows.push_back({text(c, {"constraint"}).value_or(""), text(c, {"designs_removed"}).value_or(""),
                    text(c, {"verdict"}).value_or("")});
  }
  page.table({"constraint", "designs removed", "verdict"}, rows);
}

void add_improvement(Page& page, const json& doc, const std::vector<std::string>& networks) {
  const json* imp = object_at(doc, "improvement_pct");
  if (!imp || imp->empty()) {
    page.note("No improvement_pct in the input: improvement chart skipped.");
    return;
  }
  BarChart c;
  c.kind = "improvement";
  c.title = "Performance change of each network on the suite design vs its own optimum";
  c.x_label = "network";
  c.y_label = "change (%)";
  c.value_labels = true;
  c.width = 1000;
  c.series = {{"gain", "#59a14f", "gain", {}}, {"loss", "#e15759", "loss", {}}};
  std::vector<std::string> order = networks;  // suite order first, then any others
  for (const auto& [k, v] : imp->items()) {
    if (std::find(order.begin(), order.end(), k) == order.end()) order.push_back(k);
  }
  for (const auto& n : order) {
    double v = imp->contains(n) && (*imp)[n].is_number() ? (*imp)[n].get<double>() : NAN;
    if (!imp->contains(n)) continue;
    c.categories.push_back(n);
    c.series[0].values.push_back(v >= 0 ? v : NAN);
    c.series[1].values.push_back(v < 0 ? v : NAN);
  }
  page.raw(bar_chart(c));
}

void add_design_table(Page& page, const json* designs, const std::vector<std::string>& order) {
  if (!designs || designs->empty()) return;
  std::vector<std::string> keys;
  for (const auto& [label, d] : designs->items()) {
    if (!d.is_object()) continue;
    for (const auto& [k, v] : params_of(d).items()) {
      if (!v.is_object() && !v.is_array() && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  if (std::find(keys.begin(), keys.end(), "area_mm2") == keys.end()) keys.push_back("area_mm2");
  std::vector<std::string> header{"design"};
  header.insert(header.end(), keys.begin(), keys.end());
  std::vector<std::string> labels;
  for (const auto& [label, d] : designs->items()) labels.push_back(label);
  std::stable_sort(labels.begin(), labels.end(), [&](const auto& a, const auto& b) {
    auto pos = [&](const std::string& l) { return std::find(order.begin(), order.end(), l) - order.begin(); };
    return pos(a) < pos(b);
  });
  Rows rows;
  for (const auto& label : labels) {
    const json& d = (*designs)[label];
    std::vector<std::string> row{label};
    for (const auto& k : keys) {
      const json* v = d.is_object() ? find(params_of(d), k) : nullptr;
      if (!v && d.is_object()) v = find(d, k);
      if (!v && d.is_object()) v = find(d, "metrics." + k);
      row.push_back(v ? display(*v) : "");
    }
    rows.push_back(std::move(row));
  }
  page.table(header, rows);
}

// ---- co-running -----------------------------------------------------------------

struct CoNet {
  std::string name;
  double throughput = NAN, latency = NAN, target = NAN;
  const json* share = nullptr;
  const json* raw = nullptr;
};

std::vector<CoNet> read_conets(const json& doc) {
  std::vector<CoNet> out;
  const json* arr = array_at(doc, "networks");
  if (!arr) return out;
  for (const json& n : *arr) {
    if (!n.is_object()) continue;
    CoNet c;
    c.name = name_of(n, "name");
    if (c.name.empty()) c.name = name_of(n, "model");
    c.throughput = number(n, {"throughput_per_s"}).value_or(NAN);
    c.latency = number(n, {"latency_s"}).value_or(NAN);
    c.target = number(n, {"target_per_s", "target_throughput_per_s", "target"}).value_or(NAN);
    c.share = find(n, "share");
    c.raw = &n;
    out.push_back(c);
  }
  return out;
}

// Resources a co-run share can partition, in display order. A share object holds
// absolute amounts (PEs, KiB, GB/s, lanes) and the fraction of time; rows/cols/arrays
// only describe the shape of the PE share.
struct Resource {
  const char* key;
  const char* label;
  const char* unit;
};
constexpr Resource kResources[] = {{"pes", "PEs", "PEs"},
                                   {"buffer_kib", "buffers", "KiB"},
                                   {"dram_gb_per_s", "DRAM bandwidth", "GB/s"},
                                   {"vector_lanes", "vector lanes", "lanes"},
                                   {"time", "time", ""}};

double share_value(const CoNet& n, const std::string& key, const std::string& whole) {
  if (!n.share) return NAN;
  if (n.share->is_number()) {
    double v = key == whole ? n.share->get<double>() : NAN;
    return v > 1.5 ? v / 100 : v;  // a percentage
  }
  return n.share->is_object() ? number(*n.share, {key}).value_or(NAN) : NAN;
}

// One bar of the share chart: each network's part of resource `r` as a fraction of the
// chip's amount (known for PEs from the design, else the sum of the parts).
std::optional<StackRow> share_row(const Resource& r, const std::vector<CoNet>& nets, const std::string& whole,
                                  double chip_pes, std::vector<std::string>& shared) {
  std::vector<double> v;
  double sum = 0;
  bool fractions = true, equal = true;
  for (const CoNet& n : nets) {
    v.push_back(share_value(n, r.key, whole));
    if (!std::isfinite(v.back())) continue;
    sum += v.back();
    fractions = fractions && v.back() <= 1 + 1e-9;
    equal = equal && std::fabs(v.back() - v.front()) <= 1e-9 * std::fabs(v.front());
  }
  if (!(sum > 0)) return std::nullopt;
  // The same whole amount for every network: shared, not partitioned.
  if (nets.size() > 1 && equal && (!fractions || v.front() >= 1 - 1e-9)) {
    shared.push_back(r.label);
    return std::nullopt;
  }
  double total = fractions ? 1 : (std::string(r.key) == "pes" && chip_pes >= sum ? chip_pes : sum);
  StackRow row{r.label, {}};
  for (size_t i = 0; i < nets.size(); ++i) {
    if (!std::isfinite(v[i])) continue;
    std::string amount = fractions ? "" : num(v[i]) + " " + r.unit + ", ";
    row.segments.push_back(
        {nets[i].name, v[i] / total, fmt::format("{}: {}{} of {}", nets[i].name, amount, pct(v[i] / total), r.label)});
  }
  return row;
}

void add_share(Page& page, const std::vector<CoNet>& nets, const std::string& mode, const json* design) {
  bool time_mode = mode == "time";
  std::string whole = time_mode ? "time" : "chip";  // what a plain-number share is a share of
  double chip_pes = NAN;
  if (design) {
    const json& p = params_of(*design);
    auto rows = number(p, {"rows"}), cols = number(p, {"cols"});
    if (rows && cols) chip_pes = *rows * *cols * number(p, {"arrays"}).value_or(1);
  }
  std::vector<StackRow> rows;
  std::vector<std::string> shared;
  static constexpr Resource kChip{"chip", "chip", ""};
  for (const Resource& r : kResources) {
    if (time_mode && std::string(r.key) != "time") continue;  // the whole chip runs each network in turn
    if (auto row = share_row(r, nets, whole, chip_pes, shared)) rows.push_back(std::move(*row));
  }
  if (!time_mode) {
    if (auto row = share_row(kChip, nets, whole, chip_pes, shared)) rows.push_back(std::move(*row));
  }
  if (rows.empty()) {
    page.note("No partitioned share per network in the input: share chart skipped.");
    return;
  }
  std::string title = time_mode ? "Share of the chip's time each network gets (time multiplexing)"
                                : "Share of each chip resource each network gets (spatial partition)";
  page.raw(stacked_rows("share", title, rows, false, "share (%)"));
  if (time_mode) page.paragraph("Time multiplexing: each network has the whole chip while it runs; grey is idle time.");
  if (!shared.empty()) {
    std::string list;
    for (const auto& s : shared) list += (list.empty() ? "" : ", ") + s;
    page.paragraph("Shared by all networks rather than partitioned: " + list + ".");
  }
}

std::string share_text(const json& share) {
  if (share.is_number()) return pct(share.get<double>() > 1.5 ? share.get<double>() / 100 : share.get<double>());
  if (!share.is_object()) return display(share);
  std::string out;
  for (const auto& [k, v] : share.items()) {
    std::string value = k == "time" && v.is_number() ? pct(v.get<double>()) : display(v);
    out += (out.empty() ? "" : ", ") + k + " " + value;
  }
  return out;
}

void add_corun_throughput(Page& page, const std::vector<CoNet>& nets) {
  if (std::none_of(nets.begin(), nets.end(), [](const CoNet& n) { return std::isfinite(n.throughput); })) {
    page.note("No throughput per network in the input: throughput chart skipped.");
    return;
  }
  BarChart c;
  c.kind = "throughput";
  c.title = "Throughput of each network while co-running (black tick: its target)";
  c.x_label = "network";
  c.y_label = "throughput (inferences/s)";
  c.value_labels = true;
  c.series = {{"throughput", "#4e79a7", "", {}}};
  bool targets = false;
  for (const CoNet& n : nets) {
    c.categories.push_back(n.name);
    c.series[0].values.push_back(n.throughput);
    c.markers.push_back(n.target);
    targets = targets || std::isfinite(n.target);
  }
  if (targets) {
    c.marker_label = "target";
  } else {
    c.markers.clear();
  }
  page.raw(bar_chart(c));
}

std::string design_text(const json& design) {
  std::string out;
  for (const auto& [k, v] : params_of(design).items()) {
    if (!v.is_object() && !v.is_array()) out += (out.empty() ? "" : " ") + k + "=" + display(v);
  }
  return out;
}

void add_corun_summary(Page& page, const json& doc, const std::string& mode, size_t networks) {
  std::vector<std::pair<std::string, std::string>> rows{{"mode", mode}};
  if (auto req = text(doc, {"requested_mode"}); req && *req != mode) rows.emplace_back("requested mode", *req);
  rows.emplace_back("networks", std::to_string(networks));
  if (auto m = number(doc, {"mix_rate_per_s"})) rows.emplace_back("mix rate", num(*m) + " mixes/s");
  if (auto h = number(doc, {"headroom"})) rows.emplace_back("headroom", fmt::format("{:.3f}×", *h));
  if (auto w = number(doc, {"power_w"})) rows.emplace_back("power", si(*w, "W"));
  if (const json* d = object_at(doc, "design")) {
    rows.emplace_back("design", design_text(*d));
    if (auto a = number(*d, {"area_mm2", "metrics.area_mm2", "params.area_mm2"}))
      rows.emplace_back("area", num(*a) + " mm²");
  }
  if (std::string space = name_of(doc, "space"); !space.empty()) rows.emplace_back("design space", space);
  if (auto t = number(doc, {"run.elapsed_s"})) rows.emplace_back("search time", si(*t, "s"));
  page.summary(rows);
}

void add_corun_table(Page& page, const std::vector<CoNet>& nets) {
  Rows table;
  for (const CoNet& n : nets) {
    std::string meets;
    if (const json* m = find(*n.raw, "meets_target"); m && m->is_boolean()) {
      meets = m->get<bool>() ? "yes" : "no";
    } else if (std::isfinite(n.target) && std::isfinite(n.throughput)) {
      meets = n.throughput >= n.target ? "yes" : "no";
    }
    // The target as the user gave it: a rate ("30/s") or a weight ("2").
    std::string target = text(*n.raw, {"target"}).value_or(std::isfinite(n.target) ? num(n.target) + "/s" : "");
    table.push_back({n.name, std::isfinite(n.throughput) ? num(n.throughput) : "",
                     std::isfinite(n.latency) ? si(n.latency, "s") : "", target, meets,
                     n.share ? share_text(*n.share) : ""});
  }
  page.table({"network", "throughput (1/s)", "latency", "target", "meets target", "share"}, table);
}

void add_alternatives(Page& page, const json& doc) {
  const json* alts = array_at(doc, "alternatives");
  if (!alts || alts->empty()) return;
  Rows rows;
  for (const json& a : *alts) {
    if (!a.is_object()) continue;
    auto n = [&](const char* key) {
      auto v = number(a, {key});
      return v ? num(*v) : std::string();
    };
    const json* d = object_at(a, "design");
    rows.push_back({text(a, {"mode"}).value_or(""), d ? design_text(*d) : "",
                    d ? (number(*d, {"area_mm2"}) ? num(*number(*d, {"area_mm2"})) : "") : "", n("mix_rate_per_s"),
                    n("headroom"), n("power_w")});
  }
  page.heading("Best plan of each mode");
  page.table({"mode", "design", "area (mm²)", "mix rate (1/s)", "headroom", "power (W)"}, rows);
}

// ---- model fitting --------------------------------------------------------------

// Per-layer utilisation: [0.5, ...], [{"name"/"layer": .., "utilization": ..}, ...] or {name: value}.
std::vector<std::pair<std::string, double>> util_list(const json* v) {
  std::vector<std::pair<std::string, double>> out;
  if (!v) return out;
  if (v->is_object()) {
    for (const auto& [k, x] : v->items()) out.emplace_back(k, cell_value(x));
  } else if (v->is_array()) {
    for (const json& x : *v) {
      if (x.is_number()) {
        out.emplace_back(fmt::format("#{}", out.size()), x.get<double>());
      } else if (x.is_object()) {
        std::string name = text(x, {"name", "layer"}).value_or(fmt::format("#{}", out.size()));
        out.emplace_back(name, number(x, {"utilization", "utilisation", "util", "value"}).value_or(NAN));
      }
    }
  }
  double max_v = 0;
  for (const auto& [k, x] : out) max_v = std::isfinite(x) ? std::max(max_v, x) : max_v;
  if (max_v > 1.5) {
    for (auto& [k, x] : out) x /= 100;  // percentages
  }
  return out;
}

void add_fit_utilisation(Page& page, const json& doc) {
  auto before = util_list(find(doc, "layers_before")), after = util_list(find(doc, "layers_after"));
  if (before.empty() && after.empty()) {
    page.note("No per-layer utilisation before/after in the input: utilisation chart skipped.");
    return;
  }
  // Changes per layer, for the tooltips.
  std::map<std::string, std::string> changed;
  if (const json* ch = array_at(doc, "changes")) {
    for (const json& c : *ch) {
      std::string layer = text(c, {"layer"}).value_or("");
      std::string what = text(c, {"field"}).value_or("?") + " " + (c.contains("old") ? display(c["old"]) : "?") +
                         " → " + (c.contains("new") ? display(c["new"]) : "?");
      changed[layer] += (changed[layer].empty() ? "" : "; ") + what;
    }
  }
  std::vector<std::string> order;
  for (const auto& [k, v] : before) order.push_back(k);
  for (const auto& [k, v] : after) {
    if (std::find(order.begin(), order.end(), k) == order.end()) order.push_back(k);
  }
  auto lookup = [](const auto& list, const std::string& name) -> double {
    for (const auto& [k, v] : list) {
      if (k == name) return v * 100;
    }
    return NAN;
  };
  BarChart c;
  c.kind = "utilization";
  c.title = "Tensor-array utilisation per layer, before and after the proposed changes";
  c.x_label = "layer (network order)";
  c.y_label = "utilisation (%)";
  c.y_max = 100;
  c.stacked = false;
  c.series = {{"before", "#9aa7b8", "before", {}}, {"after", "#f28e2b", "after", {}}};
  for (const auto& name : order) {
    c.categories.push_back(name);
    auto it = changed.find(name);
    c.tooltips.push_back(it == changed.end() ? name : name + "\nchanged: " + it->second);
    c.series[0].values.push_back(lookup(before, name));
    c.series[1].values.push_back(lookup(after, name));
  }
  page.raw(bar_chart(c));
}

void add_changes_table(Page& page, const json& doc) {
  const json* ch = array_at(doc, "changes");
  if (!ch || ch->empty()) {
    page.note("No changes proposed: the network already fits the hardware within the tolerance.");
    return;
  }
  Rows rows;
  bool notes = false;  // the note column only when some change explains itself
  for (const json& c : *ch) {
    if (!c.is_object()) continue;
    auto get = [&](const char* k) { return c.contains(k) ? display(c[k]) : std::string(); };
    std::string note = get("reason").empty() ? get("note") : get("reason");
    notes = notes || !note.empty();
    rows.push_back({get("layer"), get("field"), get("old"), get("new"), note});
  }
  std::vector<std::string> header{"layer", "field", "old", "new", "note"};
  if (!notes) {
    header.pop_back();
    for (auto& r : rows) r.pop_back();
  }
  page.table(header, rows);
}

}  // namespace

std::string suite_html(const json& doc) {
  Page page("Design for a suite of networks", "suite");
  std::vector<std::string> networks = string_list(array_at(doc, "networks"));
  const json* matrix = object_at(doc, "cross_matrix");
  std::vector<std::string> designs;
  if (matrix) {
    for (const auto& [label, row] : matrix->items()) {
      designs.push_back(label);
      if (networks.empty() && row.is_object()) {
        for (const auto& [n, v] : row.items()) {
          if (std::find(networks.begin(), networks.end(), n) == networks.end()) networks.push_back(n);
        }
      }
    }
  }
  std::string selected = text(doc, {"selected", "suite_design", "best", "best.label"}).value_or("");
  designs = design_order(designs, networks, selected);
  page.heading("Summary");
  std::vector<std::pair<std::string, std::string>> rows{{"networks", std::to_string(networks.size())},
                                                        {"designs compared", std::to_string(designs.size())}};
  if (!selected.empty()) rows.emplace_back("suite design", selected);
  if (auto g = number(doc, {"geomean", "geomean_perf"})) rows.emplace_back("geometric-mean performance", fixed2(*g));
  if (auto t = text(doc, {"technology"})) rows.emplace_back("technology", *t);
  if (auto st = text(doc, {"search.strategy"})) {
    bool proven = find(doc, "search.proven") && find(doc, "search.proven")->is_boolean() &&
                  find(doc, "search.proven")->get<bool>();
    std::string how = *st + (proven ? " (every design evaluated: optima proven)" : " (optima found, not proven)");
    if (auto n = number(doc, {"search.evaluations"})) how += ", " + count(static_cast<int64_t>(*n)) + " evaluations";
    rows.emplace_back("search", how);
  }
  add_run_rows(doc, rows);
  page.summary(rows);
  page.heading("Cross-performance matrix");
  if (!matrix || designs.empty() || networks.empty()) {
    page.note("No cross_matrix in the input: heat map skipped.");
  } else {
    page.paragraph(
        "Row: the design (each network's own optimum, and the suite design); column: the network run on it; "
        "cell: its performance there relative to its own optimum (1.00 = equal).");
    page.raw(heat_map(designs, networks, *matrix, object_at(doc, "designs"), selected));
  }
  page.heading("Gain or loss per network");
  add_improvement(page, doc, networks);
  add_uncertainty(page, doc, networks);
  add_constraint_report(page, doc);
  page.heading("Designs");
  add_design_table(page, object_at(doc, "designs"), designs);
  return page.finish();
}

std::string corun_html(const json& doc) {
  std::string mode = text(doc, {"mode"}).value_or("");
  Page page(mode.empty() ? "Co-running networks" : "Co-running networks (" + mode + ")", "corun");
  std::vector<CoNet> nets = read_conets(doc);
  page.heading("Summary");
  add_corun_summary(page, doc, mode, nets.size());
  if (nets.empty()) {
    page.note("No networks in the input: charts skipped.");
    return page.finish();
  }
  page.heading("Share of the chip");
  add_share(page, nets, mode, object_at(doc, "design"));
  page.heading("Throughput");
  add_corun_throughput(page, nets);
  add_corun_table(page, nets);
  add_alternatives(page, doc);
  return page.finish();
}

std::string fit_html(const json& doc) {
  std::string model = name_of(doc, "model");
  Page page(model.empty() ? "Fit the network to the hardware" : "Fit " + model + " to the hardware", "fit");
  page.heading("Summary");
  std::vector<std::pair<std::string, std::string>> rows;
  rows.emplace_back("design", name_of(doc, "arch"));
  if (auto s = number(doc, {"speedup"})) rows.emplace_back("predicted speed-up", fmt::format("{:.3f}×", *s));
  auto before = number(doc, {"latency_before_s"}), after = number(doc, {"latency_after_s"});
  if (before && after) rows.emplace_back("latency", si(*before, "s") + " → " + si(*after, "s"));
  if (auto m = number(doc, {"macs_change_pct"})) rows.emplace_back("MAC change", fmt::format("{:+.2f}%", *m));
  if (auto p = number(doc, {"params_change_pct"})) rows.emplace_back("parameter change", fmt::format("{:+.2f}%", *p));
  if (auto t = number(doc, {"tolerance_pct", "tolerance"})) rows.emplace_back("tolerance", num(*t) + "%");
  const json* ch = array_at(doc, "changes");
  rows.emplace_back("changes proposed", std::to_string(ch ? ch->size() : 0));
  page.summary(rows);
  page.heading("Utilisation per layer");
  add_fit_utilisation(page, doc);
  page.heading("Proposed changes");
  add_changes_table(page, doc);
  return page.finish();
}

}  // namespace acceldse::report
