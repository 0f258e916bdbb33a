#pragma once
// One self-contained HTML page (no script, no external file: styles inline, the map as an embedded
// PNG) that reports a run from its output GeoPackage: the summary per admin unit, the urban/rural
// split, the ratio rule, the compliance rules, the proposed sites or ranked candidates.
#include "healthreach/geo/map_render.hpp"

#include <string>

namespace healthreach::geo {

// Writes the report atomically; the map is drawn from the same request (title, subtitle, language).
void write_report_html(const map_request& request, const std::string& version, const std::string& path);

}  // namespace healthreach::geo
