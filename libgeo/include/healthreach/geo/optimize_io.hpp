#pragma once
// Writing an optimize run: the coverage layers plus `proposed_sites`, and the JSON summary.
#include "healthreach/geo/json.hpp"
#include "healthreach/geo/optimize.hpp"

#include <string>

namespace healthreach::geo {

// The coverage layers of the existing facilities and the `proposed_sites` layer, written atomically.
void write_optimize_gpkg(const optimize_result& r, const std::string& path);
// The optimize keys of DESIGN.md's JSON summary, written into an open object.
void write_optimize_json(const optimize_result& r, json_writer& json, const std::string& version);
// The same over an analysis held elsewhere (serve's trials: r.a is empty).
void write_optimize_json(const optimize_result& r, const analysis& a, json_writer& json, const std::string& version);

}  // namespace healthreach::geo
