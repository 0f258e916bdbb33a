#include "healthreach/geo/profile.hpp"

#include <algorithm>

namespace healthreach::geo {

profile_rules::profile_rules(const profile& p, const road_set& roads)
    : mode_(p.mode), walk_speed_kmh_(p.walk_speed_kmh), class_speed_(roads.classes.size(), 0.0) {
    for (std::size_t c = 0; c < roads.classes.size(); ++c) {
        const std::string& cls = roads.classes[c];
        if (mode_ == travel_mode::drive) {
            auto it = p.speed_kmh.find(cls);
            if (it != p.speed_kmh.end()) class_speed_[c] = it->second;
        } else if (std::find(p.excluded.begin(), p.excluded.end(), cls) == p.excluded.end()) {
            class_speed_[c] = walk_speed_kmh_;
        }
    }
}

line_rule profile_rules::operator()(const road_line& line) const {
    line_rule r;
    const double speed = class_speed_[line.highway];
    if (speed <= 0) return r;
    if (mode_ == travel_mode::drive) {
        if (line.access_private) return r;
        r.speed_kmh = line.maxspeed_kmh > 0 ? line.maxspeed_kmh : speed;
        r.forward = line.oneway != oneway_kind::backward;
        r.backward = line.oneway != oneway_kind::forward;
    } else {
        if (line.foot < 0 || (line.access_private && line.foot <= 0)) return r;
        r.speed_kmh = speed;
        r.forward = r.backward = true;
    }
    r.routable = true;
    return r;
}

}  // namespace healthreach::geo
