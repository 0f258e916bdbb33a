// healthreach coverage: who reaches a service within the plan's standard.
#include "cli.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/coverage_breakdown.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/crs.hpp"

#include <cstdio>

namespace healthreach::cli {

command_runner add_coverage_command(CLI::App& app, const geo::part_runner& runner) {
    auto* cmd = app.add_subcommand("coverage", "Who reaches each service within the plan's standard");
    auto o = std::make_shared<analysis_cli>();
    add_analysis_options(*cmd, *o, true);
    struct breakdown_texts {
        std::string bands;
        std::vector<std::string> groups;
    };
    auto texts = std::make_shared<breakdown_texts>();
    cmd->add_option("--bands", texts->bands,
                    "Cost bands B1,B2,... (ascending, the service's unit: metres or seconds): people within each, and a bands layer");
    cmd->add_option("--population-group", texts->groups,
                    "NAME=RASTER (repeatable): a part of the population on the population raster's grid, covered on the same costs");
    cmd->add_option("--partition", o->analysis.partition,
                    "Polygons to run the searches part by part (each with a halo; results equal a whole run's)");
    cmd->add_option("--partition-layer", o->analysis.partition_layer, "Layer of the --partition file (default: the first)");

    return [o, texts, runner]() {
        const logger log(o->common.quiet);
        stopwatch total;
        if (!texts->bands.empty()) o->analysis.bands = geo::parse_cost_bands(texts->bands);
        o->analysis.groups = geo::parse_population_groups(texts->groups);
        finish_analysis_options(*o);
        progress_bar bar(log, "coverage");
        const auto a = geo::run_analysis(o->analysis, stderr_callbacks(log, bar), runner);
        stopwatch write;
        geo::output_transaction outputs;
        geo::write_coverage_gpkg(*a, o->out);
        bar(0.9);
        if (!o->travel_raster.empty()) geo::write_travel_raster(*a, o->travel_raster);
        bar(0.95);
        write_analysis_presentations(*o, *a, "coverage");
        outputs.commit();
        bar.done();
        report_analysis(*o, *a, log);
        const double write_s = write.seconds();

        const geo::population_split& t = a->total;
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "%s (%s): population %.0f; covered %.0f, uncovered %.0f, off network %.0f, not applicable %.0f; "
                      "%zu of %zu facilities on the network",
                      a->svc->name.c_str(), geo::crs_label(a->crs).c_str(), t.population, t.covered, t.uncovered,
                      t.off_network, t.not_applicable, a->sites.size(), a->facilities.size());
        log.info(buf);
        std::string phases;
        for (const auto& p : a->phases) {
            std::snprintf(buf, sizeof buf, "%s %.2f s, ", p.name.c_str(), p.seconds);
            phases += buf;
        }
        std::snprintf(buf, sizeof buf, "write %.2f s; total %.2f s; peak memory %.0f MiB", write_s, total.seconds(),
                      peak_memory_mib());
        log.info("time: ", phases, buf);
        if (o->json) {
            geo::json_writer j;
            j.begin_object();
            geo::write_coverage_json(*a, j, HEALTHREACH_VERSION);
            j.end_object();
            std::printf("%s\n", j.str().c_str());
        }
        return 0;
    };
}

}  // namespace healthreach::cli
