// Points from a CSV file (facilities, candidates, villages) through GDAL's CSV driver: any bytes
// give points in the metric CRS or an input_error.
#include "healthreach/error.hpp"
#include "healthreach/geo/features.hpp"

#include <cpl_vsi.h>
#include <ogr_spatialref.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

const char path[] = "/vsimem/fuzz.csv";

OGRSpatialReference utm50() {
    OGRSpatialReference srs;
    srs.importFromEPSG(32650);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const OGRSpatialReference metric = utm50();
    healthreach::geo::point_options options;
    options.numeric_fields = {"capacity", "ambulances"};
    options.text_fields = {"category"};
    std::vector<GByte> bytes(data, data + size);
    VSIFCloseL(VSIFileFromMemBuffer(path, bytes.data(), bytes.size(), FALSE));
    try {
        const healthreach::geo::point_set pts = healthreach::geo::read_points(path, metric, options);
        if (pts.y.size() != pts.size() || pts.id.size() != pts.size() || pts.name.size() != pts.size()) __builtin_trap();
    } catch (const healthreach::input_error&) {
    }
    VSIUnlink(path);
    return 0;
}
