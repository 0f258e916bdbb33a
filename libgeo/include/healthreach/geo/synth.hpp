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

// A point of the synthetic region: metres in its CRS (EPSG:32649).
struct synth_point {
    double x, y;
};

// A road line of the synthetic region: its vertices and OpenStreetMap tags.
struct synth_road {
    std::vector<synth_point> pts;
    std::string highway, oneway, junction, name;
};

// What a prefecture of the province offers the roads across its borders, all vertices of its roads:
// its county towns (centres of street grids of town_radius and town_spacing), township seats, villages
// and the ends of its mountain roads on its square's eastern edge.
struct synth_border_side {
    std::vector<synth_point> towns, seats, villages, road_ends;
    double town_radius = 0, town_spacing = 0;
};

// Appends ordinary (walkable) roads across the border of neighbouring prefectures: b east of a (`east`)
// or north of it, the border the line x = at (east) or y = at from `from` to `from + length` along it.
// Every road ends on vertices of a's and b's roads. `border` numbers the border in the highways' names.
void add_border_roads(std::vector<synth_road>& roads, const synth_border_side& a, const synth_border_side& b, bool east,
                      double at, double from, double length, int border, std::uint64_t seed);

// Writes roads.gpkg, population.tif, facilities.gpkg, admin.gpkg, villages.gpkg, urban.gpkg and
// README.md into dir (created if missing). The same seed gives the same features and pixels.
synth_summary write_synthetic_region(const std::string& dir, synth_scale scale, std::uint64_t seed);

}  // namespace healthreach::geo
