#include "healthreach/geo/reach_job.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/threads.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace healthreach::geo {

std::vector<node_id> read_source_nodes(std::istream& in, const std::string& path, std::size_t node_count) {
    // Read by hand: a single column has no comma for GDAL's CSV driver to see.
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
    if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // a UTF-8 byte order mark
    const std::vector<std::string> header = split(line);
    const auto col = std::find(header.begin(), header.end(), "node_id");
    if (col == header.end()) throw input_error(path + ": no 'node_id' column in the header");
    const std::size_t i = col - header.begin();
    std::vector<node_id> nodes;
    for (std::size_t row = 2; std::getline(in, line); ++row) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::vector<std::string> cells = split(line);
        const std::string text = i < cells.size() ? cells[i] : "";
        unsigned long long id = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id >= node_count)
            throw input_error(path + ": node_id '" + text + "' on line " + std::to_string(row) +
                              " is not a node of the graph (0.." + std::to_string(node_count == 0 ? 0 : node_count - 1) + ")");
        nodes.push_back(static_cast<node_id>(id));
    }
    if (nodes.empty()) throw input_error(path + ": no source rows");
    return nodes;
}

std::vector<node_id> read_source_nodes(const std::string& path, std::size_t node_count) {
    std::ifstream in(path);
    if (!in) throw input_error(path + ": cannot open");
    return read_source_nodes(in, path, node_count);
}

std::size_t reach_result::row_count() const { return nearest ? searches.front().settled().size() : each.size(); }

reach_result run_reach(const reach_request& r, const job_callbacks& cb) {
    if (!(r.limit >= 0)) throw input_error("--limit " + std::to_string(r.limit) + ": must be >= 0");
    reach_result out;
    out.nearest = r.nearest;
    cb.advance("graph", 0.0);
    out.net = std::make_unique<network>(read_network(r.graph));
    out.sources = read_source_nodes(r.sources, out.net->node_count());
    {
        std::vector<node_id> sorted(out.sources);
        std::sort(sorted.begin(), sorted.end());
        const std::size_t repeated = static_cast<std::size_t>(sorted.end() - std::unique(sorted.begin(), sorted.end()));
        if (repeated)
            out.warnings.push_back(r.sources + ": " + std::to_string(repeated) +
                                   " node_id rows repeat an earlier source; each is searched and written again");
    }
    cb.say("graph: " + std::to_string(out.net->node_count()) + " nodes, " + std::to_string(out.net->edge_count()) +
           " edges; " + std::to_string(out.sources.size()) + " sources");
    // The routing arrays and the search engines' graph-sized buffers are made before the clock
    // starts: peers are timed without their graph build too.
    out.route = std::make_unique<router>(*out.net, r.cost_metric);
    std::string threads_note;
    const unsigned threads = worker_threads(r.threads, threads_note);
    if (!threads_note.empty()) out.warnings.push_back(threads_note);
    const std::size_t used = r.nearest ? 1 : std::max<std::size_t>(1, std::min<std::size_t>(threads, out.sources.size()));
    out.searches = search_engines(*out.route, used);
    cb.advance("reach", 0.3);
    const auto start = std::chrono::steady_clock::now();
    if (r.nearest) {
        std::vector<seed> seeds;
        for (std::uint32_t i = 0; i < out.sources.size(); ++i) seeds.push_back({out.sources[i], 0.0, i});
        out.searches.front().run(seeds, r.limit, true);
    } else {
        out.each = reach_from_each(out.searches, out.sources, r.limit);
    }
    out.compute_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    cb.advance("done", 1.0);
    return out;
}

void write_reach_csv(const reach_result& r, const std::string& path) {
    atomic_output out(path);
    std::FILE* f = std::fopen(out.temp_path().c_str(), "w");
    if (!f) throw input_error(path + ": cannot create");
    // Rows are formatted by std::to_chars, whose general format at 17 digits writes exactly what
    // printf's %.17g writes (DESIGN.md) 8 times faster, into a buffer written in large pieces:
    // fprintf took most of the command's time.
    std::string text = "source,node_id,cost\n";
    bool failed = false;
    auto flush = [&] {
        failed |= std::fwrite(text.data(), 1, text.size(), f) != text.size();
        text.clear();
    };
    auto row = [&](node_id source, node_id node, double cost) {
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
    if (r.nearest) {
        const bounded_search& nearest = r.searches.front();
        const array_ref<double> costs = nearest.settled_costs();
        for (std::size_t k = 0; k < costs.size(); ++k) {
            const node_id v = nearest.settled()[k];
            row(r.sources[nearest.label(v)], v, costs[k]);
        }
    } else {
        for (std::size_t s = 0; s < r.sources.size(); ++s) {
            const reach_table::rows rows = r.each.of(s);
            for (std::size_t k = 0; k < rows.size; ++k) row(r.sources[s], rows.node[k], rows.cost[k]);
        }
    }
    flush();
    failed |= std::ferror(f) != 0;
    if (std::fclose(f) != 0 || failed) throw std::runtime_error(path + ": write failed");
    out.commit();
}

}  // namespace healthreach::geo
