#include "healthreach/geo/profile.hpp"

#include "healthreach/geo/error.hpp"

#include <algorithm>

namespace healthreach::geo {

profile profile::builtin(const std::string& name) {
    profile p;
    p.name = name;
    if (name == "drive") {
        p.mode = travel_mode::drive;
        // Design speeds inside the ranges of JTG B01-2014: expressway 80-120, class-1 60-100,
        // class-2 60-80, class-3 30-40, class-4 20-30 km/h; OSM highway values mapped onto them.
        p.speed_kmh = {
            {"motorway", 100},  {"motorway_link", 60}, {"trunk", 80},        {"trunk_link", 60},
            {"primary", 70},    {"primary_link", 60},  {"secondary", 60},    {"secondary_link", 40},
            {"tertiary", 40},   {"tertiary_link", 30}, {"unclassified", 30}, {"residential", 25},
            {"living_street", 20}, {"service", 20},    {"road", 25},
            {"expressway", 100}, {"class-1", 80},      {"class-2", 60},      {"class-3", 35},
            {"class-4", 25},    {"高速公路", 100},     {"一级公路", 80},     {"二级公路", 60},
            {"三级公路", 35},   {"四级公路", 25},
        };
        p.source = "JTG B01-2014 design speeds (expressway 80-120, class-1 60-100, class-2 60-80, "
                   "class-3 30-40, class-4 20-30 km/h)";
    } else if (name == "walk") {
        p.mode = travel_mode::walk;
        p.excluded = {"motorway", "motorway_link", "expressway", "高速公路", "construction", "proposed",
                      "abandoned", "raceway", "bus_guideway", "platform", "corridor", "elevator"};
        p.source = "walking 5 km/h";
    } else {
        throw input_error("--profile: unknown profile '" + name + "' (drive or walk)");
    }
    return p;
}

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
