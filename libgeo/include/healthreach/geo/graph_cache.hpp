#pragma once
// A built network kept on disk (--graph-cache) so that later runs on the same roads skip reading the
// road file and building the graph. The cache records what the graph was built from (the road
// file's size and content hash, the profile, the road and build options, the CRS asked for) and is
// rebuilt when any of them changes.
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/profile.hpp"
#include "healthreach/geo/roads.hpp"

#include <ogr_spatialref.h>

#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo {

// Every input that shapes the routable graph.
struct graph_inputs {
    std::string roads;
    road_options read;
    profile prof;
    network_options build;
    std::string crs;  // --crs as given; empty: the UTM zone of the roads' centre
};

struct graph_result {
    network_build built;
    OGRSpatialReference crs;      // the run's metric CRS
    std::size_t road_features = 0, road_lines = 0;
    std::string road_layer;       // the layer read, or the one a loaded cache stands for
    std::vector<std::string> warnings;  // about the roads, when built (a loaded cache repeats none)
    std::string cache_status;     // empty without a cache; else "loaded", "written" or "rebuilt: <why>"
};

// Reads the roads and builds the graph, or loads it from `cache_path` when the cache was built from
// the same inputs; a missing, stale or unreadable cache is (re)written atomically. An empty
// cache_path builds without caching.
graph_result load_or_build_graph(const graph_inputs& in, const std::string& cache_path);

// The graph of `cache_path` when that cache was built from the same inputs (status "loaded"), else
// nullopt with the reason in `why` ("no cache yet", "the road file changed", "damaged cache", ...).
// Never writes.
std::optional<graph_result> read_graph_cache(const graph_inputs& in, const std::string& cache_path, std::string& why);

}  // namespace healthreach::geo
