#pragma once
// A printable A4 coverage map drawn with Cairo from an output GeoPackage: service areas, uncovered
// population, admin borders, facilities, proposed sites or candidates, compliance by unit; title,
// legend, scale bar and north arrow. Text uses a CJK font (Noto Sans CJK SC) so Chinese is readable.
#include <string>

namespace healthreach::geo {

struct map_request {
    std::string gpkg;                // output GeoPackage of coverage, evaluate, optimize or compliance
    std::string admin, admin_layer;  // admin borders (optional)
    std::string title, subtitle;
    std::string lang = "zh";         // legend language: zh or en
};

// Writes the map to `path`: PDF when it ends in .pdf, else PNG (150 dpi); atomically.
void render_map(const map_request& request, const std::string& path);

// The map as PNG bytes (for embedding in a report).
std::string render_map_png(const map_request& request);

}  // namespace healthreach::geo
