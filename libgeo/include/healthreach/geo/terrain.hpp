#pragma once
// Terrain (--dem): elevation sampled along every edge makes travel times depend on slope. Walking
// follows Tobler's hiking function of the signed slope in the direction of travel, so an edge's two
// directions differ; driving is slowed by a factor per class of absolute grade (profile grade_factors).
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/profile.hpp"

#include <string>

namespace healthreach::geo {

// Samples are taken at every vertex of an edge and at most this far apart in between.
constexpr double dem_sample_spacing_m = 30;

// Tobler's hiking function: 6 e^(-3.5 |s + 0.05|) km/h at signed slope s (rise over run, uphill > 0).
double tobler_speed_kmh(double slope);

// The speed factor of the profile's grade class holding |grade| (1 without classes).
double grade_factor(const profile& prof, double grade);

// Sets every edge's time_s and reverse_time_s (a closed direction stays closed) from the elevation
// of `dem_path` sampled along it: walk at tobler_speed_kmh(s) x speed_kmh / 5 on each piece, drive
// at the edge's flat speed x grade_factor(|s|). Lengths stay planimetric. Pieces with an end off the
// DEM (outside it or nodata) are taken as flat and counted in `report`; input_error naming the DEM
// when more than half of the roads' length is off it. Edges flagged in `off_ground` (tunnels and
// bridges; empty: none) take the straight line between the elevations of their ends.
void apply_terrain(network& net, const profile& prof, const std::string& dem_path, network_adjustments& report,
                   const std::vector<std::uint8_t>& off_ground = {});

}  // namespace healthreach::geo
