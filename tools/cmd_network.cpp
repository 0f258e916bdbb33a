// healthreach network: build the routable graph of a road file and write the graph contract.
#include "cli.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/graph_io.hpp"

#include <cstdio>

namespace healthreach::cli {

command_runner add_network_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("network", "Build the routable graph of a road file (layers edges, nodes)");
    struct options {
        common_options common;
        road_input_options roads;
        std::string out;
    };
    auto o = std::make_shared<options>();
    add_common_options(*cmd, o->common);
    add_road_options(*cmd, o->roads, true);
    cmd->add_option("--out", o->out, "Output GeoPackage")->required();

    return [o]() {
        const logger log(o->common.quiet);
        stopwatch total;
        finish_road_options(o->roads);
        const geo::road_set roads = geo::read_roads(o->roads.roads, o->roads.read);
        const double load_s = total.seconds();
        double lon = 0, lat = 0;
        roads.center_lonlat(lon, lat);
        const OGRSpatialReference metric = geo::choose_metric_crs(o->common.crs, lon, lat);
        const geo::profile prof = geo::profile::builtin(o->roads.profile.empty() ? "drive" : o->roads.profile);
        const geo::network_build built = geo::build_network(roads, prof, metric, o->roads.build);
        const double build_s = total.seconds() - load_s;
        geo::write_network(built.net, o->out);
        const double write_s = total.seconds() - load_s - build_s;

        const geo::network& net = built.net;
        const geo::component_report& c = built.components;
        log.info("roads: ", roads.features_read, " features, ", roads.lines.size(), " road lines; ",
                 built.lines_routable, " routable for ", prof.name, ", ", built.lines_skipped, " not");
        log.info("crs: ", geo::crs_label(metric));
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
        std::snprintf(buf, sizeof buf, "time: load %.2f s, build %.2f s, write %.2f s; peak memory %.0f MiB", load_s,
                      build_s, write_s, peak_memory_mib());
        log.info(buf);
        return 0;
    };
}

}  // namespace healthreach::cli
