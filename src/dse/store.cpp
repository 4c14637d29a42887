// The SQLite result store. One connection, used only by the thread that drives the
// search; rows are inserted inside a transaction that is committed every few hundred
// rows or 100 ms, so throughput stays high and a killed run loses almost nothing.
#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <thread>

#include "common/error.h"
#include "common/input_limits.h"
#include "dse/dse.h"
#include "dse/internal.h"

namespace acceldse::dse {

namespace {

constexpr const char* kFormat = "acceldse-results";
// Version 2: chip power_w apart from dram_power_w, and the calibrated cost model; a
// version-1 store holds metrics of the old model, which must not mix with new ones.
constexpr const char* kVersion = "2";
// SQLite's application_id header field marks a database as ours ("ADSE"), so another
// application's database is refused before anything is written into it.
constexpr int64_t kApplicationId = 0x41445345;
constexpr size_t kCommitRows = 256;
constexpr auto kCommitInterval = std::chrono::milliseconds(100);

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS designs(
  space_hash TEXT NOT NULL, model_hash TEXT NOT NULL, design_key TEXT NOT NULL,
  space TEXT NOT NULL, model TEXT NOT NULL, error TEXT NOT NULL,
  latency_s REAL, cycles INTEGER, area_mm2 REAL, energy_pj REAL, power_w REAL,
  throughput_per_s REAL, utilization REAL, edp REAL, perf_per_area REAL,
  pes INTEGER, dram_bytes INTEGER, dram_power_w REAL,
  PRIMARY KEY(space_hash, model_hash, design_key)) WITHOUT ROWID;
)sql";

constexpr const char* kColumns =
    "space, space_hash, model, model_hash, design_key, error, latency_s, cycles, area_mm2, "
    "energy_pj, power_w, throughput_per_s, utilization, edp, perf_per_area, pes, dram_bytes, dram_power_w";

std::string text_column(sqlite3_stmt* stmt, int i) {
  const unsigned char* text = sqlite3_column_text(stmt, i);
  return text ? reinterpret_cast<const char*>(text) : "";
}

// A row changed outside acceldse (NULL, text or negative metrics) would read as 0 and
// rank best; every value is checked instead, naming the row and column.
class RowReader {
 public:
  RowReader(sqlite3_stmt* stmt, const std::string& file) : stmt_(stmt), file_(file) {}

  std::string text(int i) {
    if (sqlite3_column_type(stmt_, i) != SQLITE_TEXT) bad(i, "expected text");
    std::string value = text_column(stmt_, i);
    if (!is_valid_utf8(value)) bad(i, "expected UTF-8 text");
    return value;
  }
  double real(int i, bool valid) {
    const int type = sqlite3_column_type(stmt_, i);
    if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) bad(i, "expected a number");
    const double value = sqlite3_column_double(stmt_, i);
    if (!std::isfinite(value) || value < 0 || (valid && i == kLatencyColumn && !(value > 0))) {
      bad(i, fmt::format("expected a finite number >= 0, got {}", value));
    }
    return value;
  }
  int64_t integer(int i) {
    if (sqlite3_column_type(stmt_, i) != SQLITE_INTEGER) bad(i, "expected a whole number");
    const int64_t value = sqlite3_column_int64(stmt_, i);
    if (value < 0) bad(i, fmt::format("expected a whole number >= 0, got {}", value));
    return value;
  }

 private:
  static constexpr int kLatencyColumn = 6;
  sqlite3_stmt* stmt_;
  const std::string& file_;

  [[noreturn]] void bad(int i, const std::string& what) {
    const std::string key = text_column(stmt_, 4);
    throw InputError(
        file_,
        fmt::format("designs row '{}', column {}", is_valid_utf8(key) ? key : "?", sqlite3_column_name(stmt_, i)),
        what + " (the store was changed outside acceldse); delete the row or use a new store file");
  }
};

