#pragma once
// Partitioned coverage (--partition): the searches of a coverage analysis run part by part, each on
// the network within a halo of its part, and the parts' results merge into the analysis as if it
// had run whole, so that the ordinary writers write once. Choices: docs/decisions.md, "Partitioned
// runs"; the plan for a country: docs/scale.md.
#include "healthreach/geo/coverage.hpp"

#include <ogr_core.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace healthreach::geo {

struct analysis;

// Which part holds each demand point and each raster cell: the first polygon of the layer, in layer
// order, that holds its position (a demand point's, a cell's centre; a point on a border counts as
// inside); those in none form the remainder, the last part.
struct partition_plan {
    std::string path, layer;
    std::vector<std::string> names;                          // per part; the remainder's last
    std::vector<std::vector<std::uint32_t>> demand, cells;   // per part: global indices, ascending
    std::vector<OGREnvelope> extent;                         // per part: of its demand points and cells
    std::vector<double> cell_x, cell_y;                      // every cell of analysis::cell_index, metric CRS
    std::vector<OGREnvelope> edge_box;                       // per network edge
    OGREnvelope network_box;
    // Metres a path goes per unit of cost at most: 1 by distance, the network's fastest edge (either
    // way, speed factors and terrain included) by time. A path of cost c stays within c x this of its
    // ends, so a halo of that plus the snap limit holds every path of cost <= c of the points inside.
    double metres_per_cost = 1;
    std::size_t polygons = 0;                                // parts.size() - 1
    double remainder_people = 0;
};

// One part's searches, its demand points and cells in plan order, sites and points global.
struct part_result {
    std::uint32_t part = 0;
    nearest_result nearest, cell_nearest;  // per entry of plan.demand[part], plan.cells[part]
    std::vector<std::uint32_t> within_site, within_point, cell_site, cell_point;
    std::vector<double> within_cost, cell_cost;
    // How the part ran: the halo (metres), the subnetwork's size, the widenings for a nearest facility
    // beyond the halo, and the part's wall time.
    double halo_m = 0, seconds = 0;
    std::uint64_t nodes = 0, edges = 0, widenings = 0;
};

// Runs every part of the plan (in any order, anywhere) and returns one result per part.
using part_runner = std::function<std::vector<part_result>(const analysis&, const partition_plan&)>;

// The plan of `a` (its demand points and, with service areas, its cells at cell_x/y) over the
// polygons of `path` (`layer` empty: the first); input_error naming the file for a layer without
// polygons. Warnings (overlapping parts) go into `warnings`.
partition_plan plan_partition(const analysis& a, std::vector<double> cell_x, std::vector<double> cell_y,
                              const std::string& path, const std::string& layer, std::vector<std::string>& warnings);

// The searches of part `part`: nearest facility (exact at any cost: the halo widens until every
// nearest lies within it), and the points within their limits, for its demand points and cells.
part_result run_part(const analysis& a, const partition_plan& plan, std::size_t part);

// Every part, one after another here (each search parallel inside).
std::vector<part_result> run_parts_here(const analysis& a, const partition_plan& plan);

// The parts' results into a.nearest, a.within, a.cell_nearest and a.cells_within, in point order as
// a whole run gives them; std::runtime_error when a part is missing or given twice.
void merge_parts(analysis& a, const partition_plan& plan, const std::vector<part_result>& results);

}  // namespace healthreach::geo
