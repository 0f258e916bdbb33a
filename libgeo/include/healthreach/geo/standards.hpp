#pragma once
// The planning standards: services with their limits per area class, facility types, ratio rules,
// travel profiles and urbanisation thresholds, from the built-in TOML file and a user override.
#include "healthreach/geo/profile.hpp"
#include "healthreach/geo/reach.hpp"
#include "healthreach/geo/urbanisation.hpp"
#include "healthreach/geo/vocabulary.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace healthreach::geo {

struct limit_rule {
    std::optional<double> value;  // absent: the plans set no limit (not applicable)
    std::string source;
    std::optional<std::pair<double, double>> range;  // the plans' range, where they give one (--rural-limit is checked against it)
};

struct ratio_rule {
    double residents_per_unit = 0;
    std::string source;
};

// People a facility must serve to qualify (a sub-centre "radiates" 100,000 residents).
struct residents_rule {
    double residents = 0;
    std::string source;
};

struct service {
    std::string name, description;
    metric cost_metric = metric::length;
    direction cost_direction = direction::to_facility;  // people travel to it unless it is dispatched
    std::string profile;
    std::vector<std::string> facility_types;
    std::string units_field;  // facility field counting units (ambulances), or ""
    limit_rule urban, rural;
    std::optional<ratio_rule> ratio;
    std::optional<residents_rule> radiates;

    const limit_rule& limit(area_class c) const { return c == area_class::urban ? urban : rural; }
};

// A count or ratio rule per admin unit (see the [[rules]] of the built-in file for the kinds).
struct compliance_rule {
    std::string id, description, source, kind, level = "county";
    std::vector<std::string> unit_kinds, facility_types, of_types, categories;
    std::string field, population = "total", clinic_field;
    double min = 1, residents = 0, per_1000 = 0, share = 0, min_population = 0, match_m = 500, merge_below = 0,
           clinic_min = 0;
    std::optional<double> max;
    std::map<std::string, double> targets;             // per unit name
    std::vector<std::pair<double, double>> bands;      // (population up to, required)
};

struct standards {
    std::string origin;  // "built-in" or "built-in + FILE"
    std::map<std::string, profile> profiles;
    urbanisation_rules urbanisation;
    double off_network_speed_kmh = 5;
    std::map<std::string, service> services;
    std::vector<compliance_rule> rules;  // a user rule with a built-in rule's id replaces it
    // [facility_types]: a facility layer's own type names -> the standards' types (empty built in).
    type_map facility_type_map;

    // input_error listing the known names when there is no such service or profile.
    const service& service_named(const std::string& name) const;
    const profile& profile_named(const std::string& name) const;
    // Every facility type a service or rule names.
    std::set<std::string> known_facility_types() const;
    // The type map a run uses: `user`'s entries (--type-map), then those of [facility_types] whose
    // key `user` does not map. input_error naming `option` and the entry when a user entry maps to
    // a type no service or rule knows.
    type_map merged_type_map(const type_map& user, const std::string& option = "--type-map") const;
};

// The built-in standards, overridden by `user_file` when it is not empty. input_error naming the
// file and the key for unknown keys, wrong types and out-of-range values.
standards load_standards(const std::string& user_file = "");
// The built-in standards overridden by the TOML text of a user file; `origin` names it in messages
// (load_standards passes the file name).
standards parse_standards(const std::string& text, const std::string& origin);

// The text of the built-in standards file.
const char* builtin_standards_toml();

}  // namespace healthreach::geo
