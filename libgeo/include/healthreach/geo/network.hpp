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
    std::string dem;                  // --dem: elevation raster (terrain module); empty: flat
    std::string closures;             // --closures: polygons closing the edges they touch
    std::string speed_factors;        // --speed-factors: polygons whose field `factor` multiplies speeds inside
};

// What --dem, --closures and --speed-factors did to the graph, for the run's summary.
struct network_adjustments {
    double dem_km = 0;         // length sampled on the DEM
    double off_dem_km = 0;     // of which off it (outside or nodata): taken as flat
    double closed_km = 0;      // edges closed (length of each edge once)
    std::size_t closed_edges = 0;
    double slowed_km = 0;      // length inside speed-factor polygons
    std::size_t slowed_edges = 0;
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
    network_adjustments adjusted;
};

// What one of --dem, --closures, --speed-factors did, for the run's summary (stderr and JSON inputs).
struct adjustment_summary {
    std::string role, file;  // role: dem, closures, speed_factors
    std::vector<std::pair<std::string, double>> counts;
};
std::vector<adjustment_summary> summarize_adjustments(const network_options& options, const network_adjustments& done);

// Builds the routable graph of `roads` under `prof`, reprojected into `metric`; input_error when
// nothing is routable. The largest strongly connected component is kept first; then the DEM sets
// the edges' times, speed factors scale them and closures remove edges (so that people beyond a
// closure stay on the network, and uncovered).
network_build build_network(const road_set& roads, const profile& prof, const OGRSpatialReference& metric,
                            const network_options& options = {});

}  // namespace healthreach::geo
