// The SQLite result store. One connection, used only by the thread that drives the
// search; rows are inserted inside a transaction that is committed every few hundred
// rows or 100 ms, so throughput stays high and a killed run loses almost nothing.
#include <sqlite3.h>

#include <chrono>

#include "common/error.h"
#include "dse/dse.h"

namespace acceldse::dse {

namespace {

constexpr const char* kFormat = "acceldse-results";
// Version 2: chip power_w apart from dram_power_w, and the calibrated cost model; a
// version-1 store holds metrics of the old model, which must not mix with new ones.
constexpr const char* kVersion = "2";
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

// Reads the row laid out as kColumns.
StoredDesign read_row(sqlite3_stmt* stmt) {
  StoredDesign d;
  d.space = text_column(stmt, 0);
  d.space_hash = text_column(stmt, 1);
  d.model = text_column(stmt, 2);
  d.model_hash = text_column(stmt, 3);
  d.key = text_column(stmt, 4);
  d.error = text_column(stmt, 5);
  Metrics& m = d.metrics;
  m.latency_s = sqlite3_column_double(stmt, 6);
  m.cycles = sqlite3_column_int64(stmt, 7);
  m.area_mm2 = sqlite3_column_double(stmt, 8);
  m.energy_pj = sqlite3_column_double(stmt, 9);
  m.power_w = sqlite3_column_double(stmt, 10);
  m.throughput_per_s = sqlite3_column_double(stmt, 11);
  m.utilization = sqlite3_column_double(stmt, 12);
  m.edp = sqlite3_column_double(stmt, 13);
  m.perf_per_area = sqlite3_column_double(stmt, 14);
  m.pes = sqlite3_column_int64(stmt, 15);
  m.dram_bytes = sqlite3_column_int64(stmt, 16);
  m.dram_power_w = sqlite3_column_double(stmt, 17);
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
  void check_format() {
    sqlite3_stmt* stmt = prepare("SELECT value FROM meta WHERE key = 'format'");
    std::string format = sqlite3_step(stmt) == SQLITE_ROW ? text_column(stmt, 0) : "";
    sqlite3_finalize(stmt);
    if (format.empty()) {
      exec((std::string("INSERT OR IGNORE INTO meta VALUES('format', '") + kFormat + "'), ('version', '" + kVersion + "')").c_str());
    } else if (format != kFormat) {
      throw InputError(file, "", "not an acceldse result store (format '" + format + "')");
    } else if (const std::string version = meta("version"); version != kVersion) {
      throw InputError(file, "", "result store of version " + version + " (an older cost model); this program writes version " +
                                     std::string(kVersion) + ": use a new store file");
    }
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
    // WAL + NORMAL: a commit survives the process being killed; only a power cut could
    // lose the last transactions, which a resume simply recomputes.
    p.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    p.exec(kSchema);
    p.check_format();
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
  if (rc == SQLITE_ROW) out = read_row(stmt);
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
  std::string sql = std::string("SELECT ") + kColumns + " FROM designs" +
                    (model.empty() ? "" : " WHERE model = ?") + " ORDER BY model, space_hash, design_key";
  sqlite3_stmt* stmt = impl_->prepare(sql);
  if (!model.empty()) sqlite3_bind_text(stmt, 1, model.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<StoredDesign> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) out.push_back(read_row(stmt));
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) impl_->fail("result store query");
  return out;
}

}  // namespace acceldse::dse
