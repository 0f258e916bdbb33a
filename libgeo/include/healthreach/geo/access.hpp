#pragma once
// The accessibility score of the two-step floating catchment family (2SFCA, Luo & Wang 2003; with a
// Gaussian decay, Dai 2010): supply relative to the people who can reach it, on the coverage
// analysis' network costs and limits.
//   R_j = S_j / sum_k P_k W(d_kj)  over demand k with d_kj <= d0(k)
//   A_i = sum_j R_j W(d_ij)        over facilities j with d_ij <= d0(i)
// d0 is the limit of the demand point's (or cell's) area class; scores are per 1,000 people.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/progress.hpp"

#include <memory>
#include <string>
#include <vector>

namespace healthreach::geo {

enum class access_decay { step, gaussian };
// "step" or "gaussian"; input_error naming the value otherwise.
access_decay parse_access_decay(const std::string& text);
const char* access_decay_name(access_decay d);
// W(d) for a cost d <= d0: 1 for step; (e^(-(d/d0)^2/2) - e^(-1/2)) / (1 - e^(-1/2)) for gaussian,
// 1 at the facility and 0 at the limit.
double access_weight(access_decay decay, double d, double d0);

struct access_request {
    analysis_options analysis;
    std::string supply_field;  // facility field holding S_j; empty: 1 per facility
    access_decay decay = access_decay::gaussian;
};

// Population-weighted figures over scored demand (on the network, in a class with a limit).
struct access_summary {
    std::string name;                 // admin unit, "(outside every unit)" or "total"
    double population = 0;            // people scored
    double mean = 0;                  // population-weighted mean score (NaN when nobody is scored)
    double below_half_mean = 0;       // people scoring below half the region's mean
    double no_access = 0;             // people reaching no facility (score 0)
    double share_below_half_mean() const;  // of `population`; NaN when nobody is scored
};

struct access_result {
    std::unique_ptr<analysis> a;
    std::string supply_field;
    access_decay decay = access_decay::gaussian;
    std::vector<double> supply;           // per facility (analysis' facilities)
    std::vector<double> weighted_demand;  // per facility: sum_k P_k W(d_kj); 0 off the network
    std::vector<double> ratio;            // per facility: R_j per 1,000 people; NaN where no one weighs on it
    std::vector<double> score;            // per demand point: A_i per 1,000 people; NaN off network or without a limit
    std::vector<double> cell_score;       // per analysis cell (a->cells), as `score`
    access_summary total;
    std::vector<access_summary> by_admin;  // per admin unit in layer order, then "(outside every unit)" when anyone is
    double population_off_network = 0, population_not_applicable = 0;
    std::size_t facilities_without_demand = 0;  // on the network, R_j undefined
    double supply_total = 0;                    // of every facility of the service
    double supply_reaching_people = 0;          // of those with a defined R_j: equals sum_i P_i A_i / 1000
};

// Runs the coverage analysis of `request.analysis` (facilities required) and scores every demand
// point and raster cell; the score's warnings join the analysis' (a->warnings). input_error for a supply field that is absent (listing the layer's fields),
// empty, negative or not a number (naming the facility and value); cancelled when a callback says stop.
access_result run_access(const access_request& request, const job_callbacks& callbacks = {});

}  // namespace healthreach::geo
