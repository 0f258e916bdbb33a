#pragma once
// Travel profiles: which road lines a mode may use, in which directions, and how fast.
#include "healthreach/geo/roads.hpp"

#include <map>
#include <string>
#include <vector>

namespace healthreach::geo {

enum class travel_mode { drive, walk };

struct profile {
    std::string name;
    travel_mode mode = travel_mode::drive;
    // drive: the routable road classes and their speeds; walk: classes a pedestrian may not use.
    std::map<std::string, double> speed_kmh;
    std::vector<std::string> excluded;
    double walk_speed_kmh = 5.0;
    std::string source;  // where the speeds come from, for provenance
    // drive on a DEM: (largest absolute grade in %, speed factor) by increasing grade; grades above
    // the last class take its factor.
    std::vector<std::pair<double, double>> grade_factors;
    std::string grade_source;
};

// What a profile makes of one road line.
struct line_rule {
    bool routable = false;
    bool forward = false;   // drawing direction open
    bool backward = false;  // against the drawing direction open
    double speed_kmh = 0;
};

// Rules for every line of a road set under a profile.
class profile_rules {
public:
    profile_rules(const profile& p, const road_set& roads);
    line_rule operator()(const road_line& line) const;

private:
    travel_mode mode_;
    double walk_speed_kmh_;
    std::vector<double> class_speed_;  // per road_set class; 0: not routable
};

}  // namespace healthreach::geo
