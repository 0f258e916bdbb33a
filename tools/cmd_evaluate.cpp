// healthreach evaluate: what each candidate adds over the existing facilities, and a scenario
// comparison per admin unit.
#include "cli.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/evaluate_io.hpp"

#include <cstdio>

namespace healthreach::cli {

command_runner add_evaluate_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("evaluate", "What each candidate site adds over the existing facilities");
    struct options {
        analysis_cli analysis;
        geo::evaluate_request request;
    };
    auto o = std::make_shared<options>();
    add_analysis_options(*cmd, o->analysis, true);
    cmd->add_option("--candidates", o->request.candidates, "Candidate sites: OGR point layer or CSV with lon/lat")->required();
    cmd->add_option("--candidates-layer", o->request.candidates_layer, "Layer of the --candidates file (default: its only point layer)");
    cmd->add_option("--scenario", o->request.scenario, "A second facilities layer: existing against existing plus it, per admin unit");

    return [o]() {
        const logger log(o->analysis.common.quiet);
        finish_analysis_options(o->analysis, {o->request.candidates, o->request.scenario});
        o->request.analysis = o->analysis.analysis;
        progress_bar bar(log, "evaluate");
        const geo::evaluate_result r = geo::run_evaluate(o->request, stderr_callbacks(log, bar));
        geo::output_transaction outputs;
        geo::write_evaluate_gpkg(r, o->analysis.out);
        bar(0.9);
        if (!o->analysis.travel_raster.empty()) geo::write_travel_raster(*r.a, o->analysis.travel_raster);
        bar(0.95);
        write_analysis_presentations(o->analysis, *r.a, "evaluate");
        outputs.commit();
        bar.done();
        report_analysis(o->analysis, *r.a, log);
        log.info("evaluate: ", r.candidates.size(), " candidates on the network; best gain ",
                 r.order.empty() ? 0.0 : r.candidates[r.order.front()].gain, " people");
        if (o->analysis.json) {
            geo::json_writer j;
            j.begin_object();
            geo::write_evaluate_json(r, j, HEALTHREACH_VERSION);
            j.end_object();
            std::printf("%s\n", j.str().c_str());
        }
        return 0;
    };
}

}  // namespace healthreach::cli
