#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli_app.h"
#include "common/error.h"
#include "mpi_team.h"

namespace {

// Under mpirun `explore`, `suite` and `corun` spread their work (mpi_team.h); any other
// command runs on rank 0 alone while the other ranks end at once, so nothing is done or
// printed twice.
bool other_ranks_idle(const std::vector<std::string>& args) {
  namespace mpi = acceldse::cli::mpi;
  const bool spreads = !args.empty() && (args[0] == "explore" || args[0] == "suite" || args[0] == "corun");
  if (mpi::ranks() <= 1 || spreads) return false;
  if (mpi::rank() != 0) return true;
  std::cerr << "acceldse: note: under MPI only `explore`, `suite` and `corun` use the other " << mpi::ranks() - 1
            << " rank(s); this command runs on rank 0 alone\n";
  return false;
}

int run(const std::vector<std::string>& args) {
  const bool quiet = acceldse::cli::mpi::rank() != 0;  // rank 0 reports errors for all
  try {
    if (other_ranks_idle(args)) return 0;
    acceldse::cli::run_command_line(args);
  } catch (const acceldse::cli::UsageError& e) {
    if (!quiet) {
      std::cerr << "acceldse: " << e.what() << "\n";
      std::cerr << "Run 'acceldse --help' (or 'acceldse COMMAND --help') for usage.\n";
    }
    return 2;
  } catch (const acceldse::InputError& e) {
    if (!quiet) std::cerr << "acceldse: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "acceldse: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  acceldse::cli::mpi::start(&argc, &argv);
  const int code = run(std::vector<std::string>(argv + 1, argv + argc));
  // Bad input (2) fails on every rank alike, before they work together, or on rank 0
  // after it has released the others: every rank ends on its own and the message gets
  // out. Anything else may leave other ranks waiting for this one: end them all.
  if (code != 0 && code != 2) acceldse::cli::mpi::abort_all(code);
  acceldse::cli::mpi::finish();
  return code;
}
