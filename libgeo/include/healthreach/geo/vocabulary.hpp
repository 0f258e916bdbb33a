#pragma once
// The words the spatial core and the planning rules share: how a cost is measured, the area
// class a limit applies to, and how a facility layer's own type names map to the standards' types.
// The core (network, reach, urbanisation, features) sees these, never the standards.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace healthreach::geo {

enum class metric { length, time };  // metres or seconds
metric parse_metric(const std::string& name);  // "length"/"distance" or "time"; input_error otherwise

// Which way a cost runs: from the facility to the people (dispatch: an ambulance) or from the
// people to the facility (people travel to it). They differ on one-way streets and slopes.
enum class direction : std::uint8_t { from_facility, to_facility };
const char* direction_name(direction d);  // "from-facility" or "to-facility" (the standards' words)

enum class area_class : std::uint8_t { urban = 0, rural = 1 };
const char* area_class_name(area_class c);

// A facility layer's type values mapped to the standards' facility types ("Hospital" ->
// "ambulance-station"), in the order given. Keys match a layer's values after trimming, ASCII
// letters in any case (type_key); values are the standards' words, exactly.
using type_map = std::vector<std::pair<std::string, std::string>>;
// The form in which type values are compared: spaces trimmed, ASCII letters in lower case.
std::string type_key(const std::string& value);
// "Hospital=ambulance-station,Polyclinic=community-station": input_error naming `option` and the
// entry for an empty entry, an entry without '=', an empty side, or a key given twice with two values.
type_map parse_type_map(const std::string& text, const std::string& option = "--type-map");

}  // namespace healthreach::geo
