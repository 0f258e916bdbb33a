#pragma once
// What people open besides the GeoPackage: a QGIS project, a printable map and an HTML report of a
// run's outputs, with titles in the report's language.
#include "healthreach/geo/analysis.hpp"

#include <string>

namespace healthreach::geo {

struct presentation_options {
    std::string qgis_project, map, report;  // empty: not written
    std::string lang = "zh";                // zh or en
};

// Checks the output paths and the language before any work; input_error naming the culprit.
void check_presentation_options(const presentation_options& o);

// What the project, map and report of one run show.
struct presentation {
    std::string gpkg;                // the run's output GeoPackage
    std::string admin, admin_layer;  // borders, optional
    std::string title, subtitle;     // in the report's language
    double snap_limit_m = 1000;      // the run's --snap-limit: tells off-network demand in the GeoPackage apart
};

// Title and subtitle of an analysing job's outputs (command: coverage, evaluate or optimize): the
// service, its limits and the existing coverage.
presentation analysis_presentation(const analysis& a, const std::string& gpkg, const std::string& lang,
                                   const std::string& command);

// The service's name in a language (zh: the plans' term; en: the standards file's id).
std::string service_title(const std::string& service, const std::string& lang);

// Writes the QGIS project, the map and the report that were asked for.
void write_presentations(const presentation_options& o, const presentation& p, const std::string& version);

}  // namespace healthreach::geo
