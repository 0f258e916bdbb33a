#pragma once
// The routable road network: junction nodes, directed edges with lengths and travel times, and
// edge geometry, all in flat arrays in one metric CRS.
#include "healthreach/geo/profile.hpp"
#include "healthreach/geo/roads.hpp"

#include <ogr_spatialref.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace healthreach::geo {

using node_id = std::uint32_t;
using edge_id = std::uint32_t;
constexpr std::uint32_t invalid_id = std::numeric_limits<std::uint32_t>::max();

// Every edge is traversable from source to target; reverse_time_s < 0 where target -> source is closed.
struct network {
    OGRSpatialReference srs;  // metric
    std::vector<double> node_x, node_y;
    std::vector<node_id> edge_source, edge_target;
    std::vector<double> edge_length_m, edge_time_s, edge_reverse_time_s;
    std::vector<std::uint16_t> edge_class;  // index into classes
    std::vector<std::string> classes;
    // Edge e's polyline, source to target: geom_x/y[geom_first[e], geom_first[e + 1]).
    std::vector<std::uint64_t> geom_first{0};
    std::vector<double> geom_x, geom_y;

    std::size_t node_count() const { return node_x.size(); }
    std::size_t edge_count() const { return edge_source.size(); }
    bool reverse_open(edge_id e) const { return edge_reverse_time_s[e] >= 0; }
    double total_length_m() const;

    void add_edge(node_id s, node_id t, double length_m, double time_s, double reverse_time_s,
                  std::uint16_t cls, const double* xs, const double* ys, std::size_t n);
};

enum class junction_mode { shared_vertices, endpoints };

struct network_options {
    junction_mode junctions = junction_mode::shared_vertices;
    double junction_tolerance_m = 0;  // 0: exact coordinate equality in the source CRS
};

struct component_report {
    std::size_t components = 0;          // strongly connected components before pruning
    std::size_t kept_nodes = 0;
    std::vector<std::size_t> dropped;    // node counts of the other components, largest first
    std::size_t dropped_edges = 0;
};

struct network_build {
    network net;                // the largest strongly connected component
    component_report components;
    std::size_t lines_routable = 0;
    std::size_t lines_skipped = 0;  // no road class for the profile, or closed to it
};

// Builds the routable graph of `roads` under `prof`, reprojected into `metric`; input_error when
// nothing is routable.
network_build build_network(const road_set& roads, const profile& prof, const OGRSpatialReference& metric,
                            const network_options& options = {});

}  // namespace healthreach::geo
