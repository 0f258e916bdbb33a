#pragma once
// Siting models on a coverage matrix, by family: covering (cover-all: fewest new sites reaching a
// target; max-cover: exactly N new sites covering the most people; backup; county sub-centres),
// median and centre (min-distance, min-max), vehicles (expected) and capacitated max-cover. Existing
// facilities always stay open. Greedy plus local search for every size, a bound (Lagrangian or linear
// programming) so that every answer reports an honest gap, and an exact MILP through COIN-OR CBC on
// request or below a size threshold.
//
// A request no answer can meet (more sites than candidates, a negative count, a fraction out of range)
// throws healthreach::input_error naming the value; a solver that fails is std::runtime_error.
#include "healthreach/error.hpp"
#include "healthreach/opt/allocation.hpp"
#include "healthreach/opt/coverage_matrix.hpp"

#include <functional>
#include <string>
#include <vector>

namespace healthreach::opt {

struct siting_options {
    int sites = 1;                     // max-cover: new sites to open
    int vehicles = 1;                  // expected: new vehicles to place
    double busy_fraction = 0.3;        // expected: probability q that a vehicle is busy
    double target = 1.0;               // cover-all: fraction of the coverable population
    bool exact = false;                // force the MILP
    double time_limit_s = 60;          // every exact solve has one
    std::size_t exact_below = 50000;   // MILP automatically when candidates x rows is below this
    int perturbation_rounds = 300;     // min-distance: iterated local search rounds after the first descent
    double polish_above_gap = 0.005;   // cover-all, max-cover: MILP (time-limited) when the heuristic's gap is larger
    std::vector<double> site_cost;     // cover-all: per candidate, the cost of opening it (empty: 1 each, the count)
    unsigned threads = 1;              // min-distance: threads of its Lagrangian's column sums (same answer for any)
    std::function<void(const std::string&)> progress;  // messages for stderr; never stdout
};

struct siting_result {
    std::vector<std::uint32_t> selected;  // new sites, in rank order (greedy order of marginal gain)
    std::vector<double> gain;             // marginal people covered at each rank
    std::vector<int> vehicles;            // expected: new vehicles at each selected site
    double covered = 0;                   // people covered, existing facilities included
    double objective = 0;                 // max-cover: people covered; cover-all: number (or total cost) of new sites
    double bound = 0;                     // proven bound on the optimum (upper for max, lower for min)
    double gap = 0;                       // |bound - objective| / max(|objective|, 1)
    std::string solver;                   // "greedy+swap", "cbc", "cbc (time limit)", ...
};

siting_result max_cover(const coverage_matrix& m, const siting_options& options);

// Capacitated max-cover: exactly `sites` new sites; every site, existing or new, serves at most its
// capacity and a point may be split between sites. objective: people served (a maximum flow).
// existing: the existing sites' capacities and arcs over the same demand points (demand = m.population).
siting_result capacitated_max_cover(const coverage_matrix& m, const std::vector<double>& candidate_capacity,
                                    const allocation_problem& existing, const siting_options& options);

// p-median: exactly `sites` new sites minimising the population-weighted cost of every demand point
// to its nearest open site. m.cost holds, per candidate, the costs that beat the point's existing
// cost (existing_cost, +inf where there is no existing facility); absent pairs never do.
siting_result min_distance(const coverage_matrix& m, const std::vector<double>& existing_cost,
                           const siting_options& options);

// p-centre: exactly `sites` new sites minimising the largest cost of any demand point (population > 0)
// to its nearest open site; same matrix as min_distance.
siting_result min_max(const coverage_matrix& m, const std::vector<double>& existing_cost, const siting_options& options);

// Backup coverage (after Gendreau, Laporte and Semet's double standard model): with exactly `sites`
// new sites, first the most people covered at least once, then, keeping that, the most covered at
// least twice by distinct open sites. existing_count: per demand point, the existing facilities
// covering it. objective and bound are people covered twice; `covered` is people covered once.
siting_result backup_cover(const coverage_matrix& m, const std::vector<std::uint8_t>& existing_count,
                           const siting_options& options);

// County sub-centres: exactly `sites` of the candidate columns (eligible township centres), at least
// group_min[g] (or all its candidates, when fewer) and at most group_max[g] in every group (county) g
// that has a candidate (the standards' 1-3 per county, less the county's existing sub-centres), maximising the people covered (the matrix' weights already leave out people a
// county hospital reaches). group_of: per candidate, its county (-1 for none: no per-county rule).
// When `sites` cannot give every county its minimum, no county gets more than its minimum and every
// site goes to a county; when the maxima allow fewer than `sites`, as many as they allow.
siting_result sub_centres(const coverage_matrix& m, const std::vector<int>& group_of, const std::vector<int>& group_min,
                          const std::vector<int>& group_max,
                          const siting_options& options);

// MEXCLP (Daskin 1983): place `vehicles` new vehicles on the columns of m (candidates and existing
// stations alike, several per column allowed) to maximise the expected people covered, a point
// covered by k vehicles counting 1 - q^k of its people. base_vehicles: vehicles already at each
// column. covered_by_existing is ignored: existing coverage is in base_vehicles.
siting_result expected_cover(const coverage_matrix& m, const std::vector<double>& base_vehicles,
                             const siting_options& options);

// Cover-all: the new sites of least number, or of least total cost with options.site_cost, that bring
// the people covered to options.target of the coverable (existing facilities cost nothing). With the
// whole coverable population as target, a set-covering heuristic (reductions, Lagrangian relaxation,
// column fixing, local search) whose Lagrangian bound is reported, then CBC from its answer within the
// time limit when the gap is not closed; never an answer worse than the heuristic's.
siting_result cover_all(const coverage_matrix& m, const siting_options& options);

}  // namespace healthreach::opt
