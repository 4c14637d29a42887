// `acceldse report --db FILE --out FILE`: the HTML exploration page (store_html) for
// every design in a result store written by `explore --db`. The document given to the
// report has the shape of `acceldse results --format json`.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "common/error.h"
#include "dse/dse.h"
#include "report/report.h"

namespace acceldse::cli {

namespace {

using nlohmann::json;

struct ReportArgs {
  std::string db, out, model;
};

bool is_integer_metric(const std::string& name) { return name == "cycles" || name == "pes" || name == "dram_bytes"; }

json store_json(const ReportArgs& args) {
  if (!std::filesystem::is_regular_file(args.db)) throw InputError(args.db, "", "no such result store");
  dse::ResultStore store(args.db);
  json designs = json::array();
  for (const dse::StoredDesign& d : store.all(args.model)) {
    if (!d.error.empty()) continue;
    json params = json::object();
    for (const auto& [name, value] : d.params()) params[name] = report::json_value(value);
    json metrics = json::object();
    for (const std::string& name : dse::metric_names()) {
      double v = *dse::metric_value(d.metrics, name);
      if (is_integer_metric(name)) {
        metrics[name] = static_cast<int64_t>(v);
      } else {
        metrics[name] = v;
      }
    }
    designs.push_back(json{{"model", d.model}, {"space", d.space}, {"params", params}, {"metrics", metrics}});
  }
  const size_t matched = designs.size();
  return json{{"db", args.db}, {"matched", matched}, {"designs", std::move(designs)}};
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand("report", "Write the HTML report of a result store written by explore --db");
  cmd->add_option("--db", args->db, "SQLite result store")->required();
  cmd->add_option("--out", args->out, "HTML file to write")->required();
  cmd->add_option("--model", args->model, "Only designs evaluated for this model");
  cmd->callback([args] { report::write_html(args->out, report::store_html(store_json(*args))); });
}

}  // namespace acceldse::cli
