#pragma once
// The optimize job: propose new sites for a service over a coverage analysis (existing facilities
// stay open), by one of the siting models of the optimizer. The sub-centre model takes its numbers
// (share of township centres, sites per county, residents radiated) from the standards' rules.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/candidates.hpp"
#include "healthreach/opt/siting.hpp"
#include "healthreach/progress.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo {

enum class objective { cover_all, max_cover, min_distance, min_max, backup, expected, sub_centres };
// The objective of a command-line name (cover-all, max-cover, ...); input_error listing the names.
objective parse_objective(const std::string& name);
const char* objective_name(objective o);

struct optimize_request {
    analysis_options analysis;        // facilities optional: without them every site is new
    std::string candidates;           // point layer of candidate sites, or
    std::string candidates_layer;     // its layer (empty: the only point layer)
    double candidate_spacing_m = 0;   // network nodes on this spacing in and near populated areas
    objective goal = objective::cover_all;
    int sites = -1;                   // new sites: required by max-cover, backup, min-distance, min-max;
                                      // sub-centres: replaces the standards' share
    int vehicles = -1;                // expected: new vehicles (required)
    double busy_fraction = 0.3;       // expected: probability that a vehicle is busy, [0, 1)
    double target = 1.0;              // cover-all: fraction of the coverable population, (0, 1]
    std::string cost_field;           // cover-all: the candidates' numeric field of site costs (minimise their
                                      // total instead of the number of sites; existing sites cost nothing)
    std::string min_distance_from;    // sub-centres: county hospitals (point layer)
    bool exact = false;               // always solve the MILP (under time_limit_s)
    bool heuristic = false;           // never solve the MILP
    double time_limit_s = 60;
};

struct proposed_site {
    std::string id, name;
    double x = 0, y = 0;              // metric CRS of the analysis
    double gain = 0;                  // marginal people covered at its rank
    double cumulative_covered = 0;    // people covered with this and every higher-ranked site
    std::optional<int> vehicles;      // expected: new vehicles placed here
    bool existing = false;            // expected: an existing station receiving vehicles
    std::optional<double> served;     // sub-centres: people within its limit
    std::optional<double> units_required;  // units (ambulances) for its catchment among all open sites
    std::optional<double> lon, lat;   // WGS 84, when a front end asks for it (serve)
};

struct optimize_result {
    std::unique_ptr<analysis> a;
    objective goal = objective::cover_all;
    opt::siting_result solution;      // objective, bound, gap, solver, people covered
    std::vector<proposed_site> selected;  // in rank order
    std::size_t candidates = 0;       // candidate sites on the network
    std::size_t candidates_off_network = 0;
    double covered_existing = 0;      // people the existing facilities cover
    double coverable = 0;             // people any site, existing or candidate, can cover
    std::vector<std::string> rules_unmet;  // sub-centres: the standards' rules the answer cannot meet
    // Demand points (analysis indices) the new sites cover within their limit that the existing
    // facilities did not: the "after" the map and the report show.
    std::vector<std::uint32_t> newly_covered;
    double matrix_s = 0, solve_s = 0;
};

// Units (ambulances) each chosen candidate site needs at the service's ratio, over its catchment
// among the analysis' sites and the chosen ones; empty without a ratio rule.
std::vector<double> units_of_new_sites(const analysis& a, const candidate_set& cand, const std::vector<std::uint32_t>& chosen);

// The new sites of a solution in rank order: id, name, position, the people each adds at its rank,
// the people covered with it and every higher-ranked site (from covered_existing), units required.
std::vector<proposed_site> ranked_sites(const analysis& a, const candidate_set& cand, const opt::siting_result& res,
                                        double covered_existing);

// Runs the analysis, builds the candidates' coverage (or cost) matrix and solves the model.
// input_error naming the option or value for bad requests; cancelled when a callback says stop.
optimize_result run_optimize(const optimize_request& request, const job_callbacks& callbacks = {});

}  // namespace healthreach::geo
