// Parallel evaluation of designs: a small thread pool, per-worker accelerator builders,
// an in-run memo and the optional result store.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "common/error.h"
#include "dse/dse.h"
#include "dse/internal.h"

namespace acceldse::dse {

// ---- Thread pool ------------------------------------------------------------------------

struct ThreadPool::Impl {
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::condition_variable wake, finished;
  uint64_t generation = 0;
  bool stop = false;
  const std::function<void(size_t, int)>* fn = nullptr;
  size_t n = 0, grain = 1;
  std::atomic<size_t> next{0};
  size_t active = 0;
  std::exception_ptr error;

  void work(int worker) {
    for (;;) {
      size_t begin = next.fetch_add(grain);
      if (begin >= n) return;
      size_t end = std::min(n, begin + grain);
      try {
        for (size_t i = begin; i < end; ++i) (*fn)(i, worker);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        next = n;  // the others stop claiming work
        return;
      }
    }
  }

  void loop(int worker) {
    uint64_t seen = 0;
    for (;;) {
      std::unique_lock lock(mutex);
      wake.wait(lock, [&] { return stop || generation != seen; });
      if (stop) return;
      seen = generation;
      lock.unlock();
      work(worker);
      lock.lock();
      if (--active == 0) finished.notify_all();
    }
  }
};

// Far above any useful parallelism of one process; each thread reserves a stack.
constexpr int kMaxThreads = 4096;

int worker_threads(int threads) {
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

ThreadPool::ThreadPool(int threads) : impl_(std::make_unique<Impl>()) {
  if (threads > kMaxThreads) {
    throw InputError("<command line>", "threads",
                     "expected at most " + std::to_string(kMaxThreads) + " threads, got " + std::to_string(threads));
  }
  const int total = worker_threads(threads);
  // The calling thread is worker 0, so one fewer thread is started.
  try {
    for (int w = 1; w < total; ++w) impl_->threads.emplace_back([this, w] { impl_->loop(w); });
  } catch (const std::system_error& e) {
    // The destructor does not run for a constructor that throws: stop the threads
    // already started here, or they would wait forever and their join never return.
    const size_t started = impl_->threads.size() + 1;
    stop_all();
    throw InputError("<command line>", "threads",
                     "cannot start " + std::to_string(total) + " worker threads (the system refused after " +
                         std::to_string(started) + ": " + e.what() + "); expected fewer threads");
  }
}

void ThreadPool::stop_all() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
}

ThreadPool::~ThreadPool() { stop_all(); }

int ThreadPool::size() const { return static_cast<int>(impl_->threads.size()) + 1; }

void ThreadPool::parallel_for(size_t n, size_t grain, const std::function<void(size_t, int)>& fn) {
  if (n == 0) return;
  Impl& p = *impl_;
  {
    std::lock_guard lock(p.mutex);
    p.fn = &fn;
    p.n = n;
    p.grain = std::max<size_t>(1, grain);
    p.next = 0;
    p.active = p.threads.size();
    p.error = nullptr;
    ++p.generation;
  }
  p.wake.notify_all();
  p.work(0);
  std::unique_lock lock(p.mutex);
  p.finished.wait(lock, [&] { return p.active == 0; });
  if (p.error) std::rethrow_exception(p.error);
}

// ---- Metrics functions --------------------------------------------------------------------

MetricsFn network_metrics(std::shared_ptr<const workload::Network> network, std::shared_ptr<cost::CostCache> cache,
                          AcceleratorTransform transform) {
  auto prepared = std::make_shared<const cost::PreparedNetwork>(*network);
  return [prepared, cache, transform = std::move(transform)](const arch::Accelerator& design) {
    if (!transform) return metrics_of(cost::evaluate_network(*prepared, design, cache.get()), design);
    const arch::Accelerator evaluated = transform(design);
    return metrics_of(cost::evaluate_network(*prepared, evaluated, cache.get()), evaluated);
  };
}

std::string network_hash(const workload::Network& network) { return detail::hex_hash(workload::to_yaml(network)); }

int compare_rank(const RankKey& a, const RankKey& b) {
  if (a.score != b.score) return a.score < b.score ? -1 : 1;
  if (a.area_mm2 != b.area_mm2) return a.area_mm2 < b.area_mm2 ? -1 : 1;
  if (a.energy_pj != b.energy_pj) return a.energy_pj < b.energy_pj ? -1 : 1;
  return 0;
}

RankKey rank_key(const Evaluation& evaluation) {
  return RankKey{evaluation.score, evaluation.metrics.area_mm2, evaluation.metrics.energy_pj};
}

bool better(const Evaluation& a, const Evaluation& b) {
  if (int c = compare_rank(rank_key(a), rank_key(b)); c != 0) return c < 0;
  return a.design < b.design;
}

void detail::judge(const DesignSpace& space, Evaluation& evaluation) {
  evaluation.violated = -1;
  evaluation.violation = 0;
  if (evaluation.valid()) {
    evaluation.score = space.objective().score(evaluation.metrics);
    // An infinite objective would rank first (or last) without meaning anything.
    if (!std::isfinite(evaluation.score)) {
      evaluation.error = "the objective '" + space.objective().name() + "' is not a finite number for this design";
    }
  }
  if (!evaluation.valid()) {
    evaluation.score = std::numeric_limits<double>::infinity();
    evaluation.violation = std::numeric_limits<double>::infinity();
    return;
  }
  thread_local std::vector<double> values;
  space.variable_values(evaluation.design, evaluation.metrics, values);
  const auto& constraints = space.constraints();
  for (size_t i = 0; i < constraints.size(); ++i) {
    if (constraints[i].expression.evaluate(values) != 0) continue;
    if (evaluation.violated < 0) evaluation.violated = static_cast<int>(i);
    evaluation.violation += std::max(constraints[i].expression.violation(values), 1e-9);
  }
}

// ---- Evaluator ----------------------------------------------------------------------------

namespace {

// Builds accelerators reusing the previous design's prefix: in grid order only the last
// parameters change, so most designs cost one copy and one set_parameter.
class Builder {
 public:
  const arch::Accelerator& build(const DesignSpace& space, const Design& design) {
    const auto& parameters = space.parameters();
    if (prefix_.empty()) {
      prefix_.resize(parameters.size() + 1);
      prefix_[0] = space.base();
    }
    size_t start = 0;
    while (start < valid_ && start < parameters.size() && last_.index[start] == design.index[start]) ++start;
    valid_ = start;
    last_ = design;
    for (size_t i = start; i < parameters.size(); ++i) {
      prefix_[i + 1] = prefix_[i];
      arch::set_parameter(prefix_[i + 1], parameters[i].name, space.value(design, i));
      valid_ = i + 1;
    }
    return prefix_[parameters.size()];
  }

