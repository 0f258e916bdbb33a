// OSM tags: any other_tags hstore text parses, a maxspeed value of any text parses (numbers as
// written: read_roads refuses those outside (0, max_road_speed_kmh]), and oneway is one of its
// three kinds.
#include "healthreach/geo/roads.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

void check_values(const std::string& maxspeed, const std::string& oneway) {
    using namespace healthreach::geo;
    parse_maxspeed(maxspeed);
    const oneway_kind k = parse_oneway(oneway);
    if (k != oneway_kind::both && k != oneway_kind::forward && k != oneway_kind::backward) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // GDAL hands the field over as a C string: it ends at the first NUL.
    const std::string text(reinterpret_cast<const char*>(data), size);
    const healthreach::geo::osm_tags tags = healthreach::geo::parse_other_tags(text.c_str());
    check_values(tags.maxspeed, tags.oneway);
    // The same values as plain fields of a generic road layer.
    check_values(text, text);
    return 0;
}
