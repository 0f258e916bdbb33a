#pragma once
// One self-contained HTML page (no script, no external file: styles inline, the map as an embedded
// PNG) that reports a run from its output GeoPackage: the summary per admin unit, the urban/rural
// split, the ratio rule, the compliance rules, the proposed sites or ranked candidates.
#include "healthreach/geo/map_render.hpp"

#include <string>
#include <utility>
#include <vector>

namespace healthreach::geo {

// People within one of the run's --bands (cumulative: every cost up to the band's edge).
struct report_band {
    std::string within;  // the edge as people read it ("5 km", "15 min")
    double people = 0;
};

// A facility and the people only it covers within the limit (they lose coverage if it closes).
struct report_facility {
    std::string id, name;
    double pop_within_limit = 0, pop_sole = 0;
};

// What the report says beyond the output's tables: how the run was made (a label and its text, in the
// report's language), every warning it gave, and the figures of its optional sections.
struct report_notes {
    std::vector<std::pair<std::string, std::string>> methods;
    std::vector<std::string> warnings;
    std::vector<report_band> bands;              // empty without --bands
    double band_base = 0;                        // people the bands' shares are of (population − off network − n.a.)
    std::vector<report_facility> most_relied_on;  // by pop_sole, most first; only those with pop_sole > 0
    std::size_t facilities_on_network = 0, facilities_none_sole = 0;  // the latter: pop_sole 0, on the network
};

// Writes the report atomically: the request gives the output, title, subtitle and language, map_png the
// map drawn for it (render_map_png).
void write_report_html(const map_request& request, const report_notes& notes, const std::string& map_png,
                       const std::string& version, const std::string& path);

// The reports' style sheet, and a table in their style: numbers right-aligned, words left, each row
// with an optional CSS class (total, meets, short); cells are escaped. For reports of other jobs (audit).
std::string report_css();
std::string html_table(const std::string& id, const std::vector<std::string>& header,
                       const std::vector<std::pair<std::vector<std::string>, std::string>>& rows);

}  // namespace healthreach::geo
