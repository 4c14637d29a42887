// The pages for a design-space exploration and for a result store: every design as a
// point of latency (or throughput) against area, the Pareto front coloured by energy,
// the selected design, and parameter sensitivity curves.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "common/pareto.h"
#include "report/breakdown.h"
#include "report/json_util.h"
#include "report/page.h"
#include "report/report.h"
#include "report/svg.h"
#include "report/text.h"

namespace acceldse::report {

using namespace detail;

namespace {

// Up to this many designs every one is drawn. Beyond it, designs that fall into the
// same grid cell are drawn as one dot (its tooltip counts the others), the grid
// growing from half a pixel until at most this many dots remain: at r = 2.5 the
// picture is unchanged, and the page stays under 10 MB however big the store is.
constexpr size_t kMaxDots = 25000;

std::optional<double> metric(const json& design, std::string_view key) {
  if (const json* m = object_at(design, "metrics")) {
    if (auto v = number(*m, {key})) return v;
  }
  return number(design, {key});
}

std::string params_text(const json& design) {
  const json* p = object_at(design, "params");
  if (!p) return "";
  std::string out;
  for (const auto& [key, value] : p->items()) {
    if (value.is_object() || value.is_array()) continue;
    out += (out.empty() ? "" : " ") + key + "=" + display(value);
  }
  return out;
}

// Which y metric the scatter shows: latency unless the search maximised throughput
// or the designs carry no latency.
struct Axes {
  bool throughput = false;
  std::string objective;
};

Axes choose_axes(const json& doc) {
  Axes a;
  a.objective = text(doc, {"objective", "objective.name", "objective.metric"}).value_or("");
  bool has_latency = false, has_throughput = false;
  auto scan = [&](const json& d) {
    has_latency = has_latency || metric(d, "latency_s").has_value();
    has_throughput = has_throughput || metric(d, "throughput_per_s").has_value();
  };
  if (const json* best = object_at(doc, "best")) scan(*best);
  for (const char* list : {"pareto", "points", "designs"}) {
    if (const json* arr = array_at(doc, list)) {
      for (size_t i = 0; i < std::min<size_t>(arr->size(), 64); ++i) scan((*arr)[i]);
    }
  }
  a.throughput =
      (a.objective.find("throughput") != std::string::npos && has_throughput) || (!has_latency && has_throughput);
  return a;
}

struct Point {
  double x = NAN, y = NAN, energy_j = NAN;
  bool infeasible = false;
  const json* design = nullptr;
};

Point to_point(const json& design, const Axes& axes) {
  Point p;
  p.design = &design;
  p.x = metric(design, "area_mm2").value_or(NAN);
  p.y = metric(design, axes.throughput ? "throughput_per_s" : "latency_s").value_or(NAN);
  p.energy_j = metric(design, "energy_pj").value_or(NAN) * 1e-12;
  const json* f = find(design, "feasible");
  p.infeasible = f && f->is_boolean() && !f->get<bool>();
  return p;
}

std::vector<Point> to_points(const json* arr, const Axes& axes) {
  std::vector<Point> out;
  if (!arr) return out;
  out.reserve(arr->size());
  for (const json& d : *arr) {
    if (d.is_object()) out.push_back(to_point(d, axes));
  }
  return out;
}

bool plottable(const Point& p) { return p.x > 0 && p.y > 0; }

// Designs no other design beats in latency (or throughput), area and energy; used
// only when a store document carries no front of its own.
std::vector<Point> pareto_of(const std::vector<Point>& pts, bool maximise_y) {
  std::vector<Point> candidates;
  for (const Point& p : pts) {
    if (plottable(p) && !p.infeasible) candidates.push_back(p);
  }
  // A missing energy is unknown, not free: it never beats a known one.
  return pareto_front(std::move(candidates), [&](const Point& p) {
    return std::array<double, 3>{p.x, maximise_y ? -p.y : p.y,
                                 std::isfinite(p.energy_j) ? p.energy_j : std::numeric_limits<double>::infinity()};
  });
}

std::string tooltip(const Point& p, const Axes& axes) {
  std::string t = params_text(*p.design);
  if (!t.empty()) t += "\n";
  t += axes.throughput ? num(p.y) + " inferences/s" : si(p.y, "s");
  t += " · " + num(p.x) + " mm²";
  if (std::isfinite(p.energy_j)) t += " · " + si(p.energy_j, "J");
  if (auto w = metric(*p.design, "power_w")) t += " · " + si(*w, "W");
  if (p.infeasible) t += " · infeasible";
  return t;
}

// Step line through the 2-D (area, y) non-dominated subset of the front.
template <typename YMap>
std::string front_path(std::vector<Point> front, const Scale& x, const YMap& y, bool maximise_y) {
  std::sort(front.begin(), front.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
  std::string d;
  double best_y = maximise_y ? -INFINITY : INFINITY;
  for (const Point& p : front) {
    if (!plottable(p) || !(maximise_y ? p.y > best_y : p.y < best_y)) continue;
    best_y = p.y;
    d += d.empty() ? fmt::format("M{},{}", px(x(p.x)), px(y(p.y))) : fmt::format("H{}V{}", px(x(p.x)), px(y(p.y)));
  }
  return d.empty() ? "" : fmt::format(R"(<path class="front" d="{}"/>)", d);
}

// For each design, how many designs its dot stands for (0: merged into another's).
// All 1 while there are at most kMaxDots designs.
template <typename YMap>
std::vector<size_t> merge_nearby(const std::vector<const Point*>& pts, const Scale& x, const YMap& y) {
  std::vector<size_t> out(pts.size(), 1);
  if (pts.size() <= kMaxDots) return out;
  for (double cell = 0.5;; cell *= 1.5) {
    std::map<std::pair<long, long>, size_t> first;  // grid cell -> index of its dot
    std::fill(out.begin(), out.end(), 0);
    for (size_t i = 0; i < pts.size(); ++i) {
      auto key = std::make_pair(std::lround(x(pts[i]->x) / cell), std::lround(y(pts[i]->y) / cell));
      auto [it, added] = first.emplace(key, i);
      ++out[it->second];
    }
    if (first.size() <= kMaxDots) return out;
  }
}

struct ScatterInput {
  std::vector<Point> all, front;
  std::optional<Point> best;
};

double geometric_middle(const std::vector<double>& v) {
  if (v.empty()) return 1;
  return std::sqrt(*std::min_element(v.begin(), v.end()) * *std::max_element(v.begin(), v.end()));
}

// Scales of the scatter: area on x, latency (in a prefixed unit) or throughput on y,
// energy on the colour axis.
struct ScatterFrame {
  Box box;
  UnitScale y_unit, e_unit;
  Scale x, y, colour;
  bool has_energy = false;
  bool colour_cloud = false;
  double px_x(const Point& p) const { return x(p.x); }
  double px_y(const Point& p) const { return y(p.y * y_unit.factor); }
  std::string fill(const Point& p) const {
    return p.energy_j > 0 ? sequential_colour(colour(p.energy_j * e_unit.factor)) : "#777777";
  }
};

ScatterFrame scatter_frame(const ScatterInput& in, const Axes& axes) {
  ScatterFrame f;
  f.box.width = 1000;
  f.box.height = 560;
  f.box.top = 40;
  f.box.right = 96;  // colour bar
  std::vector<double> xs, ys, es;
  auto collect = [&](const Point& p, bool coloured) {
    if (plottable(p)) {
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
    if (coloured && p.energy_j > 0) es.push_back(p.energy_j);
  };
  for (const Point& p : in.front) collect(p, true);
  if (in.best) collect(*in.best, true);
  bool colour_cloud = in.front.empty();  // without a front the cloud carries the energy colours
  for (const Point& p : in.all) collect(p, colour_cloud);
  f.y_unit = axes.throughput ? UnitScale{1, "inferences/s"} : si_scale(geometric_middle(ys), "s");
  for (double& v : ys) v *= f.y_unit.factor;
  f.x = fit_scale(xs, f.box.x0(), f.box.x1());
  f.y = fit_scale(ys, f.box.y1(), f.box.y0());
  f.e_unit = si_scale(geometric_middle(es), "J");
  for (double& e : es) e *= f.e_unit.factor;
  f.colour = fit_scale(es, 0, 1, {true, 20, false, 0});
  f.has_energy = !es.empty();
  f.colour_cloud = colour_cloud && f.has_energy;
  return f;
}

// Every design as a small grey dot (coloured by energy when there is no front);
// returns how many dots were drawn.
size_t draw_cloud(Svg& svg, const std::vector<const Point*>& cloud, const ScatterFrame& f, const Axes& axes,
                  bool coloured) {
  std::vector<size_t> merged_into = merge_nearby(cloud, f.x, [&](double v) { return f.y(v * f.y_unit.factor); });
  size_t dots = 0;
  for (size_t i = 0; i < cloud.size(); ++i) {
    if (merged_into[i] == 0) continue;  // drawn as part of another dot
    const Point& p = *cloud[i];
    std::string more = merged_into[i] > 1 ? fmt::format("\n(+{} more designs under this dot)", merged_into[i] - 1) : "";
    svg.body += fmt::format(R"(<circle class="pt{}" cx="{}" cy="{}" r="2.5"{}><title>{}{}</title></circle>)",
                            p.infeasible ? " inf" : "", px(f.px_x(p)), px(f.px_y(p)),
                            coloured ? " fill=\"" + f.fill(p) + "\"" : "", escape(tooltip(p, axes)), more);
    ++dots;
  }
  return dots;
}

void draw_front_and_best(Svg& svg, const ScatterInput& in, const ScatterFrame& f, const Axes& axes) {
  svg.body += front_path(
      in.front, f.x, [&](double v) { return f.y(v * f.y_unit.factor); }, axes.throughput);
  for (const Point& p : in.front) {
    if (!plottable(p)) continue;
    svg.body +=
        fmt::format(R"(<circle class="pt pareto" cx="{}" cy="{}" r="4.5" fill="{}"><title>Pareto: {}</title></circle>)",
                    px(f.px_x(p)), px(f.px_y(p)), f.fill(p), escape(tooltip(p, axes)));
  }
  if (in.best && plottable(*in.best)) {
    const Point& b = *in.best;
    svg.body +=
        fmt::format(R"(<circle class="pt best" cx="{}" cy="{}" r="9"><title>selected design: {}</title></circle>)",
                    px(f.px_x(b)), px(f.px_y(b)), escape(tooltip(b, axes)));
    svg.body +=
        fmt::format(R"(<text x="{}" y="{}" fill="#d62728">selected</text>)", px(f.px_x(b) + 12), px(f.px_y(b) - 10));
  }
}

std::string scatter(const ScatterInput& in, const Axes& axes, std::string& note) {
  ScatterFrame f = scatter_frame(in, axes);
  Svg svg("pareto", f.box, fmt::format(R"(data-points="{}" data-pareto="{}")", in.all.size(), in.front.size()));
  svg.title(axes.throughput ? "Throughput vs area of every design; Pareto front coloured by energy"
                            : "Latency vs area of every design; Pareto front coloured by energy");
  svg.x_axis(f.x, "area (mm²)");
  svg.y_axis(f.y, axes.throughput ? "throughput (inferences/s) — higher is better"
                                  : "latency (" + f.y_unit.unit + ") — lower is better");
  std::vector<const Point*> cloud;
  for (const Point& p : in.all) {
    if (plottable(p)) cloud.push_back(&p);
  }
  size_t dots = draw_cloud(svg, cloud, f, axes, f.colour_cloud);
  draw_front_and_best(svg, in, f, axes);
  if (f.has_energy) svg.colour_bar(f.colour, "energy per inference (" + f.e_unit.unit + ")");
  svg.legend({{"all designs", "#9a9a9a"}, {"Pareto front", sequential_colour(0.6)}, {"selected", "#d62728"}});
  size_t skipped = in.all.size() - cloud.size() +
                   static_cast<size_t>(
                       std::count_if(in.front.begin(), in.front.end(), [](const Point& p) { return !plottable(p); }));
  if (skipped)
    note += fmt::format("{} designs without a positive area and {} are not plotted. ", skipped,
                        axes.throughput ? "throughput" : "latency");
  if (dots < cloud.size()) {
    note += fmt::format(
        "{} designs are drawn as {} dots: designs closer than a pixel or two share a dot "
        "(its tooltip says how many). ",
        count(static_cast<int64_t>(cloud.size())), count(static_cast<int64_t>(dots)));
  }
  return svg.str();
}

// One sensitivity entry: the parameter's value and the objective there.
struct Sample {
  json value;
  double objective = NAN;
  bool feasible = true;
};

// One curve: a parameter swept around the selected design.
struct Curve {
  std::string param;
  std::vector<Sample> samples;
  json selected;  // the selected design's value (null if unknown)
};

Sample read_sample(const json& e) {
  if (e.is_array() && e.size() >= 2) return {e[0], e[1].is_number() ? e[1].get<double>() : NAN, true};
  Sample s{e.is_object() && e.contains("value") ? e["value"] : json(), NAN, true};
  if (!e.is_object()) return s;
  s.objective = number(e, {"objective", "score", "metric"}).value_or(NAN);
  if (!std::isfinite(s.objective) && !e.contains("objective")) {  // any other number is the objective
    for (const auto& [key, v] : e.items()) {
      if (key != "value" && v.is_number()) {
        s.objective = v.get<double>();
        break;
      }
    }
  }
  const json* f = find(e, "feasible");
  const json* ok = find(e, "valid");
  s.feasible = !(f && f->is_boolean() && !f->get<bool>()) && !(ok && ok->is_boolean() && !ok->get<bool>());
  return s;
}

std::vector<Sample> read_samples(const json& entries) {
  std::vector<Sample> out;
  const json* list = &entries;
  if (entries.is_object()) {
    if (const json* pts = array_at(entries, "points")) {
      list = pts;
    } else if (const json* v = array_at(entries, "values")) {  // {"values": [...], "objective": [...]}
      const json* o = array_at(entries, "objective") ? array_at(entries, "objective") : array_at(entries, "objectives");
      for (size_t i = 0; o && i < std::min(v->size(), o->size()); ++i)
        out.push_back(read_sample(json::array({(*v)[i], (*o)[i]})));
      return out;
    }
  }
  if (!list->is_array()) return out;
  for (const json& e : *list) {
    if ((e.is_array() && e.size() >= 2) || (e.is_object() && e.contains("value"))) out.push_back(read_sample(e));
  }
  return out;
}

// Accepts {"param": [...], ...} and [{"parameter": .., "best_value": .., "points": [...]}, ...].
std::vector<Curve> read_curves(const json& doc) {
  std::vector<Curve> out;
  const json* sens = find(doc, "sensitivity");
  const json* best_params = object_at(doc, "best.params");
  auto selected_of = [&](const std::string& param) {
    return best_params && best_params->contains(param) ? (*best_params)[param] : json();
  };
  if (sens && sens->is_object()) {
    for (const auto& [param, entries] : sens->items())
      out.push_back({param, read_samples(entries), selected_of(param)});
  } else if (sens && sens->is_array()) {
    for (const json& c : *sens) {
      if (!c.is_object()) continue;
      std::string param = text(c, {"parameter", "param", "name"}).value_or("?");
      json selected = c.contains("best_value") ? c["best_value"] : selected_of(param);
      out.push_back({param, read_samples(c), selected});
    }
  }
  return out;
}

std::string sensitivity_plot(const Curve& curve, const std::string& objective) {
  const std::string& param = curve.param;
  const std::vector<Sample>& samples = curve.samples;
  bool numeric = std::all_of(samples.begin(), samples.end(), [](const Sample& s) { return s.value.is_number(); });
  std::vector<double> xs, ys;
  for (size_t i = 0; i < samples.size(); ++i) {
    xs.push_back(numeric ? samples[i].value.get<double>() : static_cast<double>(i));
    ys.push_back(samples[i].objective);
  }
  bool seconds = objective == "latency" || objective == "latency_s";
  std::vector<double> finite_ys = ys;
  std::erase_if(finite_ys, [](double v) { return !std::isfinite(v); });
  double y_mid = finite_ys.empty() ? 1 : *std::max_element(finite_ys.begin(), finite_ys.end());
  UnitScale yu = seconds ? si_scale(y_mid, "s") : UnitScale{1, ""};
  for (double& v : ys) v *= yu.factor;
  Box box;
  box.width = 330;
  box.height = 250;
  box.left = 62;
  box.right = 14;
  box.top = 30;
  std::vector<std::string> labels;  // categorical values (dataflow, ...)
  for (const Sample& s : samples) labels.push_back(display(s.value));
  box.bottom = numeric ? 46 : Svg::band_axis_margin(labels);
  Svg svg("sensitivity", box, fmt::format(R"(data-param="{}")", escape(param)));
  svg.title(param);
  ScaleOptions xo;
  xo.log_ratio = 8;  // powers-of-two sweeps (8..256) read best on a log axis
  Scale x = numeric ? fit_scale(xs, box.x0(), box.x1(), xo)
                    : Scale{-0.5, static_cast<double>(samples.size()) - 0.5, box.x0(), box.x1(), false};
  Scale y = fit_scale(ys, box.y1(), box.y0());
  if (numeric) {
    svg.x_axis(x, param);
  } else {
    double band = (box.x1() - box.x0()) / std::max<double>(1, static_cast<double>(samples.size()));
    svg.band_axis(labels, box.x0(), band, param);
  }
  std::string y_label = ellipsize(objective.empty() ? "objective" : objective, 30);
  if (seconds) y_label = "latency (" + yu.unit + ")";
  svg.y_axis(y, y_label);
  // The selected design's value of this parameter, so the curve reads "here we are".
  if (!curve.selected.is_null()) {
    for (size_t i = 0; i < samples.size(); ++i) {
      if (samples[i].value != curve.selected) continue;
      std::string sx = px(x(xs[i]));
      svg.body +=
          fmt::format(R"(<line class="sel" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)", sx, px(box.y0()), px(box.y1()));
    }
  }
  std::string line;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(ys[i])) continue;
    line += fmt::format("{}{},{}", line.empty() ? "" : " ", px(x(xs[i])), px(y(ys[i])));
  }
  svg.body += fmt::format(R"(<polyline class="ln" points="{}"/>)", line);
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(ys[i])) continue;
    svg.body += fmt::format(R"(<circle class="pt sv{}" cx="{}" cy="{}" r="3.5"><title>{}={}: {}{}</title></circle>)",
                            samples[i].feasible ? "" : " inf", px(x(xs[i])), px(y(ys[i])), escape(param),
                            escape(display(samples[i].value)), seconds ? si(ys[i] / yu.factor, "s") : num(ys[i]),
                            samples[i].feasible ? "" : " (violates a constraint)");
  }
  return svg.str();
}

void add_sensitivity(Page& page, const json& doc, const std::string& objective) {
  std::vector<Curve> curves = read_curves(doc);
  if (curves.empty()) {
    page.note("No sensitivity data in the input: sensitivity curves skipped.");
    return;
  }
  page.paragraph(
      "Each curve varies one parameter around the selected design (dashed red line) and keeps the others "
      "fixed; hollow points violate a constraint.");
  page.open_row();
  size_t empty = 0;
  for (const Curve& c : curves) {
    if (c.samples.empty()) {
      ++empty;
      continue;
    }
    page.raw(sensitivity_plot(c, objective));
  }
  page.close_row();
  if (empty) page.note(fmt::format("{} parameters had no usable sensitivity samples.", empty));
}

void add_summary(Page& page, const json& doc, const ScatterInput& in, bool from_store) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (auto db = text(doc, {"db", "store", "path"}); db && from_store) rows.emplace_back("result store", *db);
  for (const char* key : {"model", "network", "space", "strategy", "seed"}) {
    if (std::string v = name_of(doc, key); !v.empty()) rows.emplace_back(key, v);
  }
  if (auto obj = text(doc, {"objective", "objective.name", "objective.metric"})) rows.emplace_back("objective", *obj);
  auto n = number(doc, {"evaluated", "count"});
  rows.emplace_back("designs evaluated", count(static_cast<int64_t>(n.value_or(static_cast<double>(in.all.size())))));
  if (auto f = number(doc, {"feasible"})) rows.emplace_back("feasible designs", count(static_cast<int64_t>(*f)));
  rows.emplace_back("designs plotted", count(static_cast<int64_t>(in.all.size())));
  rows.emplace_back("Pareto-optimal designs", count(static_cast<int64_t>(in.front.size())));
  if (auto t = number(doc, {"run.elapsed_s", "elapsed_s", "seconds", "time_s"}))
    rows.emplace_back("search time", si(*t, "s"));
  if (auto r = number(doc, {"run.designs_per_s"})) rows.emplace_back("search rate", num(*r) + " designs/s");
  if (const json* c = find(doc, "constraints")) {
    std::string joined;
    if (c->is_array()) {
      for (const json& item : *c) joined += (joined.empty() ? "" : "; ") + display(item);
    } else {
      joined = display(*c);
    }
    if (!joined.empty()) rows.emplace_back("constraints", joined);
  }
  // `explore --uncertainty`: how robust the best design is to the technology constants.
  if (const json* u = object_at(doc, "uncertainty")) {
    auto same = number(*u, {"best_same"});
    auto lo = number(*u, {"objective.min"}), mid = number(*u, {"objective.median"}), hi = number(*u, {"objective.max"});
    std::string text_v = "constants within ±" + num(number(*u, {"pct"}).value_or(NAN)) + "%, " +
                         num(number(*u, {"samples"}).value_or(NAN)) + " samples: best design kept in " +
                         (same ? pct(*same) : std::string("?"));
    if (lo && mid && hi)
      text_v += "; best objective min / median / max " + num(*lo) + " / " + num(*mid) + " / " + num(*hi);
    rows.emplace_back("under technology uncertainty", text_v);
  }
  page.summary(rows);
}

