#pragma once
// Self-contained HTML reports with SVG plots. Every function takes the JSON document
// the matching CLI command prints with `--format json` and returns one complete HTML
// page: no external scripts, styles, fonts or images, so it opens offline.
// Missing or malformed keys never throw: the affected plot or table is replaced by a
// note saying what was missing.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace acceldse::report {

// `acceldse evaluate --format json`: totals, per-layer stacked cycles, per-layer
// utilisation, roofline, area/energy breakdown, layer table.
std::string evaluation_html(const nlohmann::json& evaluation);

// `acceldse explore --format json`: latency-vs-area scatter of every design coloured
// by energy, Pareto front, selected design, parameter sensitivity curves.
std::string exploration_html(const nlohmann::json& exploration);

// `acceldse report --db FILE`: the exploration page for designs read from a result
// store; a Pareto front is computed for display if the document has none.
std::string store_html(const nlohmann::json& store);

// `acceldse suite --format json`: design x network heat map and per-network gain/loss.
std::string suite_html(const nlohmann::json& suite);

// `acceldse corun --format json`: each network's share of the chip and its throughput.
std::string corun_html(const nlohmann::json& corun);

// `acceldse fit-model --format json`: per-layer utilisation before/after and the
// proposed changes.
std::string fit_html(const nlohmann::json& fit);

// Writes `html` to `path`; throws acceldse::InputError naming the path if it cannot.
void write_html(const std::string& path, const std::string& html);

// ---- Plain text and CSV for the command line ----------------------------------------

// 1234567 -> "1,234,567" (no locale: the output must not depend on the machine).
std::string grouped(int64_t value);

// One CSV field, quoted (RFC 4180) when it holds a comma, a quote or a newline.
std::string csv_field(const std::string& text);

// A parameter value for JSON: numbers stay numbers ("64" -> 64, "0.5" -> 0.5), so
// scripts need not parse them; anything else stays a string.
nlohmann::ordered_json json_value(const std::string& text);

// Cells joined by `separator` as they are (quote CSV fields first).
std::string join(const std::vector<std::string>& cells, const std::string& separator = ",");

// A table with every column as wide as its widest cell: text left-aligned, numbers
// right-aligned; trailing spaces trimmed.
struct TextTable {
  std::vector<std::string> header{};
  // Per column, true for right alignment. Empty: a cell is a number when it starts
  // with a digit, '-' or '+'.
  std::vector<bool> numeric{};
  std::vector<std::vector<std::string>> rows{};
  std::string indent{};           // before every line
  bool rule = true;               // dashes under the header
  bool rule_before_last = false;  // and above the last row (a total)
  void print(std::ostream& out) const;
};

// A one-line progress bar on stderr, redrawn at most ten times a second and only when
// enabled (on a terminal, so logs and pipes stay clean); erased when done or destroyed.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled, std::string what = "designs");
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  // `planned` 0: unknown (a time budget), shown as a count and a rate.
  void update(uint64_t done, uint64_t planned, double elapsed_s);
  void clear();

 private:
  bool enabled_;
  std::string what_;
  bool drawn_ = false;
  double last_s_ = -1;
};

}  // namespace acceldse::report
