// The page for one design evaluated on one network.
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "report/breakdown.h"
#include "report/charts.h"
#include "report/json_util.h"
#include "report/page.h"
#include "report/report.h"
#include "report/text.h"

namespace acceldse::report {

using namespace detail;

namespace {

struct Layer {
  std::string name, op, bound, mapping;
  bool fused = false;
  double cycles = NAN, compute = NAN, stall = NAN, vector = NAN;
  double util = NAN, macs = NAN, dram_bytes = NAN;
};

std::string mapping_text(const json& layer) {
  const json* m = find(layer, "mapping");
  if (!m) return "";
  if (!m->is_object()) return display(*m);
  // Objects become "key=value" pairs in document order, compact enough for a cell.
  std::string out;
  for (const auto& [key, value] : m->items()) {
    if (value.is_object() || value.is_array()) continue;
    out += (out.empty() ? "" : " ") + key + "=" + display(value);
  }
  return out;
}

std::vector<Layer> read_layers(const json& ev) {
  std::vector<Layer> out;
  const json* layers = array_at(ev, "layers");
  if (!layers) return out;
  for (const json& l : *layers) {
    if (!l.is_object()) continue;
    Layer x;
    x.name = text(l, {"name"}).value_or(fmt::format("#{}", out.size()));
    x.op = text(l, {"op", "type"}).value_or("");
    x.bound = text(l, {"bound"}).value_or("");
    if (x.bound == "none") x.bound = "";  // no work worth a bottleneck (reshape, fused op)
    const json* fused = find(l, "fused");
    x.fused = fused && fused->is_boolean() && fused->get<bool>();
    x.mapping = mapping_text(l);
    x.cycles = number(l, {"cycles", "total_cycles"}).value_or(NAN);
    x.compute = number(l, {"compute_cycles"}).value_or(NAN);
    x.stall = number(l, {"stall_cycles", "memory_stall_cycles"}).value_or(NAN);
    x.vector = number(l, {"vector_cycles"}).value_or(NAN);
    x.util = number(l, {"utilization", "utilisation"}).value_or(NAN);
    x.macs = number(l, {"macs"}).value_or(NAN);
    auto rd = number(l, {"dram_read_bytes"}), wr = number(l, {"dram_write_bytes"});
    x.dram_bytes = number(l, {"dram_bytes"}).value_or(rd && wr ? *rd + *wr : NAN);
    out.push_back(std::move(x));
  }
  // Utilisation is a fraction; accept percentages from a producer that used them.
  double max_util = 0;
  for (const Layer& l : out) max_util = std::isfinite(l.util) ? std::max(max_util, l.util) : max_util;
  if (max_util > 1.5) {
    for (Layer& l : out) l.util /= 100;
  }
  return out;
}

std::string layer_tooltip(const Layer& l) {
  std::string t = l.name + (l.op.empty() ? "" : " (" + l.op + ")");
  if (std::isfinite(l.cycles)) t += "\ncycles: " + count(static_cast<int64_t>(l.cycles));
  if (std::isfinite(l.util)) t += "\nutilisation: " + pct(l.util);
  if (!l.bound.empty()) t += "\nbound: " + l.bound;
  if (!l.mapping.empty()) t += "\nmapping: " + l.mapping;
  if (l.fused) t += "\nfused into its producer";
  return t;
}

// Clock, peak MAC rate and DRAM bandwidth of the design, from wherever the document has them.
struct Machine {
  double clock_hz = NAN, peak_macs_per_s = NAN, dram_bytes_per_s = NAN;
};

Machine read_machine(const json& ev) {
  Machine m;
  if (auto ghz = number(ev, {"arch_params.clock_ghz", "arch.clock_ghz", "arch.clock.ghz"})) {
    m.clock_hz = *ghz * 1e9;
  } else if (auto c = number(ev, {"totals.cycles"}), s = number(ev, {"totals.latency_s"}); c && s && *s > 0) {
    m.clock_hz = *c / *s;  // cycles per second is the clock
  }
  auto peak = number(ev, {"arch_params.peak_macs_per_cycle"});
  if (!peak) {
    auto rows = number(ev, {"arch.tensor.rows", "arch.rows"}), cols = number(ev, {"arch.tensor.cols", "arch.cols"});
    auto arrays = number(ev, {"arch.tensor.arrays", "arch.arrays"}).value_or(1);
    if (rows && cols) peak = *rows * *cols * arrays;
  }
  if (peak) m.peak_macs_per_s = *peak * m.clock_hz;
  if (auto bpc = number(ev, {"arch_params.dram_bytes_per_cycle"})) {
    m.dram_bytes_per_s = *bpc * m.clock_hz;
  } else if (auto gbs = number(ev, {"arch_params.dram_bandwidth_gb_per_s", "arch.dram.bandwidth_gb_per_s",
                                    "arch.dram_bandwidth_gb_per_s"})) {
    m.dram_bytes_per_s = *gbs * 1e9;
  }
  return m;
}

void add_summary(Page& page, const json& ev, const std::vector<Layer>& layers, const Machine& m) {
  std::vector<std::pair<std::string, std::string>> rows;
  auto add = [&](const std::string& key, std::optional<double> v, auto format) {
    if (v) rows.emplace_back(key, format(*v));
  };
  rows.emplace_back("network", name_of(ev, "model"));
  rows.emplace_back("accelerator", name_of(ev, "arch"));
  rows.emplace_back("layers", std::to_string(layers.size()));
  if (auto batch = number(ev, {"batch"})) rows.emplace_back("batch", num(*batch));
  auto as_count = [](double v) { return count(static_cast<int64_t>(std::llround(v))); };
  add("latency", number(ev, {"totals.latency_s"}), [](double v) { return si(v, "s"); });
  add("throughput", number(ev, {"totals.throughput_per_s"}), [](double v) { return num(v) + " inferences/s"; });
  add("cycles", number(ev, {"totals.cycles"}), as_count);
  add("utilisation (MACs / PE-cycles)", number(ev, {"totals.utilization", "totals.utilisation"}),
      [](double v) { return pct(v > 1.5 ? v / 100 : v); });
  add("MACs", number(ev, {"totals.macs"}), as_count);
  add("DRAM traffic", number(ev, {"totals.dram_bytes"}), [](double v) { return si(v, "B"); });
  auto energy = number(ev, {"totals.energy_pj", "energy.total_pj", "energy_pj.total"});
  add("energy per inference", energy ? energy : energy_total_pj(ev), [](double v) { return si(v * 1e-12, "J"); });
  add("average power", number(ev, {"totals.power_w"}), [](double v) { return si(v, "W"); });
  add("area", number(ev, {"totals.area_mm2", "area.total_mm2", "area_mm2.total"}),
      [](double v) { return num(v) + " mm²"; });
  if (std::isfinite(m.clock_hz)) rows.emplace_back("clock", si(m.clock_hz, "Hz"));
  if (std::isfinite(m.peak_macs_per_s)) rows.emplace_back("peak compute", si(m.peak_macs_per_s, "MAC/s"));
  if (std::isfinite(m.dram_bytes_per_s)) rows.emplace_back("DRAM bandwidth", si(m.dram_bytes_per_s, "B/s"));
  page.summary(rows);
}

void add_cycles_plot(Page& page, const std::vector<Layer>& layers) {
  bool split = std::any_of(layers.begin(), layers.end(), [](const Layer& l) {
    return std::isfinite(l.compute) || std::isfinite(l.stall) || std::isfinite(l.vector);
  });
  bool any_total = std::any_of(layers.begin(), layers.end(), [](const Layer& l) { return std::isfinite(l.cycles); });
  if (!split && !any_total) {
    page.note("No per-layer cycle counts in the input: cycles plot skipped.");
    return;
  }
  double peak = 0;
  for (const Layer& l : layers) {
    double stacked = (std::isfinite(l.compute) ? l.compute : 0) + (std::isfinite(l.stall) ? l.stall : 0) +
                     (std::isfinite(l.vector) ? l.vector : 0);
    peak = std::max({peak, stacked, std::isfinite(l.cycles) ? l.cycles : 0});
  }
  UnitScale unit = si_scale(peak, "cycles");
  BarChart c;
  c.kind = "layers";
  c.title = "Cycles per layer: compute, memory stall and vector";
  c.x_label = "layer (network order)";
  c.y_label = "cycles (" + unit.unit + ")";
  auto scaled = [&](double v) { return v * unit.factor; };
  if (split) {
    c.series = {{"compute", "#4e79a7", "compute", {}},
                {"memory stall", "#f28e2b", "stall", {}},
                {"vector", "#59a14f", "vector", {}}};
  } else {
    c.series = {{"total", "#4e79a7", "total", {}}};
  }
  bool overlap = false;
  for (const Layer& l : layers) {
    c.categories.push_back(l.name);
    c.tooltips.push_back(layer_tooltip(l));
    if (split) {
      c.series[0].values.push_back(scaled(l.compute));
      c.series[1].values.push_back(scaled(l.stall));
      c.series[2].values.push_back(scaled(l.vector));
      double sum = (std::isfinite(l.compute) ? l.compute : 0) + (std::isfinite(l.stall) ? l.stall : 0) +
                   (std::isfinite(l.vector) ? l.vector : 0);
      // A total below the stacked sum means vector work overlapped tensor work.
      overlap = overlap || (std::isfinite(l.cycles) && std::fabs(l.cycles - sum) > 0.005 * std::max(sum, 1.0));
      c.markers.push_back(scaled(l.cycles));
    } else {
      c.series[0].values.push_back(scaled(l.cycles));
    }
  }
  if (!overlap) c.markers.clear();
  c.marker_label = "layer total (after overlap)";
  page.raw(bar_chart(c));
  if (!split) page.note("The input has no compute/stall/vector split per layer: total cycles shown.");
}

std::string bound_colour(const std::string& bound) {
  if (bound == "compute") return "#4e79a7";
  if (bound == "memory") return "#f28e2b";
  if (bound == "vector") return "#59a14f";
  return "#9a9a9a";
}

void add_utilisation_plot(Page& page, const std::vector<Layer>& layers) {
  if (std::none_of(layers.begin(), layers.end(), [](const Layer& l) { return std::isfinite(l.util); })) {
    page.note("No per-layer utilisation in the input: utilisation plot skipped.");
    return;
  }
  BarChart c;
  c.kind = "utilization";
  c.title = "Tensor-array utilisation per layer (MACs / PE-cycles), coloured by bottleneck";
  c.x_label = "layer (network order)";
  c.y_label = "utilisation (%)";
  c.y_max = 100;
  // One series per bottleneck so the colour tells what limits each layer.
  std::vector<std::string> bounds;  // of layers that draw a bar, so the legend has no empty entries
  for (const Layer& l : layers) {
    if (!(std::isfinite(l.util) && l.util != 0)) continue;
    std::string b = l.bound.empty() ? "other" : l.bound;
    if (std::find(bounds.begin(), bounds.end(), b) == bounds.end()) bounds.push_back(b);
  }
  for (const std::string& b : bounds) c.series.push_back({b + "-bound", bound_colour(b), "", {}});
  for (const Layer& l : layers) {
    c.categories.push_back(l.name);
    c.tooltips.push_back(layer_tooltip(l));
    std::string b = l.bound.empty() ? "other" : l.bound;
    for (size_t k = 0; k < bounds.size(); ++k) c.series[k].values.push_back(bounds[k] == b ? l.util * 100 : NAN);
  }
  page.raw(bar_chart(c));
}

void add_roofline(Page& page, const std::vector<Layer>& layers, const Machine& m) {
  if (!(m.peak_macs_per_s > 0) || !(m.dram_bytes_per_s > 0) || !(m.clock_hz > 0)) {
    page.note("Roofline skipped: the input lacks the clock, peak MACs per cycle or DRAM bandwidth.");
    return;
  }
  struct P {
    double oi, rate;
    const Layer* layer;
  };
  std::vector<P> pts;
  size_t no_macs = 0, no_dram = 0;
  for (const Layer& l : layers) {
    if (!(l.macs > 0) || !(l.cycles > 0)) {
      ++no_macs;
      continue;
    }
    if (!(l.dram_bytes > 0)) {
      ++no_dram;
      continue;
    }
    pts.push_back({l.macs / l.dram_bytes, l.macs / (l.cycles / m.clock_hz), &l});
  }
  double ridge = m.peak_macs_per_s / m.dram_bytes_per_s;  // MAC/B where the roofs meet
  UnitScale unit = si_scale(m.peak_macs_per_s, "MAC/s");
  std::vector<double> xs{ridge / 8, ridge * 8}, ys{m.peak_macs_per_s * unit.factor * 1.2};
  for (const P& p : pts) {
    xs.push_back(p.oi);
    ys.push_back(p.rate * unit.factor);
  }
  Box box;
  box.width = 1000;
  box.height = 460;
  box.top = 40;
  ScaleOptions opts;
  opts.log_ratio = 1;  // a roofline is always log-log
  Scale x = fit_scale(xs, box.x0(), box.x1(), opts);
  Scale y = fit_scale(ys, box.y1(), box.y0(), opts);
  Svg svg("roofline", box,
          fmt::format(R"(data-peak="{}" data-bw="{}" data-layers="{}")", num(m.peak_macs_per_s),
                      num(m.dram_bytes_per_s), pts.size()));
  svg.title("Roofline: attainable MAC rate vs operational intensity, each layer placed on it");
  svg.x_axis(x, "operational intensity (MACs per DRAM byte)");
  svg.y_axis(y, "MAC rate (" + unit.unit + ")");
  // The roof: bandwidth slope up to the ridge, flat at peak after it; clipped to the frame.
  double peak = m.peak_macs_per_s * unit.factor, bw = m.dram_bytes_per_s * unit.factor;
  double x_start = std::max(x.d0, y.d0 / bw);
  svg.body += fmt::format(R"(<polyline class="roof" points="{},{} {},{} {},{}"/>)", px(x(x_start)), px(y(bw * x_start)),
                          px(x(ridge)), px(y(peak)), px(x(x.d1)), px(y(peak)));
  svg.body += fmt::format(R"(<line class="ridge" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)", px(x(ridge)), px(y(peak)),
                          px(box.y1()));
  svg.body += fmt::format(R"(<text x="{}" y="{}">peak {}</text>)", px(x(ridge) + 6), px(y(peak) - 6),
                          si(m.peak_macs_per_s, "MAC/s"));
  svg.body += fmt::format(R"(<text x="{}" y="{}">DRAM {} · ridge {} MAC/B</text>)", px(x(ridge) + 6), px(box.y1() - 8),
                          si(m.dram_bytes_per_s, "B/s"), num(ridge));
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> legend;
  for (const P& p : pts) {
    std::string b = p.layer->bound.empty() ? "other" : p.layer->bound;
    if (seen.insert(b).second) legend.emplace_back(b + "-bound", bound_colour(b));
    svg.body += fmt::format(R"(<circle class="pt lyr" cx="{}" cy="{}" r="4" fill="{}"><title>{}
intensity: {} MAC/B
rate: {}</title></circle>)",
                            px(x(p.oi)), px(y(p.rate * unit.factor)), bound_colour(b), escape(layer_tooltip(*p.layer)),
                            num(p.oi), si(p.rate, "MAC/s"));
  }
  legend.emplace_back("roof", "#c0392b");
  svg.legend(legend);
  page.raw(svg.str());
  if (no_macs + no_dram > 0) {
    page.note(
        fmt::format("Not on the roofline: {} layers without MACs on the tensor unit (vector/data-movement work), "
                    "{} layers with no DRAM traffic (infinite intensity).",
                    no_macs, no_dram));
  }
}

void add_breakdown(Page& page, const json& ev) {
  if (auto plot = breakdown_plot(ev)) {
    page.raw(*plot);
  } else {
    page.note("No energy or area breakdown in the input.");
  }
}

void add_layer_table(Page& page, const std::vector<Layer>& layers) {
  auto n = [](double v) { return std::isfinite(v) ? count(static_cast<int64_t>(std::llround(v))) : ""; };
  Rows rows;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    rows.push_back({std::to_string(i), l.name, l.op, n(l.cycles), n(l.compute), n(l.stall), n(l.vector),
                    std::isfinite(l.util) ? pct(l.util) : "", n(l.macs), n(l.dram_bytes), l.bound, l.mapping});
  }
  page.folded_table(
      fmt::format("All {} layers", layers.size()),
      {"#", "layer", "op", "cycles", "compute", "stall", "vector", "util.", "MACs", "DRAM bytes", "bound", "mapping"},
      rows, 20000);
}

}  // namespace

std::string evaluation_html(const json& ev) {
  std::string model = name_of(ev, "model"), arch = name_of(ev, "arch");
  std::string title = "Evaluation";
  if (!model.empty()) title += ": " + model;
  if (!arch.empty()) title += " on " + arch;
  Page page(title, "evaluation");
  std::vector<Layer> layers = read_layers(ev);
  Machine machine = read_machine(ev);
  page.heading("Summary");
  add_summary(page, ev, layers, machine);
  page.heading("Per-layer cycles and utilisation");
  if (layers.empty()) {
    page.note("No layers in the input: per-layer plots skipped.");
  } else {
    add_cycles_plot(page, layers);
    add_utilisation_plot(page, layers);
  }
  page.heading("Roofline");
  add_roofline(page, layers, machine);
  page.heading("Energy and area breakdown");
  add_breakdown(page, ev);
  if (!layers.empty()) {
    page.heading("Layers");
    add_layer_table(page, layers);
  }
  return page.finish();
}

}  // namespace acceldse::report
