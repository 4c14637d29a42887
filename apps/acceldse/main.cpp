#include <algorithm>
#include <string>
#include <exception>
#include <iostream>

#include "commands.h"
#include "common/error.h"

static bool is_command(const CLI::App& app, const std::string& word) {
  auto all = app.get_subcommands([](const CLI::App*) { return true; });
  return std::any_of(all.begin(), all.end(), [&](const CLI::App* sub) { return sub->check_name(word); });
}

int main(int argc, char** argv) {
  CLI::App app{"acceldse: design DNN accelerators from the networks they must run"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "acceldse 0.1.0");
  acceldse::cli::add_model_commands(app);
  acceldse::cli::add_evaluate_command(app);
  acceldse::cli::add_simulate_commands(app);
  acceldse::cli::add_explore_commands(app);
  acceldse::cli::add_study_commands(app);
  acceldse::cli::add_report_command(app);
  acceldse::cli::add_calibrate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (argc > 1 && argv[1][0] != '-' && !is_command(app, argv[1])) {
      std::cerr << "acceldse: unknown command '" << argv[1] << "'\n";
    } else {
      std::cerr << "acceldse: " << e.what() << "\n";
    }
    std::cerr << "Run 'acceldse --help' (or 'acceldse COMMAND --help') for usage.\n";
    return 2;
  } catch (const acceldse::InputError& e) {
    std::cerr << "acceldse: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "acceldse: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
