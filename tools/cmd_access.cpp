// healthreach access: the two-step floating catchment score (supply per 1,000 people who can reach it).
#include "cli.hpp"

#include "healthreach/geo/access_io.hpp"
#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/output_paths.hpp"

#include <cmath>
#include <cstdio>

namespace healthreach::cli {

command_runner add_access_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("access", "Accessibility score (2SFCA): supply per 1,000 people who can reach it");
    struct options {
        analysis_cli analysis;
        std::string supply_field, decay = "gaussian", access_raster;
    };
    auto o = std::make_shared<options>();
    add_analysis_options(*cmd, o->analysis, true);
    cmd->add_option("--supply-field", o->supply_field, "Facility field: supply (doctors, beds, ...; default 1 per facility)");
    cmd->add_option("--decay", o->decay, "Distance decay within the limit: gaussian (default) or step (classic 2SFCA)");
    cmd->add_option("--access-raster", o->access_raster, "GeoTIFF of the score on the population grid");

    return [o]() {
        const logger log(o->analysis.common.quiet);
        stopwatch total;
        geo::access_request request;
        request.decay = geo::parse_access_decay(o->decay);
        geo::check_extension(o->access_raster, "--access-raster", {".tif", ".tiff"});
        finish_analysis_options(o->analysis);
        const analysis_cli& ac = o->analysis;
        geo::check_outputs({ac.out, ac.travel_raster, ac.common.graph_cache, ac.present.qgis_project, ac.present.map,
                            ac.present.report, ac.present.admin_table, o->access_raster},
                           ac.analysis.input_paths());
        request.analysis = ac.analysis;
        request.supply_field = o->supply_field;
        progress_bar bar(log, "access");
        const geo::access_result r = geo::run_access(request, stderr_callbacks(log, bar));
        stopwatch write;
        geo::output_transaction outputs;
        geo::write_access_gpkg(r, ac.out);
        bar(0.9);
        if (!ac.travel_raster.empty()) geo::write_travel_raster(*r.a, ac.travel_raster);
        if (!o->access_raster.empty()) geo::write_access_raster(r, o->access_raster);
        bar(0.95);
        // The map, report and QGIS project are coverage's of the same run (the score is in the GeoPackage and raster).
        write_analysis_presentations(ac, *r.a, "coverage");
        outputs.commit();
        bar.done();
        report_analysis(ac, *r.a, log);
        char buf[512];
        std::snprintf(buf, sizeof buf,
                      "access (%s, %s, supply %s): mean %.6g per 1,000 people over %.0f people; %.0f below half the mean, "
                      "%.0f reach no facility; off network %.0f, not applicable %.0f",
                      r.a->svc->name.c_str(), geo::access_decay_name(r.decay),
                      r.supply_field.empty() ? "1 per facility" : r.supply_field.c_str(), r.total.mean, r.total.population,
                      r.total.below_half_mean, r.total.no_access, r.population_off_network, r.population_not_applicable);
        log.info(buf);
        std::string phases;
        for (const auto& p : r.a->phases) {
            std::snprintf(buf, sizeof buf, "%s %.2f s, ", p.name.c_str(), p.seconds);
            phases += buf;
        }
        std::snprintf(buf, sizeof buf, "write %.2f s; total %.2f s; peak memory %.0f MiB", write.seconds(), total.seconds(),
                      peak_memory_mib());
        log.info("time: ", phases, buf);
        if (ac.json) {
            geo::json_writer j;
            j.begin_object();
            geo::write_access_json(r, j, HEALTHREACH_VERSION);
            j.end_object();
            std::printf("%s\n", j.str().c_str());
        }
        return 0;
    };
}

}  // namespace healthreach::cli
