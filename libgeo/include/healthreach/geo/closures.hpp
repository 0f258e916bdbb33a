#pragma once
// Scenarios on the roads without editing the road file: --closures (polygons closing the edges they
// touch: snow on a pass, a flood) and --speed-factors (polygons whose `factor` field multiplies the
// speeds of the roads inside: 0.5 for snow).
#include "healthreach/geo/network.hpp"

#include <string>

namespace healthreach::geo {

// Multiplies speeds by each polygon's `factor` (> 0) on the part of each edge inside it: an edge's
// time (both directions) becomes time x (1 - share inside) + time x share inside / factor, its time
// taken as spread evenly along its length; where polygons overlap their extra times add. input_error naming the
// file for a layer that is not polygons, without a `factor` field, or with a factor that is not a
// positive number.
void apply_speed_factors(network& net, const std::string& path, network_adjustments& report);

// Removes every edge that lies inside or crosses a polygon of `path` (both directions; a road line
// crossing a polygon keeps its edges outside it). Nodes stay, so people beyond a closure stay on the
// network and become unreachable rather than off network. input_error naming the file for a layer
// that is not polygons.
void apply_closures(network& net, const std::string& path, network_adjustments& report);

}  // namespace healthreach::geo
