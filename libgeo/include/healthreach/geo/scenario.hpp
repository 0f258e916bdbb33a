#pragma once
// A region loaded once for trials of "what if": sites added at any point, existing facilities
// closed, the limits changed (healthreach serve). The analysis stays in memory with every existing
// site's reach (the demand points within its limit, with costs) and, per demand point, how many open
// sites cover it; a trial adds and subtracts the reach of the sites it changes instead of running
// the analysis again. Its answers are the analysis' own structures, so the coverage JSON, the
// GeoPackage, the map and the report of a trial are written by the same writers as the CLI's.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/candidates.hpp"
#include "healthreach/geo/json.hpp"
#include "healthreach/geo/json_parse.hpp"
#include "healthreach/geo/optimize.hpp"

#include <array>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo {

// One trial: the existing facilities minus `remove` plus `add`, under the analysis' limits or others.
struct scenario_request {
    std::vector<std::array<double, 2>> add;          // new sites (x, y) in the analysis' metric CRS
    std::vector<std::string> remove;                 // ids of existing facilities closed
    std::optional<double> urban_limit, rural_limit;  // the service's metric (metres or seconds)
};

struct scenario_optimize_request {
    scenario_request scenario;     // the starting point: its sites stay open
    objective goal = objective::max_cover;  // max_cover or cover_all
    int sites = -1;                // max-cover: new sites (required)
    double time_limit_s = 10;      // of an exact solve
};

class scenario_engine {
public:
    // Takes over a loaded analysis (run_analysis with service areas; no capacity analysis) and the
    // candidate sites of optimize requests (none: optimize requests are refused).
    scenario_engine(std::unique_ptr<analysis> loaded, std::optional<candidate_set> candidates);
    ~scenario_engine();
    scenario_engine(const scenario_engine&) = delete;
    scenario_engine& operator=(const scenario_engine&) = delete;

    // The analysis as loaded. A trial swaps its own fields into it while it runs: read it before
    // trials start or from inside with_scenario only (the server writes its region JSON first).
    const analysis& base() const { return *a_; }
    bool has_candidates() const { return candidates_.has_value(); }

    // A request body of the HTTP API read into a request: {"service", "limits": {"urban", "rural"},
    // "add": [{"lon","lat"} | {"x","y"}], "remove": [ids]}; optimize adds "objective" (max-cover or
    // cover-all), "sites" and "time_limit". Unknown keys, a service other than the loaded one,
    // unknown facility ids and wrong types are input_errors naming the key. Safe during trials.
    scenario_request read_request(const json_value& body, const std::vector<std::string>& extra = {}) const;
    scenario_optimize_request read_optimize_request(const json_value& body) const;

    // Calls `use` with the analysis as the trial makes it: facilities (closed ones left out, added
    // ones appended with ids new-1, new-2, ... and type "proposed"), sites, limits, each demand
    // point's status, nearest site and cost, the totals, each facility's population within its limit
    // and nearest to it. With `outputs`, also each site's reach and service-area cells and the
    // cells' nearest sites (what the GeoPackage and travel raster need); without, those are empty.
    // Trials run one at a time (a lock); input_error for a point beyond the snap limit.
    void with_scenario(const scenario_request& r, bool outputs, const std::function<void(const analysis&)>& use);

    // The keys of `coverage --json` for the trial, written into an open object, and `elapsed_ms`
    // (the trial's time from request to written summary). With `grid`, also the key `grid`: the
    // trial's demand on a coarse grid in WGS 84 for drawing, {lon0, lat0, dlon, dlat, cols, rows,
    // cells: [[index, people, within 1/3 of the limit, within 2/3, within the limit, uncovered,
    // off network or not applicable], ...]} (people rounded; index = row * cols + col, rows from
    // the south).
    void coverage_json(const scenario_request& r, json_writer& j, const std::string& version, bool grid = false);
    // The keys of `optimize --json` (selected[] with lon/lat) for new sites added to the trial.
    void optimize_json(const scenario_optimize_request& r, json_writer& j, const std::string& version);

private:
    struct limits_state;
    struct fields;
    limits_state& state_for(const scenario_request& r);
    std::vector<reached_point>& reach_of(limits_state& s, const site& added);
    void build_view(const scenario_request& r, limits_state& s, bool outputs, fields& view);
    void write_grid(const limits_state& s, json_writer& j) const;

    std::unique_ptr<analysis> a_;
    std::vector<std::string> facility_ids_;  // as loaded (a trial swaps the analysis' own)
    std::optional<candidate_set> candidates_;
    std::unique_ptr<polygon_locator> units_;
    std::list<limits_state> states_;  // the loaded limits first; others added by requests, the oldest dropped
    // Demand points on the drawing grid.
    std::vector<std::uint32_t> grid_cell_;
    double grid_lon0_ = 0, grid_lat0_ = 0, grid_dlon_ = 0, grid_dlat_ = 0;
    int grid_cols_ = 0, grid_rows_ = 0;
    std::mutex lock_;
};

}  // namespace healthreach::geo
