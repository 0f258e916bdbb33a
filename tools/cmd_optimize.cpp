// healthreach optimize: propose new sites (existing facilities stay open).
#include "cli.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/optimize_io.hpp"

#include <cstdio>

namespace healthreach::cli {

command_runner add_optimize_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("optimize", "Propose new sites: cover-all or max-cover (existing facilities stay open)");
    struct options {
        analysis_cli analysis;
        geo::optimize_request request;
        std::string objective;
    };
    auto o = std::make_shared<options>();
    geo::optimize_request& r = o->request;
    add_analysis_options(*cmd, o->analysis, false);
    auto* cand = cmd->add_option("--candidates", r.candidates, "Candidate sites: OGR point layer or CSV with lon/lat");
    cmd->add_option("--candidates-layer", r.candidates_layer, "Layer of the --candidates file (default: its only point layer)");
    cmd->add_option("--candidate-spacing", r.candidate_spacing_m,
                    "Candidates: network nodes every M metres in and near populated areas")
        ->excludes(cand)
        ->check(positive);
    cmd->add_option("--objective", o->objective,
                    "cover-all | max-cover | min-distance | min-max | backup | expected | sub-centres")
        ->required();
    cmd->add_option("--sites", r.sites, "New sites (max-cover, backup, min-distance, min-max; sub-centres: instead of the share)")
        ->check(non_negative);
    cmd->add_option("--target", r.target, "cover-all: fraction of the coverable population (default 1)");
    cmd->add_option("--cost-field", r.cost_field,
                    "cover-all: candidates' field of site costs; minimise their total (existing sites cost nothing)");
    cmd->add_option("--vehicles", r.vehicles, "expected: new vehicles to place (candidates or existing stations)")
        ->check(non_negative);
    cmd->add_option("--busy-fraction", r.busy_fraction, "expected: probability that a vehicle is busy (default 0.3)");
    cmd->add_option("--min-distance-from", r.min_distance_from,
                    "sub-centres: county hospitals; no sub-centre within, and no credit for people within, their limit");
    auto* exact = cmd->add_flag("--exact", r.exact, "Solve the MILP with CBC (always under --time-limit)");
    cmd->add_flag("--heuristic", r.heuristic, "Greedy and local search only, never the MILP (for comparisons)")->excludes(exact);
    cmd->add_option("--time-limit", r.time_limit_s, "Seconds for an exact solve (default 60)")->check(positive);

    return [o]() {
        const logger log(o->analysis.common.quiet);
        stopwatch total;
        geo::optimize_request& r = o->request;
        r.goal = geo::parse_objective(o->objective);
        finish_analysis_options(o->analysis, {r.candidates, r.min_distance_from});
        r.analysis = o->analysis.analysis;
        progress_bar bar(log, "optimize");
        const geo::optimize_result res = geo::run_optimize(r, stderr_callbacks(log, bar));
        const geo::analysis& a = *res.a;

        geo::output_transaction outputs;
        geo::write_optimize_gpkg(res, o->analysis.out);
        bar(0.9);
        if (!o->analysis.travel_raster.empty()) geo::write_travel_raster(a, o->analysis.travel_raster);
        bar(0.95);
        const bool zh = o->analysis.present.lang == "zh";
        write_analysis_presentations(o->analysis, a, "optimize",
                                     (zh ? " · 目标 " : " · objective ") + o->objective + ", " +
                                         std::to_string(res.selected.size()) + (zh ? " 个新址" : " new sites"));
        outputs.commit();
        bar.done();
        report_analysis(o->analysis, a, log);

        for (const std::string& rule : res.rules_unmet) log.info("rule not met: ", rule);
        const opt::siting_result& s = res.solution;
        char buf[400];
        std::snprintf(buf, sizeof buf,
                      "%s: %zu new sites; covered %.0f of %.0f (existing alone %.0f); objective %.6g, bound %.6g, gap "
                      "%.4g%%, solver %s; matrix %.2f s, solve %.2f s, total %.2f s",
                      o->objective.c_str(), res.selected.size(), s.covered, a.total.population, res.covered_existing,
                      s.objective, s.bound, 100 * s.gap, s.solver.c_str(), res.matrix_s, res.solve_s, total.seconds());
        log.info(buf);
        if (o->analysis.json) {
            geo::json_writer j;
            j.begin_object();
            geo::write_optimize_json(res, j, HEALTHREACH_VERSION);
            j.end_object();
            std::printf("%s\n", j.str().c_str());
        }
        return 0;
    };
}

}  // namespace healthreach::cli
