#pragma once
// Scale-out of `acceldse explore`, `suite` and `corun` over MPI ranks (docs/mpi.md).
// Every rank runs the same command line, so every rank builds the same networks and
// design space. Rank 0 (the leader) runs the search or study, the result store and all
// output exactly as one process would; whenever an evaluator asks for a batch of
// designs, the batch is cut into chunks handed out dynamically to the other ranks (and
// to the leader itself), and the answers are put back in order. The search sees the
// same evaluations in the same order as in one process, so every strategy and study
// gives the same answer on any rank count.
//
// A study evaluates several things (each network, perturbed technologies, parts of the
// chip): each batch carries a task key, and every rank turns the key into the same
// metrics (MetricsFor; explore has one task, "").
//
// Only mpi_openmpi.cpp includes <mpi.h>; without ACCELDSE_MPI (and in the Python
// module) mpi_none.cpp makes this a single-process no-op.
#include <functional>
#include <memory>
#include <string>

#include "dse/dse.h"

namespace acceldse::cli::mpi {

// Starts MPI when the program was launched by mpirun with more than one rank; does
// nothing otherwise, so a plain run behaves exactly as without MPI.
void start(int* argc, char*** argv);
void finish();
// Ends every rank at once (an error on one rank must not leave the others waiting).
[[noreturn]] void abort_all(int exit_code);
int rank();   // 0 without MPI
int ranks();  // 1 without MPI

// The metrics a task key stands for; the same on every rank.
using MetricsFor = std::function<dse::MetricsFn(const std::string& task)>;

// The ranks sharing one exploration or study.
class Team {
 public:
  Team(const dse::DesignSpace& space, MetricsFor metrics_for, int threads);
  ~Team();  // the leader tells the others to stop
  Team(const Team&) = delete;
  Team& operator=(const Team&) = delete;

  bool leader() const;
  // The leader's evaluator hook (EvaluatorOptions::remote) for `task`; empty with one rank.
  dse::RemoteFn remote(const std::string& task = "");
  // The other ranks: evaluate what the leader sends until it is done.
  void serve();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace acceldse::cli::mpi