 private:
  std::vector<arch::Accelerator> prefix_;
  Design last_;
  size_t valid_ = 0;  // parameters whose prefix entry matches last_
};

bool finite(const Metrics& m) {
  return std::isfinite(m.latency_s) && std::isfinite(m.area_mm2) && std::isfinite(m.energy_pj) &&
         std::isfinite(m.power_w) && std::isfinite(m.throughput_per_s) && m.latency_s > 0;
}

}  // namespace

struct Evaluator::Impl {
  const DesignSpace& space;
  MetricsFn metrics;
  EvaluatorOptions options;
  ThreadPool pool;
  std::vector<Builder> builders;
  std::string space_hash;
  std::unordered_map<Design, Evaluation, DesignHash> memo;
  uint64_t evaluated = 0, computed = 0, from_store = 0;

  Impl(const DesignSpace& s, MetricsFn fn, EvaluatorOptions o)
      : space(s),
        metrics(std::move(fn)),
        options(std::move(o)),
        pool(options.threads),
        builders(static_cast<size_t>(pool.size())),
        space_hash(s.hash()) {}

  Evaluation compute(const Design& design, int worker) {
    Evaluation evaluation;
    evaluation.design = design;
    try {
      const arch::Accelerator& accel = builders[static_cast<size_t>(worker)].build(space, design);
      arch::validate(accel, space.file());
      evaluation.metrics = metrics(accel);
      if (!finite(evaluation.metrics)) evaluation.error = "the cost model returned non-finite metrics";
    } catch (const InputError& e) {
      evaluation.error = e.detail().empty() ? e.what() : e.detail();
    }
    detail::judge(space, evaluation);
    return evaluation;
  }

  // Metrics and errors come from elsewhere; the judgement is made here, as for a design
  // read back from the store.
  void compute_remotely(std::span<const Design> designs, const std::vector<size_t>& compute,
                        std::vector<Evaluation>& results) {
    std::vector<Design> batch;
    batch.reserve(compute.size());
    for (size_t i : compute) batch.push_back(designs[i]);
    std::vector<Evaluation> answers = options.remote(batch);
    if (answers.size() != batch.size())
      throw std::logic_error("remote evaluation returned the wrong number of designs");
    for (size_t j = 0; j < compute.size(); ++j) {
      Evaluation& e = results[compute[j]];
      e = Evaluation{};
      e.design = batch[j];
      e.metrics = answers[j].metrics;
      e.error = answers[j].error;
      detail::judge(space, e);
    }
  }

