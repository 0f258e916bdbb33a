#pragma once
// Candidate sites for the optimizer: a point layer, or network nodes on a regular spacing in and
// near populated areas; and the coverage matrix they give over an analysis' demand.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/opt/coverage_matrix.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo {

struct candidate_set {
    std::vector<std::string> id, name, type;
    std::vector<double> x, y;  // metric CRS
    std::map<std::string, std::vector<std::optional<double>>> numbers;  // requested numeric fields, per candidate (the snap point for spacing candidates: a node)
    std::vector<site> sites;   // the candidates within the snap limit, in order
    std::vector<std::uint32_t> candidate_of_site;
    std::size_t off_network = 0;
    std::vector<std::string> warnings;  // the point layer's (polygons taken as points, repeated ids, ...)
    std::optional<input_summary> input;  // a point layer's: file, layer, fields, counts, notes
};

// Candidates from a point layer; input_error when none lies within the snap limit. With `types`,
// only features of those types (when the layer has a type field).
candidate_set candidates_from_points(const analysis& a, const std::string& path, const point_options& fields,
                                     const std::vector<std::string>& types);
candidate_set candidates_from_points(const analysis& a, const std::string& path, const point_options& fields);

// One network node per `spacing_m` square (the node nearest the square's centre), where the square
// or one of its eight neighbours holds demand.
candidate_set candidates_on_spacing(const analysis& a, double spacing_m);

// The candidates followed by the existing facilities on the network (for models that place vehicles
// at either); `existing_from` is the first site index of an existing facility.
candidate_set with_existing_sites(const analysis& a, candidate_set c, std::size_t& existing_from);

// Demand x candidate coverage (cost within each demand point's limit) with the existing
// facilities' coverage; demand that is off network or not applicable is left out (zero weight).
// uncovered_only: pairs only for populated demand no existing facility covers, all that max-cover and
// cover-all look at (their weights and existing coverage stay for every point).
opt::coverage_matrix candidate_matrix(const analysis& a, const candidate_set& c, bool uncovered_only = false);

// Demand x candidate costs whatever the limit (p-median), kept only where the candidate beats the
// point's existing nearest cost, which goes to `existing_cost` (+inf without existing facilities).
// Off-network demand has zero weight. input_error when the matrix would exceed `max_pairs`.
opt::coverage_matrix candidate_cost_matrix(const analysis& a, const candidate_set& c, std::vector<double>& existing_cost,
                                           std::size_t max_pairs = 50'000'000);

// Which points (x, y; metric CRS) lie within `svc`'s limit for their area class of any feature of
// the point layer `path` (e.g. county hospitals). The service must share the analysis' metric.
std::vector<std::uint8_t> within_reach_of_layer(const analysis& a, const std::string& path, const service& svc,
                                                const std::vector<double>& x, const std::vector<double>& y);

}  // namespace healthreach::geo
