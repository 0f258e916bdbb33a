#include "healthreach/geo/vocabulary.hpp"

#include "healthreach/error.hpp"

namespace healthreach::geo {

metric parse_metric(const std::string& name) {
    if (name == "length" || name == "distance") return metric::length;
    if (name == "time") return metric::time;
    throw input_error("--metric: unknown metric '" + name + "' (length or time)");
}

const char* direction_name(direction d) { return d == direction::from_facility ? "from-facility" : "to-facility"; }

const char* area_class_name(area_class c) { return c == area_class::urban ? "urban" : "rural"; }

}  // namespace healthreach::geo
