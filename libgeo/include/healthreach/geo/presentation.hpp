#pragma once
// What people open besides the GeoPackage: a QGIS project, a printable map and an HTML report of a
// run's outputs, with titles in the report's language.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/map_render.hpp"
#include "healthreach/geo/report_html.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace healthreach::geo {

struct presentation_options {
    std::string qgis_project, map, report;  // empty: not written
    std::string admin_table;                // CSV of the per-admin table (empty: not written)
    std::string lang = "zh";                // zh or en
    std::string map_size = "a4-landscape";  // map_sizes()
};

// Checks the output paths and the language before any work; input_error naming the culprit.
void check_presentation_options(const presentation_options& o);

// The roads a QGIS project shows under the results: the input file, its layer (empty: the one
// read_roads would read) and highway field.
struct roads_source {
    std::string path, layer, highway_field;
};

// What the project, map and report of one run show. `map` holds the output GeoPackage, borders,
// titles (in the report's language), the run's snap limit and, for analysing jobs, the roads and cost
// bands drawn from memory (pointing into `costs` and the analysis, which must outlive the writing).
struct presentation {
    map_request map;
    std::shared_ptr<const cost_cells> costs;
    std::shared_ptr<const demand_digest> demand;  // when the GeoPackage leaves the demand points out
    std::string travel_raster;                 // the run's travel raster (empty: none), in the project
    roads_source roads;                        // empty path: no roads in the project
    report_notes notes;                        // the report's methods and warnings
};

// What an analysing job's outputs show (command: coverage, evaluate or optimize): title and subtitle
// (the service, its limits, the existing coverage), roads, cost bands with their people, methods and
// warnings.
presentation analysis_presentation(const analysis& a, const std::string& gpkg, const presentation_options& o,
                                   const std::string& command);

// The service's name in a language (zh: the plans' term; en: the standards file's id).
std::string service_title(const std::string& service, const std::string& lang);
// A cost in the service's unit, as people read it: "5 km", "750 m", "15 min" ("15 分钟" in zh).
std::string cost_text(double cost, bool by_length, bool zh);

// Writes the QGIS project, the map, the report and the per-admin table that were asked for.
void write_presentations(const presentation_options& o, const presentation& p, const std::string& version);

}  // namespace healthreach::geo
