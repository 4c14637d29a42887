#include "report/page.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "report/text.h"

namespace acceldse::report::detail {

namespace {

// All styling lives here so that plotted elements carry classes, not style attributes.
constexpr std::string_view kCss = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1b1b1b;background:#fff;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
p.sub{color:#555;margin:0 0 12px}p.note{color:#8a5a00;background:#fff7e0;border-left:3px solid #e0a800;padding:4px 8px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
table.summary th{width:220px}
details{margin:8px 0}summary{cursor:pointer;color:#245}
.row{display:flex;flex-wrap:wrap;gap:8px}
svg.plot{display:block;max-width:100%;height:auto;margin:6px 0;background:#fff}
svg text{font:11px sans-serif}svg text:not([fill]){fill:#222}
.ttl{font-weight:600;font-size:13px}.al{text-anchor:middle;font-size:12px}
.tx{text-anchor:middle}.ty{text-anchor:end}.tb{text-anchor:end;font-size:10px}.cbt{font-size:10px}
.vl{text-anchor:middle;font-size:10px}.lgt{font-size:11px}
.ax{stroke:#444;stroke-width:1}.gr{stroke:#e6e6e6;stroke-width:1}
.pt{fill-opacity:.45;stroke:none}.pt:not([fill]){fill:#9a9a9a}
.pt.pareto{fill-opacity:1;stroke:#222;stroke-width:.6}
.pt.best{fill:none;stroke:#d62728;stroke-width:2.5}
.pt.sv{fill:#4e79a7;fill-opacity:1}.pt.inf{fill:none;stroke:#aaa}
.pt.lyr{fill-opacity:.9;stroke:#222;stroke-width:.5}
.pt:hover{stroke:#000;stroke-width:2;fill-opacity:1}
.front{fill:none;stroke:#333;stroke-width:1.2;stroke-dasharray:4 3}
.roof{fill:none;stroke:#c0392b;stroke-width:2}.ridge{stroke:#c0392b;stroke-dasharray:3 3}
.ln{fill:none;stroke:#4e79a7;stroke-width:1.8}.sel{stroke:#d62728;stroke-dasharray:4 3}
.bar:hover,.cell:hover{opacity:.75}.mk{stroke:#000;stroke-width:1.5}
.rest{fill:#eee}.zero{stroke:#444}
.cell{stroke:#fff;stroke-width:1}.cell.sel{stroke:#d62728;stroke-width:2.5}
.ct{text-anchor:middle;font-size:11px}.ca{text-anchor:middle;font-size:10px}
)";

// Counts JavaScript errors into data-errors (read back by the browser test via
// --dump-dom) and records how many plotted elements the browser actually built.
constexpr std::string_view kHeadScript =
    "<script>window.__e=0;addEventListener('error',function(){document.documentElement"
    ".setAttribute('data-errors',++window.__e)});</script>";
constexpr std::string_view kTailScript =
    "<script>(function(){var d=document.documentElement;d.setAttribute('data-errors',window.__e);"
    "document.querySelectorAll('svg.plot').forEach(function(s){s.setAttribute('data-drawn',"
    "s.querySelectorAll('.pt,.bar,.cell').length)});"
    "d.setAttribute('data-ready',Math.round(performance.now()))})();</script>";

// No network: everything the page needs is inline, and the policy makes sure of it.
constexpr std::string_view kCsp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

std::string cell(const std::string& text) {
  // Right-align cells that start like a number so columns of figures line up.
  bool numeric =
      !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) ||
                        (text[0] == '-' && text.size() > 1 && std::isdigit(static_cast<unsigned char>(text[1]))));
  return fmt::format("<td{}>{}</td>", numeric ? " class=\"n\"" : "", escape(text));
}

}  // namespace

Page::Page(std::string_view title, std::string_view kind) : title_(title), kind_(kind) {}

void Page::heading(std::string_view text) { body_ += fmt::format("<h2>{}</h2>\n", escape(text)); }

void Page::paragraph(std::string_view text) { body_ += fmt::format("<p>{}</p>\n", escape(text)); }

void Page::note(std::string_view text) { body_ += fmt::format("<p class=\"note\">{}</p>\n", escape(text)); }

void Page::summary(const std::vector<std::pair<std::string, std::string>>& rows) {
  body_ += "<table class=\"summary\">";
  for (const auto& [key, value] : rows) {
    if (!value.empty()) body_ += fmt::format("<tr><th>{}</th>{}</tr>", escape(key), cell(value));  // absent figure
  }
  body_ += "</table>\n";
}

void Page::table(const std::vector<std::string>& header, const Rows& rows, size_t max_rows) {
  body_ += "<table><tr>";
  for (const auto& h : header) body_ += fmt::format("<th>{}</th>", escape(h));
  body_ += "</tr>";
  size_t shown = std::min(rows.size(), max_rows);
  for (size_t i = 0; i < shown; ++i) {
    body_ += "<tr>";
    for (const auto& c : rows[i]) body_ += cell(c);
    body_ += "</tr>";
  }
  body_ += "</table>\n";
  if (shown < rows.size())
    note(fmt::format("{} more rows not shown.", count(static_cast<int64_t>(rows.size() - shown))));
}

void Page::folded_table(std::string_view summary_text, const std::vector<std::string>& header, const Rows& rows,
                        size_t max_rows) {
  body_ += fmt::format("<details><summary>{}</summary>", escape(summary_text));
  table(header, rows, max_rows);
  body_ += "</details>\n";
}

void Page::raw(std::string_view html) {
  body_ += html;
  body_ += '\n';
}

void Page::open_row() { body_ += "<div class=\"row\">"; }
void Page::close_row() { body_ += "</div>\n"; }

std::string Page::finish() const {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>{}</title><style>{}</style>{}</head>\n"
      "<body data-report=\"{}\"><h1>{}</h1><p class=\"sub\">acceldse {} report — self-contained, opens offline."
      " Hover over points and bars for details.</p>\n{}{}</body></html>\n",
      kCsp, escape(title_), kCss, kHeadScript, escape(kind_), escape(title_), escape(kind_), body_, kTailScript);
}

}  // namespace acceldse::report::detail
