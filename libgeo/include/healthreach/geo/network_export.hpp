#pragma once
// The network job: the routable graph of a road file under a travel profile of the standards (the
// built-in file, or the user's override as every analysis reads it), built or loaded from a cache.
// graph_io writes it as the graph contract (layers edges, nodes).
#include "healthreach/geo/graph_cache.hpp"
#include "healthreach/progress.hpp"

#include <string>

namespace healthreach::geo {

struct network_request {
    std::string roads;
    road_options read;
    network_options build;
    std::string profile = "drive";  // a profile of the standards: drive or walk
    std::string standards_file;     // empty: the built-in standards
    std::string crs;                // empty: the UTM zone of the roads' centre
    std::string graph_cache;        // empty: no cache
};

graph_result run_network(const network_request& request, const job_callbacks& callbacks = {});

}  // namespace healthreach::geo