  StoredDesign stored(const Evaluation& e) const {
    return StoredDesign{space.name(),        space_hash, options.model, options.model_hash,
                        space.key(e.design), e.error,    e.metrics};
  }

  bool read_back(const Design& design, Evaluation& out) {
    auto found = options.store->find(space_hash, options.model_hash, space.key(design));
    if (!found) return false;
    out = Evaluation{};
    out.design = design;
    out.metrics = found->metrics;
    out.error = found->error;
    detail::judge(space, out);
    return true;
  }
};

Evaluator::Evaluator(const DesignSpace& space, MetricsFn metrics, EvaluatorOptions options)
    : impl_(std::make_unique<Impl>(space, std::move(metrics), std::move(options))) {}

Evaluator::~Evaluator() {
  try {
    flush();
  } catch (...) {  // a failing disk at exit must not terminate the program
  }
}

std::vector<Evaluation> Evaluator::evaluate(std::span<const Design> designs) {
  Impl& p = *impl_;
  std::vector<Evaluation> results(designs.size());
  std::vector<size_t> todo;                                 // first occurrence of new designs
  std::unordered_map<Design, size_t, DesignHash> in_batch;  // design -> its todo slot
  std::vector<std::pair<size_t, size_t>> repeats;           // (result index, todo slot)
  for (size_t i = 0; i < designs.size(); ++i) {
    if (auto it = p.memo.find(designs[i]); it != p.memo.end()) {
      results[i] = it->second;
    } else if (auto [slot, fresh] = in_batch.try_emplace(designs[i], todo.size()); fresh) {
      todo.push_back(i);
    } else {
      repeats.emplace_back(i, slot->second);
    }
  }
  std::vector<char> from_store(todo.size(), 0);
  if (p.options.store != nullptr && p.options.resume) {
    for (size_t t = 0; t < todo.size(); ++t) from_store[t] = p.read_back(designs[todo[t]], results[todo[t]]) ? 1 : 0;
  }
  std::vector<size_t> compute;
  for (size_t t = 0; t < todo.size(); ++t) {
    if (!from_store[t]) compute.push_back(todo[t]);
  }
  if (p.options.remote) {
    p.compute_remotely(designs, compute, results);
  } else {
    // Chunks keep neighbouring designs on one worker so its builder reuses prefixes.
    size_t grain = std::max<size_t>(1, compute.size() / (static_cast<size_t>(p.pool.size()) * 8));
    p.pool.parallel_for(compute.size(), grain,
                        [&](size_t j, int worker) { results[compute[j]] = p.compute(designs[compute[j]], worker); });
  }
  if (p.options.store != nullptr) {
    for (size_t i : compute) p.options.store->record(p.stored(results[i]));
    p.options.store->commit_if_due();
  }
  for (size_t t = 0; t < todo.size(); ++t) {
    if (p.memo.size() < p.options.memo_limit) p.memo.emplace(designs[todo[t]], results[todo[t]]);
    p.from_store += from_store[t];
  }
  for (const auto& [i, slot] : repeats) results[i] = results[todo[slot]];
  p.evaluated += todo.size();
  p.computed += compute.size();
  return results;
}

Evaluation Evaluator::evaluate(const Design& design) { return evaluate(std::span<const Design>(&design, 1)).front(); }

bool Evaluator::known(const Design& design) const { return impl_->memo.contains(design); }

std::vector<Design> Evaluator::remembered() const {
  std::vector<Design> out;
  out.reserve(impl_->memo.size());
  for (const auto& entry : impl_->memo) out.push_back(entry.first);
  std::sort(out.begin(), out.end());
  return out;
}
const DesignSpace& Evaluator::space() const { return impl_->space; }
int Evaluator::threads() const { return impl_->pool.size(); }
uint64_t Evaluator::evaluated() const { return impl_->evaluated; }
uint64_t Evaluator::computed() const { return impl_->computed; }
uint64_t Evaluator::from_store() const { return impl_->from_store; }

void Evaluator::flush() {
  if (impl_->options.store != nullptr) impl_->options.store->commit();
}

}  // namespace acceldse::dse