void add_best(Page& page, const json& doc) {
  const json* best = object_at(doc, "best");
  if (!best) {
    page.note("No selected design in the input.");
    return;
  }
  std::vector<std::pair<std::string, std::string>> rows;
  if (const json* p = object_at(*best, "params")) {
    for (const auto& [key, value] : p->items()) rows.emplace_back(key, display(value));
  }
  auto add = [&](const char* label, const char* key, auto format) {
    if (auto v = metric(*best, key)) rows.emplace_back(label, format(*v));
  };
  add("latency", "latency_s", [](double v) { return si(v, "s"); });
  add("throughput", "throughput_per_s", [](double v) { return num(v) + " inferences/s"; });
  add("area", "area_mm2", [](double v) { return num(v) + " mm²"; });
  add("energy per inference", "energy_pj", [](double v) { return si(v * 1e-12, "J"); });
  add("power", "power_w", [](double v) { return si(v, "W"); });
  add("utilisation", "utilization", [](double v) { return pct(v); });
  page.summary(rows);
}

void add_front_table(Page& page, const std::vector<Point>& front) {
  std::vector<std::string> keys;  // union of parameter names, first-seen order
  for (const Point& p : front) {
    if (const json* params = object_at(*p.design, "params")) {
      for (const auto& [k, v] : params->items()) {
        if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
      }
    }
  }
  std::vector<std::string> header = keys;
  for (const char* h : {"latency", "throughput (1/s)", "area (mm²)", "energy", "power"}) header.push_back(h);
  Rows rows;
  for (const Point& p : front) {
    std::vector<std::string> row;
    const json* params = object_at(*p.design, "params");
    for (const auto& k : keys) {
      const json* v = params ? find(*params, k) : nullptr;
      row.push_back(v ? display(*v) : "");
    }
    auto m = [&](const char* key, auto format) {
      auto v = metric(*p.design, key);
      row.push_back(v ? format(*v) : "");
    };
    m("latency_s", [](double v) { return si(v, "s"); });
    m("throughput_per_s", [](double v) { return num(v); });
    m("area_mm2", [](double v) { return num(v); });
    m("energy_pj", [](double v) { return si(v * 1e-12, "J"); });
    m("power_w", [](double v) { return si(v, "W"); });
    rows.push_back(std::move(row));
  }
  page.folded_table(fmt::format("The {} Pareto-optimal designs", front.size()), header, rows, 2000);
}

