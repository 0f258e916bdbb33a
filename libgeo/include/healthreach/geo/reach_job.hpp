#pragma once
// The reach job on an exported graph (the figure compared with peers): bounded reach from every
// source node, or with `nearest` one search from all sources giving each node its nearest source.
#include "healthreach/geo/graph_io.hpp"
#include "healthreach/geo/reach.hpp"
#include "healthreach/progress.hpp"

#include <iosfwd>
#include <memory>
#include <string>
#include <string>
#include <vector>

namespace healthreach::geo {

struct reach_request {
    std::string graph;              // GeoPackage written by the network job
    std::string sources;            // CSV with a node_id column
    double limit = 0;               // inclusive, in the metric's unit
    metric cost_metric = metric::length;
    bool nearest = false;
    unsigned threads = 0;           // 0: every core
};

struct reach_result {
    std::unique_ptr<network> net;
    std::unique_ptr<router> route;
    std::vector<node_id> sources;
    std::vector<bounded_search> searches;  // the engines that ran; with `nearest` the first holds the rows
    reach_table each;                      // without `nearest`: the rows of every source
    bool nearest = false;
    double compute_s = 0;                  // searches and rows; graph load and engine set-up excluded
    std::vector<std::string> warnings;     // repeated sources, threads cut back

    std::size_t row_count() const;
};

// The node_id column of a plain CSV file; input_error naming the file, line and value for a row
// that is not a node of a graph of `node_count` nodes.
std::vector<node_id> read_source_nodes(const std::string& path, std::size_t node_count);
// The same from a stream; `path` names it in messages.
std::vector<node_id> read_source_nodes(std::istream& in, const std::string& path, std::size_t node_count);

reach_result run_reach(const reach_request& request, const job_callbacks& callbacks = {});

// source,node_id,cost rows at round-trip precision (%.17g), written atomically.
void write_reach_csv(const reach_result& r, const std::string& path);

}  // namespace healthreach::geo
