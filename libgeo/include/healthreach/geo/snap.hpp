#pragma once
// Snapping points to the nearest place on the network: an edge's interior, not only its nodes.
#include "healthreach/geo/network.hpp"

#include <limits>
#include <memory>

namespace healthreach::geo {

struct snap_result {
    edge_id edge = invalid_id;  // invalid_id: the network is empty
    double offset_m = 0;        // distance along the edge from its source to the snap point
    double distance_m = 0;      // straight line from the point to the snap point
    double x = 0, y = 0;        // the snap point
};

// Spatial indexes over every segment of the network's edges: a uniform grid, and an R-tree for far points.
class snapper {
public:
    explicit snapper(const network& net);
    ~snapper();
    snapper(const snapper&) = delete;
    snapper& operator=(const snapper&) = delete;

    // The nearest point of the network to (x, y), in the network's metric CRS. Thread-safe.
    // With `within`, a point whose nearest segment lies farther than that many metres gets no edge
    // (invalid_id) and distance_m +inf: the search stops there instead of looking farther (a
    // populated countryside holds millions of cells beyond any snap limit).
    snap_result nearest(double x, double y, double within = std::numeric_limits<double>::infinity()) const;

private:
    struct index;
    const network& net_;
    std::unique_ptr<index> index_;
};

}  // namespace healthreach::geo
