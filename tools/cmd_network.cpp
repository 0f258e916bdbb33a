// healthreach network: build the routable graph of a road file and write the graph contract.
#include "cli.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/graph_io.hpp"
#include "healthreach/geo/network_export.hpp"
#include "healthreach/geo/output_paths.hpp"
#include "healthreach/geo/text.hpp"

#include <cmath>
#include <cstdio>

namespace healthreach::cli {

command_runner add_network_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("network", "Build the routable graph of a road file (layers edges, nodes)");
    struct options {
        common_options common;
        road_input_options roads;
        std::string standards, out;
    };
    auto o = std::make_shared<options>();
    add_graph_options(*cmd, o->common);
    add_road_options(*cmd, o->roads, true);
    cmd->add_option("--standards", o->standards, "TOML file overriding the built-in standards (its drive and walk profiles)");
    cmd->add_option("--out", o->out, "Output GeoPackage")->required();

    return [o]() {
        const logger log(o->common.quiet);
        stopwatch total;
        finish_road_options(o->roads);
        geo::check_extension(o->out, "--out", {".gpkg"});
        geo::check_outputs({o->out, o->common.graph_cache}, {o->roads.roads, o->standards, o->roads.build.dem,
                                                              o->roads.build.closures, o->roads.build.speed_factors,
                                                              o->roads.read.clip});
        geo::network_request r;
        r.roads = o->roads.roads;
        r.read = o->roads.read;
        r.build = o->roads.build;
        if (!o->roads.profile.empty()) r.profile = o->roads.profile;
        r.standards_file = o->standards;
        r.crs = o->common.crs;
        r.graph_cache = o->common.graph_cache;
        const geo::graph_result graph = geo::run_network(r);
        const geo::network_build& built = graph.built;
        const double build_s = total.seconds();
        geo::write_network(built.net, o->out);
        const double write_s = total.seconds() - build_s;

        const geo::network& net = built.net;
        const geo::component_report& c = built.components;
        if (!graph.cache_status.empty()) log.info("graph cache ", o->common.graph_cache, ": ", graph.cache_status);
        for (const std::string& w : graph.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
        log.info("roads: ", graph.road_features, " features, ", graph.road_lines, " road lines; ",
                 built.lines_routable, " routable for ", r.profile, ", ", built.lines_skipped, " not");
        log.info("crs: ", geo::crs_label(graph.crs));
        char buf[256];
        std::snprintf(buf, sizeof buf, "graph: %zu nodes, %zu edges, %.3f km", net.node_count(), net.edge_count(),
                      net.total_length_m() / 1000);
        log.info(buf);
        std::string dropped;
        for (std::size_t i = 0; i < c.dropped.size() && i < 10; ++i) dropped += (i ? "," : "") + std::to_string(c.dropped[i]);
        if (c.dropped.size() > 10) dropped += ",...";
        log.info("components: ", c.components, " strongly connected; routed the largest (", c.kept_nodes,
                 " nodes); dropped ", c.dropped.size(), " (", c.dropped_edges, " edges; node counts ",
                 dropped.empty() ? std::string("none") : dropped, ")");
        for (const geo::adjustment_summary& adj : geo::summarize_adjustments(r.build, built.adjusted)) {
            std::string line = "input " + adj.role + ": " + adj.file;
            for (const auto& [what, n] : adj.counts) line += ", " + what + " " + geo::format_number(n, n == std::floor(n) ? 0 : 3);  // km to the metre
            log.info(line);
        }
        std::snprintf(buf, sizeof buf, "time: load and build %.2f s, write %.2f s; peak memory %.0f MiB", build_s, write_s, peak_memory_mib());
        log.info(buf);
        return 0;
    };
}

}  // namespace healthreach::cli
