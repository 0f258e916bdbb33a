#pragma once
// A printable A4 coverage map drawn with Cairo from an output GeoPackage: service areas, uncovered
// population, people off the road network, admin borders, facilities (on and off the network),
// proposed sites numbered by rank or candidates, compliance by unit; title, legend with counts, scale
// bar and north arrow in the margin. Text uses a CJK font (Noto Sans CJK SC) so Chinese is readable.
#include <string>
#include <vector>

namespace healthreach::geo {

struct network;

// The travel raster's cells that reach a site within the largest limit, in the output's CRS: where
// the map draws its cost bands.
struct cost_cells {
    std::vector<float> x, y, cost;  // cell centres; cost to the nearest site in the service's metric
    double cell_w = 0, cell_h = 0;  // a cell's ground size (metres)
};

// A cost band of the map: its upper edge, its label and the people whose cost falls in it.
struct cost_band {
    double upper;
    std::string label;
    double people;
};

// What the map and report read from the demand layer, taken from the analysis when the GeoPackage
// leaves that layer out (analysis_options::demand_points): the same figures either way.
struct demand_digest {
    std::vector<double> off_x, off_y;  // demand points off the network (map dots)
    std::vector<double> na_x, na_y;    // demand points whose class has no limit (map dots)
    bool any = false;                  // any demand point: then their extent (the map's study area)
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    struct people {
        double population = 0, covered = 0, uncovered = 0, off_network = 0, not_applicable = 0;
    };
    people urban, rural;               // by area class and status (the report's table)
};

struct map_request {
    std::string gpkg;                // output GeoPackage of coverage, evaluate, optimize or compliance
    std::string admin, admin_layer;  // admin borders (optional)
    std::string admin_field;         // the admin units' names, written in them (empty: no names)
    std::string title, subtitle;
    std::string lang = "zh";         // legend language: zh or en
    double snap_limit_m = 1000;      // the run's --snap-limit: demand farther from the roads is off network
    std::string size = "a4-landscape";  // a4|a3, landscape|portrait (map_sizes)
    const network* roads = nullptr;  // the analysis's network, drawn by road class under the results
    const cost_cells* costs = nullptr;  // drawn in `bands`; without them the service areas are drawn
    std::vector<cost_band> bands;
    std::string bands_title;         // the legend's heading over the bands
    const demand_digest* demand = nullptr;  // read when the GeoPackage has no demand layer
};

// The paper sizes --map-size takes.
const std::vector<std::string>& map_sizes();

// Writes the map to `path`: PDF when it ends in .pdf, else PNG (150 dpi); atomically.
void render_map(const map_request& request, const std::string& path);

// The map as PNG bytes (for embedding in a report).
std::string render_map_png(const map_request& request);

// A rectangle on the ground, in the output's CRS (metres).
struct ground_box {
    double min_x, min_y, max_x, max_y;
    double width() const { return max_x - min_x; }
    double height() const { return max_y - min_y; }
};

// Where the data frame sits and at what scale. The study area decides it: the admin units when given,
// else the compliance units, else the demand points (the populated cells); never an empty geometry or
// a facility far outside.
struct map_layout {
    ground_box study_area;
    ground_box frame;         // the ground the data frame shows: the study area padded, centred in the frame
    double mm_per_metre;      // page millimetres per ground metre
    double scale_bar_m;       // the scale bar's ground length: 1, 2 or 5 × 10^k metres
    double scale_bar_mm;      // its length on the page
};
map_layout layout_map(const map_request& request);  // on the request's paper size

// The legend's labels in the request's language, top to bottom, with their counts (people or sites).
std::vector<std::string> map_legend(const map_request& request);

// The SQLite expression that gives a row of an output GeoPackage's `demand` layer its status:
// 'covered', 'uncovered', 'off_network' or 'not_applicable' (the statuses of the JSON), from the
// fields coverage_io writes (`covered` null where the plans set no limit; `snap_m` beyond the snap
// limit for people off the network).
std::string demand_status_sql(double snap_limit_m);


}  // namespace healthreach::geo
