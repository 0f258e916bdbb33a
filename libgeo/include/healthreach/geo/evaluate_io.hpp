#pragma once
// Writing an evaluate run: the coverage layers plus `candidates` (and `scenario`), and the JSON.
#include "healthreach/geo/evaluate.hpp"
#include "healthreach/geo/json.hpp"

#include <string>

namespace healthreach::geo {

void write_evaluate_gpkg(const evaluate_result& r, const std::string& path);
// The coverage keys and the evaluate keys (candidates, scenario), written into an open object.
void write_evaluate_json(const evaluate_result& r, json_writer& json, const std::string& version);

}  // namespace healthreach::geo
