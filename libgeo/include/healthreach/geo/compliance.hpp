#pragma once
// The plans' count and ratio rules per admin unit: which each unit meets, where it falls short and
// by how much, and which cannot be checked with the inputs at hand (and why).
#include "healthreach/geo/features.hpp"
#include "healthreach/geo/standards.hpp"

#include <string>
#include <vector>

namespace healthreach::geo {

struct compliance_options {
    std::string population, facilities, admin, admin_layer, admin_field;  // admin_field empty: `name` when present
    std::string townships_layer = "townships";  // in the --admin file; absent: township rules cannot be checked
    std::string villages, villages_layer, village_population_field = "population";
    std::string urban, urban_layer;
    std::string standards_file, crs;
    point_options facility_fields;
};

enum class rule_status { meets, short_of, cannot_check };
const char* rule_status_name(rule_status s);  // meets, short, cannot-check

struct compliance_row {
    std::string admin, level, rule, description, source;
    double required = 0, present = 0;
    rule_status status = rule_status::cannot_check;
    std::string reason;
    int county = -1;  // the county-level unit the row belongs to, -1 for city-wide rows
};

struct compliance_report {
    OGRSpatialReference crs;
    polygon_set counties;
    std::vector<std::string> warnings;  // about the inputs (repeated unit names or facility ids, encodings)
    std::vector<compliance_row> rows;
    std::vector<int> unmet;  // per county: rows short or cannot-check
    std::size_t meets = 0, short_of = 0, cannot_check = 0;
};

compliance_report run_compliance(const compliance_options& options);

}  // namespace healthreach::geo
