// healthreach reach: bounded reach from node ids on an exported graph (the figure compared with peers).
#include "cli.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/graph_io.hpp"
#include "healthreach/geo/reach.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace healthreach::cli {

namespace {

// The node_id column of a plain CSV file (a single column has no comma for GDAL's CSV driver to see).
std::vector<geo::node_id> read_source_nodes(const std::string& path, std::size_t node_count) {
    std::ifstream in(path);
    if (!in) throw input_error(path + ": cannot open");
    auto split = [](const std::string& line) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');) {
            cell.erase(0, cell.find_first_not_of(" \t\r\""));
            cell.erase(cell.find_last_not_of(" \t\r\"") + 1);
            cells.push_back(cell);
        }
        return cells;
    };
    std::string line;
    std::getline(in, line);
    const std::vector<std::string> header = split(line);
    const auto col = std::find(header.begin(), header.end(), "node_id");
    if (col == header.end()) throw input_error(path + ": no 'node_id' column in the header");
    const std::size_t i = col - header.begin();
    std::vector<geo::node_id> nodes;
    for (std::size_t row = 2; std::getline(in, line); ++row) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::vector<std::string> cells = split(line);
        const std::string text = i < cells.size() ? cells[i] : "";
        char* end = nullptr;
        const long long id = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || id < 0 || static_cast<unsigned long long>(id) >= node_count)
            throw input_error(path + ": node_id '" + text + "' on line " + std::to_string(row) +
                              " is not a node of the graph (0.." + std::to_string(node_count - 1) + ")");
        nodes.push_back(static_cast<geo::node_id>(id));
    }
    if (nodes.empty()) throw input_error(path + ": no source rows");
    return nodes;
}

}  // namespace

command_runner add_reach_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("reach", "Bounded reach from source nodes on an exported graph");
    struct options {
        common_options common;
        std::string graph, sources, out, metric = "length";
        double limit = 0;
        bool nearest = false;
    };
    auto o = std::make_shared<options>();
    add_common_options(*cmd, o->common);
    cmd->add_option("--graph", o->graph, "Graph GeoPackage written by `healthreach network`")->required();
    cmd->add_option("--sources", o->sources, "CSV with a node_id column")->required();
    cmd->add_option("--limit", o->limit, "Largest cost, inclusive (metres or seconds)")->required()->check(non_negative);
    cmd->add_option("--metric", o->metric, "length (metres) or time (seconds)");
    cmd->add_flag("--nearest", o->nearest, "One row per node, from its nearest source");
    cmd->add_option("--out", o->out, "Output CSV: source,node_id,cost")->required();

    return [o]() {
        const logger log(o->common.quiet);
        const geo::metric m = geo::parse_metric(o->metric);
        const geo::network net = geo::read_network(o->graph);
        const std::vector<geo::node_id> sources = read_source_nodes(o->sources, net.node_count());
        log.info("graph: ", net.node_count(), " nodes, ", net.edge_count(), " edges; ", sources.size(), " sources");

        // The routing arrays and the search engines' graph-sized buffers are made before the clock
        // starts: peers are timed without their graph build too.
        const geo::router router(net, m);
        const unsigned threads = o->common.threads > 0 ? o->common.threads : std::thread::hardware_concurrency();
        const std::size_t used = o->nearest ? 1 : std::max<std::size_t>(1, std::min<std::size_t>(threads, sources.size()));
        std::vector<geo::bounded_search> searches = geo::search_engines(router, used);
        stopwatch compute;
        // Every source alone, or with --nearest all sources in one search (each node from its nearest).
        geo::reach_table each;
        geo::bounded_search& nearest = searches.front();
        if (o->nearest) {
            std::vector<geo::seed> seeds;
            for (std::uint32_t i = 0; i < sources.size(); ++i) seeds.push_back({sources[i], 0.0, i});
            nearest.run(seeds, o->limit, true);
        } else {
            each = geo::reach_from_each(searches, sources, o->limit);
        }
        const double compute_s = compute.seconds();

        geo::atomic_output out(o->out);
        std::FILE* f = std::fopen(out.temp_path().c_str(), "w");
        if (!f) throw input_error(o->out + ": cannot create");
        // Rows are formatted by std::to_chars, whose general format at 17 digits writes exactly what
        // printf's %.17g writes (DESIGN.md) 8 times faster, into a buffer written in large pieces:
        // fprintf took most of the command's time.
        std::string text = "source,node_id,cost\n";
        auto flush = [&] {
            std::fwrite(text.data(), 1, text.size(), f);
            text.clear();
        };
        auto row = [&](geo::node_id source, geo::node_id node, double cost) {
            // Two 32-bit integers (10 digits each), a double (24 characters at most) and three
            // separators: a line always fits in 64.
            const std::size_t start = text.size();
            text.resize(start + 64);
            char* const end = text.data() + text.size();
            char* p = std::to_chars(text.data() + start, end, source).ptr;
            *p++ = ',';
            p = std::to_chars(p, end, node).ptr;
            *p++ = ',';
            p = std::to_chars(p, end, cost, std::chars_format::general, 17).ptr;
            *p++ = '\n';
            text.resize(p - text.data());
            if (text.size() >= (std::size_t{1} << 20)) flush();
        };
        std::size_t count = 0;
        if (o->nearest) {
            const geo::array_ref<double> costs = nearest.settled_costs();
            for (std::size_t k = 0; k < costs.size(); ++k, ++count) {
                const geo::node_id v = nearest.settled()[k];
                row(sources[nearest.label(v)], v, costs[k]);
            }
        } else {
            for (std::size_t s = 0; s < sources.size(); ++s) {
                const geo::reach_table::rows rows = each.of(s);
                for (std::size_t k = 0; k < rows.size; ++k, ++count) row(sources[s], rows.node[k], rows.cost[k]);
            }
        }
        flush();
        const bool failed = std::ferror(f) != 0;
        if (std::fclose(f) != 0 || failed) throw std::runtime_error(o->out + ": write failed");
        out.commit();
        char buf[160];
        std::snprintf(buf, sizeof buf, "rows: %zu; %.3g settled nodes per second per core (%zu threads)", count,
                      compute_s > 0 ? count / compute_s / used : 0.0, used);
        log.info(buf);
        // The last line on stderr, always (even with --quiet): the figure compared with peers.
        std::fprintf(stderr, "compute_s=%.6f\n", compute_s);
        return 0;
    };
}

}  // namespace healthreach::cli
