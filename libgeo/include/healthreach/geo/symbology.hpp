#pragma once
// How every output layer looks, defined once: the QGIS styles stored in the GeoPackages and the
// QGIS project, and the Cairo map (and the report that embeds it) all read this table.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo::symbology {

struct colour {
    int r, g, b, a;              // 0..255
    std::string qgis() const;    // "r,g,b,a"
};

enum class shape { none, circle, square, triangle, star };

struct style {
    colour fill;
    colour outline;
    double outline_mm;           // 0: no outline
    shape marker;                // none for areas
    double size_mm;              // marker size
    const char* label_field;     // "" for none
};

// The style of an output layer: facilities, proposed_sites, candidates, service_areas, uncovered,
// admin (borders drawn over the areas); or of a class of a layer's rows that the map tells apart:
// facilities_off_network (farther from the roads than the snap limit, serving nobody),
// demand_off_network (people off the road network), demand_not_applicable (people for whom the plans
// set no limit), demand_covered and demand_uncovered (the demand layer's other statuses),
// newly_covered (people the proposed sites cover, who were not covered before). std::out_of_range
// for a name without one.
const style& of(const std::string& layer);

// Cost to the nearest site (the travel raster), in bands whose edges include the standard's limits
// (band_edges); nearest first. Ramp from dark green (near) to pale yellow (at the largest limit).
constexpr std::size_t cost_band_count = 4;
extern const colour cost_band[cost_band_count];
// The ramp of cost_band stretched over `n` bands of a user's choice (--bands): band k of n, nearest first.
colour cost_ramp(std::size_t k, std::size_t n);
// The upper edges of the cost bands: with one limit L, L/3, 2L/3 and L; with an urban limit U below a
// rural limit R, U/2, U, (U+R)/2 and R. Empty without any limit.
std::vector<double> band_edges(std::optional<double> urban, std::optional<double> rural);

// Roads under the analysis, by OSM highway class: major (motorway to primary), middle (secondary,
// tertiary) and minor (the rest).
struct road_look {
    colour line;
    double width_mm;
};
road_look road_of(const std::string& highway);
// Every class a road_of tells apart, with a representative highway value (for legends and QGIS rules).
extern const char* const road_classes[3][6];

// Demand points (one per populated cell) draw in QGIS from this scale inwards: zoomed out, the dots
// of 100 m cells merge into a blot that hides the cost bands and the uncovered areas beneath.
constexpr double demand_points_min_scale = 50000;

// Compliance units by rules unmet: none, 1-2, 3 or more.
extern const colour compliance_unmet[3];
// The map's land under the admin units.
extern const colour paper;
// Beyond this many existing sites and candidates in the map's frame, their markers are drawn at this
// scale so that a dense city still shows its gaps.
constexpr std::size_t crowded_markers = 100;
constexpr double crowded_marker_scale = 0.6;
// Labels beside point markers (proposed sites' ranks): text size and the halo that keeps them legible.
constexpr double label_size_mm = 3.2;
constexpr double label_halo_mm = 0.9;
extern const colour label_text, label_halo;

}  // namespace healthreach::geo::symbology
