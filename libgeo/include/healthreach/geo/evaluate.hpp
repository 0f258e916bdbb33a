#pragma once
// The evaluate job: what each candidate site adds over the existing facilities (people newly
// covered, the admin units they live in, a rank), and optionally a scenario: a second set of sites
// added to the existing ones, compared per admin unit.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/candidates.hpp"
#include "healthreach/progress.hpp"

#include <memory>
#include <string>
#include <vector>

namespace healthreach::geo {

struct evaluate_request {
    analysis_options analysis;
    std::string candidates;  // point layer (required)
    std::string candidates_layer;  // its layer (empty: the only point layer)
    std::string scenario;    // point layer of sites added to the existing ones, or empty
};

struct candidate_evaluation {
    std::string id, name;
    double x = 0, y = 0;                  // metric CRS of the analysis
    double gain = 0;                      // people newly covered over the existing facilities alone
    std::size_t rank = 0;                 // 1 for the largest gain (ties keep the input order)
    std::vector<std::string> admin_units; // units where the newly covered people live
};

struct scenario_row {
    std::string name;                     // admin unit, "(outside every unit)", or "total" without units
    double covered_existing = 0, covered_scenario = 0;
};

struct evaluate_result {
    std::unique_ptr<analysis> a;
    std::vector<candidate_evaluation> candidates;  // candidates on the network, in input order
    std::vector<std::size_t> order;                // indices into candidates by rank
    std::string scenario;                          // the scenario layer, empty when none was given
    std::vector<scenario_row> scenario_rows;
};

// input_error naming the file or value for bad input; cancelled when a callback says stop.
evaluate_result run_evaluate(const evaluate_request& request, const job_callbacks& callbacks = {});

}  // namespace healthreach::geo
