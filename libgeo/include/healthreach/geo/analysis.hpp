#pragma once
// A coverage analysis from input files to results: the roads become the service's network, the
// population grid becomes demand, facilities become sites, and every demand point gets its nearest
// site, its cost and its status. Output writers (coverage_io) and the optimizer start from here.
#include "healthreach/geo/coverage.hpp"
#include "healthreach/geo/features.hpp"
#include "healthreach/geo/graph_cache.hpp"
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/partition.hpp"
#include "healthreach/geo/population.hpp"
#include "healthreach/geo/roads.hpp"
#include "healthreach/geo/standards.hpp"
#include "healthreach/geo/urbanisation.hpp"
#include "healthreach/progress.hpp"

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo {

// --population-group NAME=RASTER: a part of the population (the elderly, children under 5) on the
// population raster's grid, counted as demand of its own on the same network and costs.
struct population_group_request {
    std::string name, raster;
};

enum class demand_points_when : std::uint8_t { automatic, always, never };
// demand_points_when::automatic writes the demand points up to this many (a WorldPop raster of a
// prefecture gives over a million: a 190 MB layer that takes longer to write than the analysis).
constexpr std::size_t demand_points_auto_max = 250000;

struct analysis_options {
    std::string roads;
    road_options road_read;
    network_options network_build;
    std::string population;
    std::string facilities;             // may be empty (optimize without existing sites)
    point_options facility_fields;
    bool all_facilities = false;
    std::string service;
    std::string profile;                // empty: the service's own
    std::string standards_file;
    std::optional<double> rural_limit;  // metres or seconds, the service's metric
    std::string urban, urban_layer;     // empty: Degree of Urbanisation
    std::string admin, admin_layer, admin_field;  // admin_field empty: `name` when present
    double demand_cell_m = 0;           // 0: the raster's own cells
    std::string delay_field, capacity_field;
    std::string crs;
    std::string graph_cache;            // empty: no cache
    double snap_limit_m = 1000;
    unsigned threads = 0;               // 0: every core; above 4 per core cut back with a warning
    bool service_areas = true;          // per-site reach of every raster cell (service area polygons)
    // false: when none of the service's facilities lies within the snap limit of the network, the
    // run goes on with no site (everyone on the network uncovered) and says so in a warning; the
    // audit sets it, so that one service's stray facilities do not stop the whole plan's audit.
    bool sites_required = true;
    std::vector<double> bands;          // --bands: upper edges of cost bands, ascending, the service's unit
    std::vector<population_group_request> groups;
    // A graph already loaded from analysis_graph_inputs of these options (the audit loads one per
    // profile for all its services): copied instead of reading the roads or the cache again.
    std::shared_ptr<const graph_result> graph;
    // The GeoPackage's `demand` layer, one point per demand point: automatic (written up to
    // demand_points_auto_max points), always or never. The JSON, summary and map are the same either way.
    demand_points_when demand_points = demand_points_when::automatic;

    // --partition FILE, --partition-layer NAME: the searches run part by part over these polygons
    // (partition.hpp); the results equal a whole run's.
    std::string partition, partition_layer;

    // Every file the analysis reads (for the outputs-never-replace-inputs check).
    std::vector<std::string> input_paths() const {
        std::vector<std::string> paths = {roads, population, facilities, standards_file, urban, admin,
                                          network_build.dem, network_build.closures, network_build.speed_factors, road_read.clip,
                                          partition};
        for (const population_group_request& g : groups) paths.push_back(g.raster);
        return paths;
    }
};

enum class demand_status : std::uint8_t { covered, uncovered, off_network, not_applicable };
const char* demand_status_name(demand_status s);

struct phase_time {
    std::string name;
    double seconds;
};

struct population_split {
    double population = 0, covered = 0, uncovered = 0, off_network = 0, not_applicable = 0;
    void add(demand_status s, double people);
};

// What one input gave: its file and layer, the fields read (purpose, field), counts, and notes on
// how it was read (a guessed name field, the type map, a CSV's encoding, converted coordinates).
struct input_summary {
    std::string role, file, layer;
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<std::pair<std::string, double>> counts;
    std::vector<std::string> notes = {};  // initialised so that summaries without notes need not say so
};

// The summary of a point input (facilities, candidates, villages): file, layer, the fields read
// (id, name, type; lon and lat for tables), features, points converted from a web map's
// coordinates, types mapped, and the layer's notes.
input_summary point_input_summary(const std::string& role, const point_set& pts);

struct analysis {
    analysis_options options;
    standards rules;
    const service* svc = nullptr;
    std::array<std::optional<double>, 2> limit;  // by area_class
    std::array<std::string, 2> limit_source;
    std::string urban_method;                    // "polygons FILE" or "degree of urbanisation"
    // The people of each kind of area (demand points by where they lie): with polygons, urban_centre
    // holds those inside them and urban_cluster stays 0.
    struct urbanisation_split {
        double urban_centre = 0, urban_cluster = 0, rural = 0;
    } urban_split;
    std::vector<std::string> warnings;           // every warning of the run, candidates' included
    std::vector<input_summary> inputs;           // roads, population, facilities, admin, urban

    OGRSpatialReference crs;
    network_build built;
    std::string graph_cache_status;              // see graph_result::cache_status
    std::unique_ptr<router> route;
    std::unique_ptr<snapper> snap;

    population_grid pop;
    std::optional<urbanisation_grid> urbanisation;
    std::optional<polygon_set> urban_polygons;
    std::unique_ptr<polygon_locator> urban_locator;
    // Urban or rural at any point of the metric CRS; urban_centre: inside an --urban polygon, or an
    // urban-centre cell of the Degree of Urbanisation (not a mere cluster).
    area_class class_at(double x, double y) const;
    bool urban_centre(double x, double y) const;
    // Demand points: populated cells, or --demand-cell aggregates at their population centroid.
    std::vector<double> demand_x, demand_y, demand_pop;
    std::vector<area_class> demand_class;
    std::vector<std::uint32_t> demand_of_cell;  // per populated cell (pop index)
    std::unique_ptr<network_points> demand;
    std::vector<demand_status> status;
    nearest_result nearest;                      // sites indexed like `sites`

    // Facilities matching the service; those within the snap limit become sites.
    point_set facilities;
    std::size_t facilities_in_file = 0;
    std::vector<std::uint32_t> site_of_facility;  // invalid_id: off network
    std::vector<std::uint32_t> facility_of_site;
    std::vector<double> facility_snap_m;
    std::vector<site> sites;
    std::vector<double> units_present;            // per facility: units field, 1 where absent
    std::vector<std::vector<reached_point>> within;  // per site: demand points covered by it
    std::vector<double> pop_within_limit, pop_nearest;  // per facility
    // Criticality: per demand point, the open sites covering it within its limit; per facility, the
    // people it covers that no other open site covers (lost if it closes).
    std::vector<std::uint32_t> covering_sites;
    std::vector<double> pop_sole;

    // Every valid raster cell on the network (for service areas and the travel raster).
    std::vector<std::uint64_t> cell_index;        // raster cell of each entry
    std::vector<area_class> cell_class;
    std::unique_ptr<network_points> cells;
    std::vector<std::vector<reached_point>> cells_within;  // per site
    nearest_result cell_nearest;

    // Capacity analysis (--capacity-field): people each facility can serve, and who is served.
    bool capacitated = false;
    std::vector<double> capacity, capacity_used;  // per facility
    std::vector<double> served;                   // per demand point
    std::vector<std::uint32_t> served_by;         // per demand point: the facility serving most of it
    double population_served = 0, population_unserved_for_capacity = 0;

    // Admin units.
    std::optional<polygon_set> admin;
    std::vector<int> demand_unit, facility_unit;

    // --population-group: each group's own demand points (its populated cells, or --demand-cell
    // aggregates), priced on the same network by the same search as the main demand.
    struct population_group {
        std::string name, raster;
        std::vector<double> x, y, pop;
        std::vector<demand_status> status;
        std::vector<int> unit;  // admin unit (index), -1 outside every unit; empty without --admin
    };
    std::vector<population_group> groups;

    population_split total;
    std::array<population_split, 2> by_class;
    std::vector<phase_time> phases;

    double max_limit() const;
    // Whether the outputs hold the demand layer (options.demand_points against the demand's size).
    bool writes_demand_points() const;
    double limit_of(area_class c) const { return limit[static_cast<int>(c)].value_or(no_limit); }
    // Units required for `people` by the service's ratio rule (ceil), or -1 without a ratio.
    double units_required(double people) const;
};

// What the run's graph is built from: the roads, the service's profile (or --profile) and, with
// --clip and no --clip-buffer, a buffer as far as the service's largest limit reaches plus the snap
// limit. input_error for an unknown service or profile.
graph_inputs analysis_graph_inputs(const analysis_options& options, const standards& rules);

// The coverage job: runs the analysis, reporting each phase as it starts. input_error naming the
// culprit for bad input; cancelled when the progress callback says stop.
// With options.partition, `runner` runs the parts (run_parts_here when empty: the MPI executable
// hands them to its ranks).
std::unique_ptr<analysis> run_analysis(const analysis_options& options, const job_callbacks& callbacks = {},
                                       const part_runner& runner = {});

// Population-weighted percentile (0..1) of costs; NaN when there is nobody.
double weighted_percentile(std::vector<std::pair<double, double>> cost_people, double p);
// Several at once over one sort (the workbench writes a summary per trial).
std::vector<double> weighted_percentiles(std::vector<std::pair<double, double>> cost_people, const std::vector<double>& ps);

}  // namespace healthreach::geo
