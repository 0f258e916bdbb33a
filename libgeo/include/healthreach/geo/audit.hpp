#pragma once
// The whole-plan audit: every service of the standards file whose facility types the facilities
// input holds, each a coverage analysis on one graph loaded per travel profile, and the plans' count
// and ratio rules (the compliance job), summed per admin unit for one table, one GeoPackage, one
// report and one JSON document.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/compliance.hpp"
#include "healthreach/progress.hpp"

#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo {

struct audit_options {
    // Roads, population, facilities, urban areas, admin units, standards and the common options, as
    // for coverage; `service`, `profile`, `rural_limit`, `all_facilities`, `delay_field`,
    // `capacity_field` and `graph` must be left empty (each service takes its own).
    analysis_options inputs;
    std::string townships_layer = "townships";        // compliance: township rules, when the --admin file has it
    std::string villages, villages_layer;              // compliance: villages (points or polygons with population)
    std::string village_population_field = "population";

    std::vector<std::string> input_paths() const {
        std::vector<std::string> p = inputs.input_paths();
        p.push_back(villages);
        return p;
    }
};

// One service in one admin unit (or the whole region: name empty).
struct audit_unit {
    std::string name;
    population_split people;
    double coverage_ratio = 0;     // covered / (population − off network − not applicable); NaN when nobody applies
    double units_required = -1;    // by the service's ratio rule (ceil); -1 without one
    double units_present = 0;      // the facilities' units field (ambulances), 1 per facility without it
    bool meets() const;            // nobody uncovered, and units_present >= units_required where required
};

struct audit_service {
    std::string name, description, profile, metric;  // metric: distance or time
    std::array<std::optional<double>, 2> limit;      // by area_class; the service's unit
    std::array<std::string, 2> limit_source;
    bool assessed = false;
    std::string reason;                              // not assessed: why
    std::size_t facilities_matching = 0, facilities_used = 0;
    audit_unit total;
    std::vector<audit_unit> units;                   // per admin unit, in the layer's order
    std::vector<phase_time> phases;
    std::vector<std::string> warnings;

    // Met: assessed, nobody uncovered and no unit short of units, in the region and in every admin unit.
    bool meets() const;
    // Units missing: per admin unit max(0, required − present) summed (the region's figure without units).
    double units_short() const;
};

struct audit_graph {
    std::string profile;
    std::size_t loads = 0;       // times the graph was loaded or built in this run (1)
    std::size_t services = 0;    // services that ran on it
    double seconds = 0;
    std::string cache_status;    // see graph_result::cache_status
    std::size_t nodes = 0, edges = 0;
};

struct audit_result {
    audit_options options;
    std::string standards_origin;
    OGRSpatialReference crs;
    std::optional<polygon_set> admin;              // the --admin units (the coverage analyses' layer)
    std::vector<audit_service> services;           // every service of the standards, assessed or not
    std::vector<audit_graph> graphs;               // one per profile used
    std::optional<compliance_report> compliance;   // absent without --admin
    std::string compliance_reason;                 // why it is absent
    std::vector<phase_time> phases;                // graph loads, services (summed by phase), compliance
    std::vector<input_summary> inputs;
    std::vector<std::string> warnings;             // every warning of the run, once each
};

// Runs the audit: input_error naming the culprit for bad input (a facilities layer without a type
// field cannot tell services apart); cancelled when the progress callback says stop.
audit_result run_audit(const audit_options& options, const job_callbacks& callbacks = {});

}  // namespace healthreach::geo
