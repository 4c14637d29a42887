#pragma once
// Self-contained HTML reports with SVG plots. Every function takes the JSON document
// the matching CLI command prints with `--format json` and returns one complete HTML
// page: no external scripts, styles, fonts or images, so it opens offline.
// Missing or malformed keys never throw: the affected plot or table is replaced by a
// note saying what was missing.
#include <string>

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

}  // namespace acceldse::report
