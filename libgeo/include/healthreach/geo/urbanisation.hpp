#pragma once
// Urban or rural: from urban-area polygons, or from the population grid by the Degree of
// Urbanisation method (urban centres and urban clusters on square cells of the metric CRS).
#include "healthreach/geo/population.hpp"
#include "healthreach/geo/vocabulary.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

namespace healthreach::geo {

// Thresholds of the Degree of Urbanisation (the standards file's [urbanisation] table).
struct urbanisation_rules {
    double cell_m = 1000, centre_density = 1500, centre_population = 50000;
    int centre_gap_fill = 5;
    double cluster_density = 300, cluster_population = 5000;
    // The plans' city areas (城市地区) are urban centres; urban clusters (towns, semi-dense areas)
    // take the rural limit unless the standards file says `clusters_are = "urban"`.
    bool clusters_urban = false;
    std::string source;
};

struct urbanisation_grid {
    double cell_m = 1000;
    std::int64_t col0 = 0, row0 = 0;  // grid origin in cells of the metric CRS (floor(x / cell_m))
    int cols = 0, rows = 0;
    std::vector<std::uint8_t> kind;   // 0 rural, 1 urban cluster, 2 urban centre
    std::size_t centre_cells = 0, cluster_cells = 0;
    bool clusters_urban = false;      // the rules' clusters_are

    // 0 rural, 1 urban cluster, 2 urban centre.
    std::uint8_t kind_at(double x, double y) const {
        const std::int64_t c = static_cast<std::int64_t>(std::floor(x / cell_m)) - col0;
        const std::int64_t r = static_cast<std::int64_t>(std::floor(y / cell_m)) - row0;
        if (c < 0 || r < 0 || c >= cols || r >= rows) return 0;
        return kind[static_cast<std::size_t>(r) * cols + c];
    }
    area_class at(double x, double y) const {
        const std::uint8_t k = kind_at(x, y);
        return k == 2 || (k == 1 && clusters_urban) ? area_class::urban : area_class::rural;
    }
};

// People summed into cell_m cells (by each raster cell's centre); centres: 4-connected cells of at
// least centre_density, totalling centre_population, gaps filled; clusters: 8-connected cells of at
// least cluster_density, totalling cluster_population. Urban = centre, and cluster when the rules say so.
urbanisation_grid degree_of_urbanisation(const population_grid& pop, const urbanisation_rules& rules);

}  // namespace healthreach::geo
