#include "healthreach/geo/coverage_breakdown.hpp"

#include "healthreach/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace healthreach::geo {

namespace {

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

void check_cost_bands(const std::vector<double>& bands) {
    for (std::size_t k = 0; k < bands.size(); ++k) {
        if (!std::isfinite(bands[k]) || bands[k] <= 0)
            throw input_error("--bands: " + number_text(bands[k]) + " is not a positive number (bands are upper edges of costs, in metres or seconds)");
        if (k > 0 && bands[k] <= bands[k - 1])
            throw input_error("--bands: " + number_text(bands[k]) + " follows " + number_text(bands[k - 1]) +
                              ": bands must be strictly ascending");
    }
}

std::vector<double> parse_cost_bands(const std::string& text) {
    std::vector<double> bands;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
        item = first == std::string::npos ? std::string() : item.substr(first, last - first + 1);
        double v = 0;
        std::size_t used = 0;
        try {
            v = std::stod(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (item.empty() || used != item.size())
            throw input_error("--bands: '" + item + "' is not a number (in '" + text + "'; e.g. --bands 2500,5000,10000)");
        bands.push_back(v);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    check_cost_bands(bands);
    return bands;
}

std::vector<population_group_request> parse_population_groups(const std::vector<std::string>& specs) {
    std::vector<population_group_request> out;
    std::set<std::string> names;
    for (const std::string& spec : specs) {
        const std::size_t eq = spec.find('=');
        if (eq == std::string::npos)
            throw input_error("--population-group: '" + spec + "' has no '=' (NAME=RASTER, e.g. elderly=age65plus.tif)");
        population_group_request g{spec.substr(0, eq), spec.substr(eq + 1)};
        if (g.name.empty()) throw input_error("--population-group: '" + spec + "' has no name before '='");
        if (g.raster.empty()) throw input_error("--population-group: '" + spec + "' has no raster after '='");
        if (!names.insert(g.name).second) throw input_error("--population-group: the name '" + g.name + "' is given twice");
        out.push_back(std::move(g));
    }
    return out;
}

bool in_cost_band(const analysis& a, std::size_t d, double edge) {
    const demand_status s = a.status[d];
    return (s == demand_status::covered || s == demand_status::uncovered) && a.nearest.site[d] != invalid_id &&
           a.nearest.cost[d] <= edge;
}

std::vector<breakdown> breakdown_by_unit(const analysis& a) {
    const std::size_t units = a.admin ? a.admin->size() : 0;
    const std::vector<double>& edges = a.options.bands;
    std::vector<breakdown> out(units + 2, breakdown{std::vector<double>(edges.size(), 0.0),
                                                    std::vector<population_split>(a.groups.size())});
    auto slot = [&](const std::vector<int>& unit, std::size_t d) {
        const int u = unit.empty() ? -1 : unit[d];
        return u >= 0 ? static_cast<std::size_t>(u) : units;
    };
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        const std::size_t u = slot(a.demand_unit, d);
        for (std::size_t k = 0; k < edges.size(); ++k)
            if (in_cost_band(a, d, edges[k])) {
                out[u].band_people[k] += a.demand_pop[d];
                out[units + 1].band_people[k] += a.demand_pop[d];
            }
    }
    for (std::size_t g = 0; g < a.groups.size(); ++g) {
        const analysis::population_group& grp = a.groups[g];
        for (std::size_t d = 0; d < grp.pop.size(); ++d) {
            out[slot(grp.unit, d)].groups[g].add(grp.status[d], grp.pop[d]);
            out[units + 1].groups[g].add(grp.status[d], grp.pop[d]);
        }
    }
    return out;
}

std::vector<std::size_t> facilities_by_criticality(const analysis& a) {
    std::vector<std::size_t> order(a.facilities.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        if (a.pop_sole[x] != a.pop_sole[y]) return a.pop_sole[x] > a.pop_sole[y];
        return a.pop_within_limit[x] > a.pop_within_limit[y];
    });
    return order;
}

}  // namespace healthreach::geo
