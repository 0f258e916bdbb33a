// OSM tags: any other_tags hstore text parses, and every maxspeed is 0 (none) or a finite positive
// speed; oneway is one of its three kinds.
#include "healthreach/geo/roads.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

namespace {

void check_values(const std::string& maxspeed, const std::string& oneway) {
    using namespace healthreach::geo;
    const float kmh = parse_maxspeed(maxspeed);
    if (!(kmh == 0 || (kmh > 0 && std::isfinite(kmh)))) __builtin_trap();
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
