// healthreach: the command-line entry point; every sub-command lives in its own cmd_*.cpp.
#include "cli.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/gdal.hpp"

#include <cstdio>
#include <map>

#ifndef HEALTHREACH_VERSION
#define HEALTHREACH_VERSION "0"
#endif

int main(int argc, char** argv) {
    using namespace healthreach;
    CLI::App app{"healthreach: who reaches each health service within the plan's standard, and where new sites should go"};
    app.set_version_flag("--version", std::string("healthreach ") + HEALTHREACH_VERSION);
    app.require_subcommand(1);
    std::map<std::string, cli::command_runner> runners;
    runners["network"] = cli::add_network_command(app);
    runners["reach"] = cli::add_reach_command(app);
    runners["synth"] = cli::add_synth_command(app);
    runners["coverage"] = cli::add_coverage_command(app);
    runners["optimize"] = cli::add_optimize_command(app);
    runners["compliance"] = cli::add_compliance_command(app);
    runners["evaluate"] = cli::add_evaluate_command(app);
    runners["serve"] = cli::add_serve_command(app);
    runners["access"] = cli::add_access_command(app);
    runners["audit"] = cli::add_audit_command(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    const std::string name = app.get_subcommands().front()->get_name();
    try {
        geo::init_gdal();
        geo::remove_temporaries_on_interrupt();
        return runners.at(name)();
    } catch (const input_error& e) {
        std::fprintf(stderr, "healthreach %s: error: %s\n", name.c_str(), e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "healthreach %s: failure: %s\n", name.c_str(), e.what());
        return 1;
    }
}