// Reads the row laid out as kColumns.
StoredDesign read_row(sqlite3_stmt* stmt, const std::string& file) {
  RowReader r(stmt, file);
  StoredDesign d;
  d.space = r.text(0);
  d.space_hash = r.text(1);
  d.model = r.text(2);
  d.model_hash = r.text(3);
  d.key = r.text(4);
  d.error = r.text(5);
  const bool valid = d.error.empty();
  Metrics& m = d.metrics;
  m.latency_s = r.real(6, valid);
  m.cycles = r.integer(7);
  m.area_mm2 = r.real(8, valid);
  m.energy_pj = r.real(9, valid);
  m.power_w = r.real(10, valid);
  m.throughput_per_s = r.real(11, valid);
  m.utilization = r.real(12, valid);
  m.edp = r.real(13, valid);
  m.perf_per_area = r.real(14, valid);
  m.pes = r.integer(15);
  m.dram_bytes = r.integer(16);
  m.dram_power_w = r.real(17, valid);
  return d;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> StoredDesign::params() const {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start < key.size()) {
    size_t end = key.find(';', start);
    if (end == std::string::npos) end = key.size();
    std::string item = key.substr(start, end - start);
    size_t eq = item.find('=');
    if (eq != std::string::npos) out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    start = end + 1;
  }
  return out;
}

struct ResultStore::Impl {
  std::string file;
  sqlite3* db = nullptr;
  sqlite3_stmt* find = nullptr;
  sqlite3_stmt* insert = nullptr;
  bool in_transaction = false;
  size_t pending = 0;
  std::chrono::steady_clock::time_point last_commit = std::chrono::steady_clock::now();

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file, "", what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
  }
  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      throw InputError(file, "", "result store: " + text);
    }
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail("result store");
    return stmt;
  }
  int64_t query_int(const char* sql) {
    sqlite3_stmt* stmt = prepare(sql);
    const int rc = sqlite3_step(stmt);
    const int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) fail("result store");
    return value;
  }
  std::string format_marker() {
    if (query_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") == 0) return "";
    sqlite3_stmt* stmt = prepare("SELECT value FROM meta WHERE key = 'format'");
    std::string format = sqlite3_step(stmt) == SQLITE_ROW ? text_column(stmt, 0) : "";
    sqlite3_finalize(stmt);
    return format;
  }
  // Before anything is written: a new (empty) database becomes a store; an existing one
  // must carry our application id or, from before the id, our format marker.
  void check_ours() {
    const int64_t id = query_int("PRAGMA application_id");
    const int64_t tables = query_int("SELECT COUNT(*) FROM sqlite_master");
    if (id == 0 && tables == 0) {
      exec(fmt::format("PRAGMA application_id = {}", kApplicationId).c_str());
      return;
    }
    const std::string format = format_marker();
    if ((id != kApplicationId && id != 0) || format != kFormat) {
      throw InputError(file, "",
                       fmt::format("not an acceldse result store (a SQLite database of another application: "
                                   "application id {}, format '{}'); expected a store acceldse "
                                   "created, or a new file",
                                   id, format));
    }
    if (const std::string version = meta("version"); version != kVersion) {
      throw InputError(file, "",
                       "result store of version " + version + " (an older cost model); this program writes version " +
                           std::string(kVersion) + ": use a new store file");
    }
    if (id == 0) exec(fmt::format("PRAGMA application_id = {}", kApplicationId).c_str());
  }
  void write_format() {
    exec(
        (std::string("INSERT OR IGNORE INTO meta VALUES('format', '") + kFormat + "'), ('version', '" + kVersion + "')")
            .c_str());
  }
  std::string meta(const char* key) {
    sqlite3_stmt* stmt = prepare(std::string("SELECT value FROM meta WHERE key = '") + key + "'");
    std::string value = sqlite3_step(stmt) == SQLITE_ROW ? text_column(stmt, 0) : "";
    sqlite3_finalize(stmt);
    return value;
  }
};