std::string exploration_page(const json& doc, bool from_store) {
  Axes axes = choose_axes(doc);
  ScatterInput in;
  // "points" from explore, "designs" from `acceldse results --format json`.
  const json* all = array_at(doc, "points") ? array_at(doc, "points") : array_at(doc, "designs");
  in.all = to_points(all, axes);
  in.front = to_points(array_at(doc, "pareto"), axes);
  if (const json* best = object_at(doc, "best")) in.best = to_point(*best, axes);
  bool computed_front = false;
  if (!array_at(doc, "pareto") && !in.all.empty()) {
    in.front = pareto_of(in.all, axes.throughput);
    computed_front = true;
  }
  std::string model = name_of(doc, "model");
  if (model.empty()) model = name_of(doc, "network");
  std::string title = from_store ? "Result store" : "Design-space exploration";
  if (!model.empty()) title += ": " + model;
  Page page(title, from_store ? "store" : "exploration");
  page.heading("Summary");
  add_summary(page, doc, in, from_store);
  page.heading("Selected design");
  add_best(page, doc);
  page.heading("Designs: performance vs area");
  if (in.all.empty() && in.front.empty() && !in.best) {
    page.note("No designs in the input: scatter plot skipped.");
  } else {
    std::string note;
    page.raw(scatter(in, axes, note));
    if (in.all.empty()) note += "The input lists only the Pareto front, not every evaluated design. ";
    if (computed_front) note += "The input has no Pareto front; the one shown was computed from the listed designs. ";
    if (!note.empty()) page.note(note);
  }
  page.heading("Parameter sensitivity");
  add_sensitivity(page, doc, text(doc, {"objective_metric"}).value_or(axes.objective));
  if (const json* best = object_at(doc, "best")) {
    if (auto plot = breakdown_plot(*best)) {
      page.heading("Selected design: energy and area breakdown");
      page.raw(*plot);
    }
  }
  if (!in.front.empty()) {
    page.heading("Pareto front");
    add_front_table(page, in.front);
  }
  return page.finish();
}

}  // namespace

std::string exploration_html(const json& exploration) { return exploration_page(exploration, false); }

std::string store_html(const json& store) { return exploration_page(store, true); }

}  // namespace acceldse::report
