// MPI scale-out of explore, suite and corun (see mpi_team.h). Messages, all MPI_BYTE on
// MPI_COMM_WORLD:
//   leader -> rank  kWork:   u32 task length and the task key, u64 first, u64 count,
//                            then count x parameters u16 indices
//   rank -> leader  kResult: u64 first, u64 count, then per design the Metrics bytes,
//                            u32 error length and the error text
//   leader -> rank  kStop:   empty; the rank returns from serve()
// Sends are non-blocking and waits sleep, so no rank spins a core it shares.
// Every rank is the same binary on the same machine type, so Metrics travels as bytes.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "mpi_team.h"

namespace acceldse::cli::mpi {

namespace {

constexpr int kWork = 1, kResult = 2, kStop = 3;
bool g_started = false;

static_assert(std::is_trivially_copyable_v<dse::Metrics>);

// Ranks announced by mpirun (Open MPI) before MPI is started.
int launched_ranks() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  return size != nullptr ? std::atoi(size) : 1;
}

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI call failed: ") + what);
}

template <typename T>
void put(std::vector<char>& out, const T& value) {
  const char* bytes = reinterpret_cast<const char*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

template <typename T>
T take(const std::vector<char>& in, size_t& at) {
  if (at + sizeof(T) > in.size()) throw std::runtime_error("MPI message shorter than expected");
  T value;
  std::memcpy(&value, in.data() + at, sizeof(T));
  at += sizeof(T);
  return value;
}

// A u32 length and that many bytes.
std::string take_text(const std::vector<char>& in, size_t& at) {
  const uint32_t length = take<uint32_t>(in, at);
  if (at + length > in.size()) throw std::runtime_error("MPI message shorter than expected");
  std::string text(in.data() + at, length);
  at += length;
  return text;
}

// Waits for a message without spinning a core: the ranks share the machine's cores
// with the leader's own work.
MPI_Status wait_for(int source, int tag) {
  int flag = 0;
  MPI_Status status;
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    check(MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (flag) return status;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

std::vector<char> receive(const MPI_Status& status) {
  int bytes = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &bytes), "MPI_Get_count");
  std::vector<char> buffer(static_cast<size_t>(bytes));
  check(MPI_Recv(buffer.data(), bytes, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
  return buffer;
}

// A message on its way; the buffer lives until MPI is done with it.
struct Pending {
  std::vector<char> buffer;
  MPI_Request request = MPI_REQUEST_NULL;
};

// Non-blocking: a blocking MPI_Send to a rank busy computing spins a core in Open MPI
// until that rank receives (measured: 40% of each rank's time).
std::unique_ptr<Pending> send_async(std::vector<char> buffer, int to, int tag) {
  auto p = std::make_unique<Pending>();
  p->buffer = std::move(buffer);
  check(MPI_Isend(p->buffer.data(), static_cast<int>(p->buffer.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD, &p->request),
        "MPI_Isend");
  return p;
}

bool done(Pending& p) {
  int flag = 0;
  check(MPI_Test(&p.request, &flag, MPI_STATUS_IGNORE), "MPI_Test");
  return flag != 0;
}

// Drops the messages already delivered; with `all`, waits (sleeping) for the rest.
void settle(std::vector<std::unique_ptr<Pending>>& pending, bool all) {
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    std::erase_if(pending, [](const std::unique_ptr<Pending>& p) { return done(*p); });
    if (!all || pending.empty()) return;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

}  // namespace

void start(int* argc, char*** argv) {
  if (launched_ranks() <= 1) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);  // only the main thread calls MPI
  g_started = true;
}

void finish() {
  if (g_started) MPI_Finalize();
  g_started = false;
}

void abort_all(int exit_code) {
  if (g_started && ranks() > 1) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

int rank() {
  int r = 0;
  if (g_started) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int ranks() {
  int n = 1;
  if (g_started) MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

// Evaluators kept for the tasks seen last: a study has a task per network (and per
// perturbed technology or part of the chip); each evaluator holds a thread pool.
constexpr size_t kMaxLocalEvaluators = 16;

struct Team::Impl {
  const dse::DesignSpace& space;
  MetricsFor metrics_for;
  int threads;
  // This rank's share of each task; no store (the leader's evaluator has it).
  std::map<std::string, std::unique_ptr<dse::Evaluator>> locals;
  bool stopped = false;
  std::vector<std::unique_ptr<Pending>> pending;  // messages this rank sent, on their way

  Impl(const dse::DesignSpace& s, MetricsFor m, int t) : space(s), metrics_for(std::move(m)), threads(t) {}

  dse::Evaluator& local(const std::string& task) {
    auto it = locals.find(task);
    if (it != locals.end()) return *it->second;
    if (locals.size() >= kMaxLocalEvaluators) locals.clear();
    auto evaluator = std::make_unique<dse::Evaluator>(space, metrics_for(task), evaluator_options(threads));
    return *locals.emplace(task, std::move(evaluator)).first->second;
  }

  static dse::EvaluatorOptions evaluator_options(int threads) {
    dse::EvaluatorOptions options;
    options.threads = threads;
    options.memo_limit = 0;  // the leader's evaluator remembers; this one only computes
    return options;
  }

  size_t parameters() const { return space.parameters().size(); }

  std::vector<char> work_message(const std::string& task, std::span<const dse::Design> designs, uint64_t first,
                                 uint64_t count) const {
    std::vector<char> out;
    put(out, static_cast<uint32_t>(task.size()));
    out.insert(out.end(), task.begin(), task.end());
    put(out, first);
    put(out, count);
    for (uint64_t i = first; i < first + count; ++i) {
      for (uint16_t index : designs[i].index) put(out, index);
    }
    return out;
  }

  std::vector<char> result_message(uint64_t first, const std::vector<dse::Evaluation>& answers) const {
    std::vector<char> out;
    put(out, first);
    put(out, static_cast<uint64_t>(answers.size()));
    for (const dse::Evaluation& e : answers) {
      put(out, e.metrics);
      put(out, static_cast<uint32_t>(e.error.size()));
      out.insert(out.end(), e.error.begin(), e.error.end());
    }
    return out;
  }

  // Puts a rank's answers in their places.
  void place(const std::vector<char>& message, std::span<const dse::Design> designs,
             std::vector<dse::Evaluation>& results) const {
    size_t at = 0;
    const uint64_t first = take<uint64_t>(message, at), count = take<uint64_t>(message, at);
    if (first + count > results.size()) throw std::runtime_error("MPI result outside the batch");
    for (uint64_t i = first; i < first + count; ++i) {
      dse::Evaluation& e = results[i];
      e.design = designs[i];
      e.metrics = take<dse::Metrics>(message, at);
      e.error = take_text(message, at);
    }
  }

  void compute_here(const std::string& task, std::span<const dse::Design> designs, uint64_t first, uint64_t count,
                    std::vector<dse::Evaluation>& results) {
    std::vector<dse::Evaluation> answers = local(task).evaluate(designs.subspan(first, count));
    std::move(answers.begin(), answers.end(), results.begin() + static_cast<std::ptrdiff_t>(first));
  }

  // Dynamic load balancing: each rank gets chunks and a new one as soon as it answers;
  // the leader computes chunks itself between answers. Chunks are contiguous runs of the
  // batch (in grid order neighbouring designs share most parameters, so each rank's
  // accelerator builder reuses prefixes).
  std::vector<dse::Evaluation> spread(const std::string& task, std::span<const dse::Design> designs) {
    const uint64_t n = designs.size();
    const uint64_t team = static_cast<uint64_t>(ranks());
    std::vector<dse::Evaluation> results(n);
    // A few designs (an annealing step, a sensitivity point) cost less here than a round
    // trip to another rank.
    if (n < team * 8) {
      compute_here(task, designs, 0, n, results);
      return results;
    }
    const uint64_t chunk = std::clamp<uint64_t>(n / (team * 8), 1, 256);
    uint64_t next = 0;
    int outstanding = 0;
    auto hand_out = [&](int to) {
      const uint64_t count = std::min(chunk, n - next);
      pending.push_back(send_async(work_message(task, designs, next, count), to, kWork));
      next += count;
      ++outstanding;
    };
    // Two chunks in flight per rank: it starts the second while the leader, busy with a
    // chunk of its own, has not yet seen the answer to the first.
    for (int round = 0; round < 2; ++round) {
      for (int r = 1; r < ranks() && next < n; ++r) hand_out(r);
    }
    while (next < n || outstanding > 0) {
      int flag = 0;
      MPI_Status status;
      check(MPI_Iprobe(MPI_ANY_SOURCE, kResult, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
      if (!flag && next >= n) {
        status = wait_for(MPI_ANY_SOURCE, kResult);
        flag = 1;
      }
      settle(pending, false);
      if (flag) {
        place(receive(status), designs, results);
        --outstanding;
        if (next < n) hand_out(status.MPI_SOURCE);
        continue;
      }
      const uint64_t count = std::min(chunk, n - next);
      const uint64_t first = next;
      next += count;
      compute_here(task, designs, first, count, results);
    }
    settle(pending, true);
    return results;
  }

  void serve() {
    for (;;) {
      MPI_Status status = wait_for(0, MPI_ANY_TAG);
      std::vector<char> message = receive(status);
      settle(pending, false);
      if (status.MPI_TAG == kStop) {
        settle(pending, true);
        return;
      }
      size_t at = 0;
      const std::string task = take_text(message, at);
      const uint64_t first = take<uint64_t>(message, at), count = take<uint64_t>(message, at);
      std::vector<dse::Design> designs(count);
      for (dse::Design& d : designs) {
        d.index.resize(parameters());
        for (uint16_t& index : d.index) index = take<uint16_t>(message, at);
      }
      pending.push_back(send_async(result_message(first, local(task).evaluate(designs)), 0, kResult));
    }
  }

  void stop_others() {
    if (stopped) return;
    stopped = true;
    for (int r = 1; r < ranks(); ++r) pending.push_back(send_async({}, r, kStop));
    settle(pending, true);
  }
};

Team::Team(const dse::DesignSpace& space, MetricsFor metrics_for, int threads)
    : impl_(std::make_unique<Impl>(space, std::move(metrics_for), threads)) {}

Team::~Team() {
  if (!leader()) return;
  try {
    impl_->stop_others();
  } catch (...) {  // MPI already failing: mpirun ends the job
  }
}

bool Team::leader() const { return rank() == 0; }

dse::RemoteFn Team::remote(const std::string& task) {
  if (ranks() <= 1) return {};
  return [this, task](std::span<const dse::Design> designs) { return impl_->spread(task, designs); };
}

void Team::serve() {
  if (!leader()) impl_->serve();
}

}  // namespace acceldse::cli::mpi
