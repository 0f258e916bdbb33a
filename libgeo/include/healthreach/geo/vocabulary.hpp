#pragma once
// The words the spatial core and the planning rules share: how a cost is measured and the area
// class a limit applies to. The core (network, reach, urbanisation) sees these, never the standards.
#include <cstdint>
#include <string>

namespace healthreach::geo {

enum class metric { length, time };  // metres or seconds
metric parse_metric(const std::string& name);  // "length"/"distance" or "time"; input_error otherwise

// Which way a cost runs: from the facility to the people (dispatch: an ambulance) or from the
// people to the facility (people travel to it). They differ on one-way streets and slopes.
enum class direction : std::uint8_t { from_facility, to_facility };
const char* direction_name(direction d);  // "from-facility" or "to-facility" (the standards' words)

enum class area_class : std::uint8_t { urban = 0, rural = 1 };
const char* area_class_name(area_class c);

}  // namespace healthreach::geo