ResultStore::ResultStore(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
  Impl& p = *impl_;
  p.file = file.string();
  if (sqlite3_open_v2(p.file.c_str(), &p.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string message = p.db ? sqlite3_errmsg(p.db) : "cannot open";
    sqlite3_close(p.db);
    p.db = nullptr;
    throw InputError(p.file, "", "cannot open result store: " + message);
  }
  try {
    sqlite3_busy_timeout(p.db, 5000);
    // One transaction, so that a process opening the same new file meanwhile (a reader
    // polling a store another process is creating) sees nothing or a whole store, never
    // an id without the format marker, which it would refuse.
    p.exec("BEGIN IMMEDIATE");
    try {
      p.check_ours();
      p.exec(kSchema);
      p.write_format();
      p.exec("COMMIT");
    } catch (...) {
      sqlite3_exec(p.db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    // WAL + NORMAL: a commit survives the process being killed; only a power cut could
    // lose the last transactions, which a resume simply recomputes. Switching the journal
    // needs the file to itself: another opener switching it at the same moment makes
    // SQLite answer "busy" at once instead of waiting, so wait here.
    int rc = SQLITE_BUSY;
    for (int attempt = 0; attempt < 500 && rc == SQLITE_BUSY; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      rc = sqlite3_exec(p.db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    }
    if (rc != SQLITE_OK) p.fail("result store");
    p.exec("PRAGMA synchronous=NORMAL");
    p.find = p.prepare(std::string("SELECT ") + kColumns +
                       " FROM designs WHERE space_hash = ? AND model_hash = ? AND design_key = ?");
    p.insert = p.prepare(std::string("INSERT OR REPLACE INTO designs(") + kColumns +
                         ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  } catch (...) {
    sqlite3_finalize(p.find);
    sqlite3_finalize(p.insert);
    sqlite3_close(p.db);
    throw;
  }
}

ResultStore::~ResultStore() {
  try {
    commit();
  } catch (...) {  // nothing sensible to do about a failing disk in a destructor
  }
  sqlite3_finalize(impl_->find);
  sqlite3_finalize(impl_->insert);
  sqlite3_close(impl_->db);
}

std::optional<StoredDesign> ResultStore::find(const std::string& space_hash, const std::string& model_hash,
                                              const std::string& key) {
  sqlite3_stmt* stmt = impl_->find;
  sqlite3_bind_text(stmt, 1, space_hash.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 2, model_hash.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 3, key.c_str(), -1, SQLITE_TRANSIENT);
  std::optional<StoredDesign> out;
  int rc = sqlite3_step(stmt);
  try {
    if (rc == SQLITE_ROW) out = read_row(stmt, impl_->file);
  } catch (...) {
    sqlite3_reset(stmt);
    throw;
  }
  sqlite3_reset(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) impl_->fail("result store lookup");
  return out;
}

void ResultStore::record(const StoredDesign& d) {
  Impl& p = *impl_;
  if (!p.in_transaction) {
    p.exec("BEGIN");
    p.in_transaction = true;
  }
  sqlite3_stmt* s = p.insert;
  const std::string* texts[] = {&d.space, &d.space_hash, &d.model, &d.model_hash, &d.key, &d.error};
  for (int i = 0; i < 6; ++i) sqlite3_bind_text(s, i + 1, texts[i]->c_str(), -1, SQLITE_TRANSIENT);
  const Metrics& m = d.metrics;
  sqlite3_bind_double(s, 7, m.latency_s);
  sqlite3_bind_int64(s, 8, m.cycles);
  sqlite3_bind_double(s, 9, m.area_mm2);
  sqlite3_bind_double(s, 10, m.energy_pj);
  sqlite3_bind_double(s, 11, m.power_w);
  sqlite3_bind_double(s, 12, m.throughput_per_s);
  sqlite3_bind_double(s, 13, m.utilization);
  sqlite3_bind_double(s, 14, m.edp);
  sqlite3_bind_double(s, 15, m.perf_per_area);
  sqlite3_bind_int64(s, 16, m.pes);
  sqlite3_bind_int64(s, 17, m.dram_bytes);
  sqlite3_bind_double(s, 18, m.dram_power_w);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) p.fail("result store insert");
  ++p.pending;
}

void ResultStore::commit_if_due() {
  Impl& p = *impl_;
  if (p.pending >= kCommitRows || std::chrono::steady_clock::now() - p.last_commit >= kCommitInterval) commit();
}

void ResultStore::commit() {
  Impl& p = *impl_;
  if (p.in_transaction) {
    p.exec("COMMIT");
    p.in_transaction = false;
  }
  p.pending = 0;
  p.last_commit = std::chrono::steady_clock::now();
}

uint64_t ResultStore::count() {
  sqlite3_stmt* stmt = impl_->prepare("SELECT COUNT(*) FROM designs");
  uint64_t n = sqlite3_step(stmt) == SQLITE_ROW ? static_cast<uint64_t>(sqlite3_column_int64(stmt, 0)) : 0;
  sqlite3_finalize(stmt);
  return n;
}

std::vector<StoredDesign> ResultStore::all(const std::string& model) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM designs" + (model.empty() ? "" : " WHERE model = ?") +
                    " ORDER BY model, space_hash, design_key";
  sqlite3_stmt* stmt = impl_->prepare(sql);
  if (!model.empty()) sqlite3_bind_text(stmt, 1, model.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<StoredDesign> out;
  int rc;
  try {
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) out.push_back(read_row(stmt, impl_->file));
  } catch (...) {
    sqlite3_finalize(stmt);
    throw;
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) impl_->fail("result store query");
  return out;
}

}  // namespace acceldse::dse

// ---- Queries ------------------------------------------------------------------------------

namespace acceldse::dse {
namespace {

struct Row {
  StoredDesign design;
  std::vector<std::pair<std::string, std::string>> params;
};

// Metric names, then every parameter that is a number in some row.
std::vector<std::string> where_names(const std::vector<Row>& rows) {
  std::set<std::string> numeric;
  for (const Row& row : rows) {
    for (const auto& [name, value] : row.params) {
      if (detail::parse_number(value)) numeric.insert(name);
    }
  }
  std::vector<std::string> names = metric_names();
  for (const std::string& n : numeric) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names;
}

std::vector<Row> selected(std::vector<Row> rows, const StoreQuery& query) {
  if (query.where.empty()) return rows;
  const std::vector<std::string> names = where_names(rows);
  const Expression where = Expression::parse(query.where, names, "<command line>", query.where_place);
  std::vector<Row> kept;
  std::vector<double> values;
  for (Row& row : rows) {
    values.clear();
    append_metric_values(row.design.metrics, values);
    for (size_t i = values.size(); i < names.size(); ++i) {
      double v = std::numeric_limits<double>::quiet_NaN();  // parameter absent: comparisons fail
      for (const auto& [name, value] : row.params) {
        if (name == names[i]) v = detail::parse_number(value).value_or(v);
      }
      values.push_back(v);
    }
    if (where.evaluate(values) != 0) kept.push_back(std::move(row));
  }
  return kept;
}

}  // namespace

StoreAnswer query_store(const std::filesystem::path& db, const StoreQuery& query) {
  if (!std::filesystem::is_regular_file(db)) throw InputError(db.string(), "", "no such result store");
  ResultStore store(db);
  std::vector<Row> rows;
  for (StoredDesign& d : store.all(query.model)) {
    if (!d.error.empty()) continue;
    Row row{std::move(d), {}};
    row.params = row.design.params();
    rows.push_back(std::move(row));
  }
  std::vector<StoredDesign> designs;
  for (Row& row : selected(std::move(rows), query)) designs.push_back(std::move(row.design));
  StoreAnswer answer{designs.size(), {}};
  if (query.pareto) {
    answer.designs = pareto_front(std::move(designs), [](const StoredDesign& d) { return pareto_vector(d.metrics); });
    return answer;
  }
  // The order explore uses (compare_rank), then the stored key.
  const auto rank = [&](const StoredDesign& d) {
    return RankKey{query.objective.score(d.metrics), d.metrics.area_mm2, d.metrics.energy_pj};
  };
  std::stable_sort(designs.begin(), designs.end(), [&](const StoredDesign& a, const StoredDesign& b) {
    const int c = compare_rank(rank(a), rank(b));
    return c != 0 ? c < 0 : a.key < b.key;
  });
  if (designs.size() > query.top) designs.resize(query.top);
  answer.designs = std::move(designs);
  return answer;
}

}  // namespace acceldse::dse
