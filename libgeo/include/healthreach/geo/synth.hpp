#pragma once
// A deterministic synthetic region modelled on Changzhi (Shanxi): roads, population grid,
// facilities, admin units, villages and urban areas in the file layout of DESIGN.md.
#include <cstdint>
#include <string>
#include <vector>

namespace healthreach::geo {

enum class synth_scale { small, prefecture, province };
synth_scale parse_synth_scale(const std::string& name);

struct synth_summary {
    double population = 0;  // exact total of the settlements placed (the raster holds it as Float32)
    std::size_t prefectures = 0, counties = 0, townships = 0, villages = 0, facilities = 0, road_lines = 0;
    double road_km = 0;
    std::size_t valid_cells = 0, populated_cells = 0;  // raster cells not NoData (water), and holding people
    // People of each township (layer order) as its settlements place them; the modelled background
    // moves some of them within the township, so the raster keeps these totals.
    std::vector<double> township_population;
};

// Writes roads.gpkg, population.tif, facilities.gpkg, admin.gpkg, villages.gpkg, urban.gpkg and
// README.md into dir (created if missing). The same seed gives the same features and pixels.
synth_summary write_synthetic_region(const std::string& dir, synth_scale scale, std::uint64_t seed);

}  // namespace healthreach::geo
