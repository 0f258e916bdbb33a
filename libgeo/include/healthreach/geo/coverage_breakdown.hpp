#pragma once
// Figures beyond covered / uncovered, each summed from per-demand-point data of the analysis (so
// that the parts of a region run apart add up): people by cumulative cost band (--bands), the
// population groups (--population-group) by status, both per admin unit; and the option values
// that ask for them.
#include "healthreach/geo/analysis.hpp"

#include <string>
#include <vector>

namespace healthreach::geo {

// "--bands 2500,5000,10000": positive, strictly ascending numbers. input_error naming the value.
std::vector<double> parse_cost_bands(const std::string& text);
// Bands given by a request: the same rules (a library caller may skip the parser).
void check_cost_bands(const std::vector<double>& bands);

// "--population-group NAME=RASTER", repeatable: input_error naming the spec for a missing '=', an
// empty name or raster, and for a name given twice.
std::vector<population_group_request> parse_population_groups(const std::vector<std::string>& specs);

// The figures of one admin unit (or of the region).
struct breakdown {
    std::vector<double> band_people;    // per --bands edge: on the network, with a limit, cost <= edge
    std::vector<population_split> groups;  // per --population-group, by status
};

// Per admin unit (index), then the people in no unit, then the whole region: admin units + 2 entries
// (2 without --admin: both the region).
std::vector<breakdown> breakdown_by_unit(const analysis& a);

// Whether demand point `d` counts in the band with upper edge `edge` (cumulative): on the network,
// with a limit, a facility reached, cost (off-network leg included) <= edge.
bool in_cost_band(const analysis& a, std::size_t d, double edge);

// Facilities (indices) by pop_sole, most first; ties by pop_within_limit, most first, then in the
// order of the facilities layer.
std::vector<std::size_t> facilities_by_criticality(const analysis& a);

}  // namespace healthreach::geo
