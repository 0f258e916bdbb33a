// healthreach reach: bounded reach from node ids on an exported graph (the figure compared with peers).
#include "cli.hpp"

#include "healthreach/geo/output_paths.hpp"
#include "healthreach/geo/reach_job.hpp"

#include <cstdio>

namespace healthreach::cli {

command_runner add_reach_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("reach", "Bounded reach from source nodes on an exported graph");
    struct options {
        geo::reach_request request;
        int threads = 0;
        std::string out, metric = "length";
        bool quiet = false;
    };
    auto o = std::make_shared<options>();
    geo::reach_request& r = o->request;
    cmd->add_option("--graph", r.graph, "Graph GeoPackage written by `healthreach network`")->required();
    cmd->add_option("--sources", r.sources, "CSV with a node_id column")->required();
    cmd->add_option("--limit", r.limit, "Largest cost, inclusive (metres or seconds)")->required()->check(non_negative);
    cmd->add_option("--metric", o->metric, "length (metres) or time (seconds)");
    cmd->add_flag("--nearest", r.nearest, "One row per node, from its nearest source");
    cmd->add_option("--out", o->out, "Output CSV: source,node_id,cost")->required();
    add_threads_option(*cmd, o->threads);
    cmd->add_flag("--quiet", o->quiet, "No messages on stderr but the last compute_s line");

    return [o]() {
        const logger log(o->quiet);
        geo::reach_request& r = o->request;
        r.cost_metric = geo::parse_metric(o->metric);
        r.threads = static_cast<unsigned>(o->threads);
        geo::check_extension(o->out, "--out", {".csv"});
        geo::check_outputs({o->out}, {r.graph, r.sources});
        job_callbacks cb;
        cb.message = [&log](const std::string& line) { log.info(line); };
        const geo::reach_result res = geo::run_reach(r, cb);
        for (const std::string& w : res.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
        geo::write_reach_csv(res, o->out);
        const std::size_t count = res.row_count(), used = res.searches.size();
        char buf[160];
        std::snprintf(buf, sizeof buf, "rows: %zu; %.3g settled nodes per second per core (%zu threads)", count,
                      res.compute_s > 0 ? count / res.compute_s / used : 0.0, used);
        log.info(buf);
        // The last line on stderr, always (even with --quiet): the figure compared with peers.
        std::fprintf(stderr, "compute_s=%.6f\n", res.compute_s);
        return 0;
    };
}

}  // namespace healthreach::cli
