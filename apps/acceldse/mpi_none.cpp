// Without MPI: one process, one rank (see mpi_team.h).
#include <cstdlib>

#include "mpi_team.h"

namespace acceldse::cli::mpi {

void start(int*, char***) {}
void finish() {}
void abort_all(int exit_code) { std::exit(exit_code); }
int rank() { return 0; }
int ranks() { return 1; }

struct Team::Impl {};
Team::Team(const dse::DesignSpace&, MetricsFor, int) {}
Team::~Team() = default;
bool Team::leader() const { return true; }
dse::RemoteFn Team::remote(const std::string&) { return {}; }
void Team::serve() {}

}  // namespace acceldse::cli::mpi
