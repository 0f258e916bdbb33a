#pragma once
// The planning standards: services with their limits per area class, facility types, ratio rules,
// travel profiles and urbanisation thresholds, from the built-in TOML file and a user override.
#include "healthreach/geo/profile.hpp"
#include "healthreach/geo/reach.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo {

enum class area_class : std::uint8_t { urban = 0, rural = 1 };
const char* area_class_name(area_class c);

struct limit_rule {
    std::optional<double> value;  // absent: the plans set no limit (not applicable)
    std::string source;
    std::optional<std::pair<double, double>> range;  // the plans' range, where they give one
};

struct ratio_rule {
    double residents_per_unit = 0;
    std::string source;
    std::optional<double> alternative_residents_per_unit;
    std::string alternative_source;
};

struct service {
    std::string name, description;
    metric cost_metric = metric::length;
    std::string profile;
    std::vector<std::string> facility_types;
    std::string units_field;  // facility field counting units (ambulances), or ""
    limit_rule urban, rural;
    std::optional<ratio_rule> ratio;

    const limit_rule& limit(area_class c) const { return c == area_class::urban ? urban : rural; }
};

struct urbanisation_rules {
    double cell_m = 1000, centre_density = 1500, centre_population = 50000;
    int centre_gap_fill = 5;
    double cluster_density = 300, cluster_population = 5000;
    std::string source;
};

struct standards {
    std::string origin;  // "built-in" or "built-in + FILE"
    std::map<std::string, profile> profiles;
    urbanisation_rules urbanisation;
    double off_network_speed_kmh = 5;
    std::map<std::string, service> services;

    // input_error listing the known names when there is no such service or profile.
    const service& service_named(const std::string& name) const;
    const profile& profile_named(const std::string& name) const;
};

// The built-in standards, overridden by `user_file` when it is not empty. input_error naming the
// file and the key for unknown keys, wrong types and out-of-range values.
standards load_standards(const std::string& user_file = "");

// The text of the built-in standards file.
const char* builtin_standards_toml();

}  // namespace healthreach::geo
