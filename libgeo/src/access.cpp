#include "healthreach/geo/access.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace healthreach::geo {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The supply of every facility the run will use (those of the service's types, as the analysis
// picks them), checked before the network is built: a missing field, an empty value, text that is no
// number, a negative or non-finite one is bad input naming the facility (read as text, so that the
// message names the facility rather than a feature number).
void check_supply_field(const access_request& r) {
    const analysis_options& o = r.analysis;
    const standards rules = load_standards(o.standards_file);
    const service& svc = rules.service_named(o.service);
    point_options fields = o.facility_fields;
    fields.types = rules.merged_type_map(o.facility_fields.types);
    fields.text_fields = {r.supply_field};
    OGRSpatialReference lonlat;
    lonlat.importFromEPSG(4326);
    const point_set pts = read_points(o.facilities, traditional(lonlat), fields);
    const std::string where = o.facilities + " layer " + pts.layer;
    if (!pts.texts.count(r.supply_field)) {
        std::string names;
        for (const std::string& n : pts.field_names) names += (names.empty() ? "" : ", ") + n;
        throw input_error(where + ": no supply field '" + r.supply_field + "' (--supply-field; fields: " +
                          (names.empty() ? "none" : names) + ")");
    }
    const auto& values = pts.texts.at(r.supply_field);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const bool used = !pts.has_type || o.all_facilities ||
                          std::find(svc.facility_types.begin(), svc.facility_types.end(), pts.type[i]) != svc.facility_types.end();
        if (!used) continue;
        const std::string facility = "facility " + pts.id[i] + (pts.name[i].empty() ? "" : " (" + pts.name[i] + ")");
        const std::string prefix = where + ": supply field '" + r.supply_field + "' of " + facility;
        const std::string& text = values[i];
        const auto first = text.find_first_not_of(" \t\r\n");
        if (first == std::string::npos) throw input_error(prefix + " is empty");
        const std::string value = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        if (end == value.c_str() || *end != '\0') throw input_error(prefix + " is not a number: '" + value + "'");
        if (!std::isfinite(v) || v < 0) throw input_error(prefix + " is " + value + "; supply must be a number >= 0");
    }
}

access_summary& unit_of(std::vector<access_summary>& units, const analysis& a, std::size_t d) {
    const int u = a.demand_unit[d];
    return units[u >= 0 ? static_cast<std::size_t>(u) : units.size() - 1];
}

}  // namespace

access_decay parse_access_decay(const std::string& text) {
    if (text == "step") return access_decay::step;
    if (text == "gaussian") return access_decay::gaussian;
    throw input_error("--decay: unknown value '" + text + "' (step or gaussian)");
}

const char* access_decay_name(access_decay d) { return d == access_decay::step ? "step" : "gaussian"; }

double access_weight(access_decay decay, double d, double d0) {
    if (decay == access_decay::step) return 1;
    static const double edge = std::exp(-0.5);
    const double x = d / d0;
    return (std::exp(-0.5 * x * x) - edge) / (1 - edge);
}

double access_summary::share_below_half_mean() const { return population > 0 ? below_half_mean / population : nan; }

access_result run_access(const access_request& request, const job_callbacks& callbacks) {
    if (request.analysis.facilities.empty()) throw input_error("access: --facilities is required");
    if (!request.supply_field.empty()) check_supply_field(request);
    analysis_options options = request.analysis;
    if (!request.supply_field.empty()) options.facility_fields.numeric_fields.push_back(request.supply_field);
    access_result out;
    out.a = run_analysis(options, callbacks);
    callbacks.advance("access", 0.97);
    const auto started = std::chrono::steady_clock::now();
    analysis& a = *out.a;
    out.supply_field = request.supply_field;
    out.decay = request.decay;
    const access_decay decay = request.decay;

    const std::size_t nf = a.facilities.size();
    out.supply.assign(nf, 1.0);
    if (!request.supply_field.empty()) {
        const auto& values = a.facilities.numbers.at(request.supply_field);
        for (std::size_t f = 0; f < nf; ++f) out.supply[f] = *values[f];  // checked above
    }
    for (double s : out.supply) out.supply_total += s;

    // Step 1: each facility's supply over the people weighing on it, within each person's own limit.
    out.weighted_demand.assign(nf, 0.0);
    out.ratio.assign(nf, nan);
    std::vector<double> ratio_of_site(a.sites.size(), nan);
    std::string without;
    for (std::size_t s = 0; s < a.sites.size(); ++s) {
        const std::size_t f = a.facility_of_site[s];
        double w = 0;
        for (const reached_point& r : a.within[s])
            w += a.demand_pop[r.point] * access_weight(decay, r.cost, a.limit_of(a.demand_class[r.point]));
        out.weighted_demand[f] = w;
        if (w > 0) {
            ratio_of_site[s] = out.supply[f] / w;
            out.ratio[f] = 1000 * ratio_of_site[s];
            out.supply_reaching_people += out.supply[f];
        } else if (++out.facilities_without_demand <= 5) {
            without += (without.empty() ? "" : ", ") + a.facilities.id[f];
        }
    }
    if (out.facilities_without_demand)
        a.warnings.push_back(std::to_string(out.facilities_without_demand) + " facilities on the network have nobody within the " +
                             a.svc->name + " limits (" + without + (out.facilities_without_demand > 5 ? ", ..." : "") +
                             "): their supply ratio is undefined (null) and their supply counts for no one's score");

    // Step 2: each point's sum of the ratios it reaches, weighted alike. Points off the network or
    // in a class without a limit have no score; points reaching no facility score 0.
    auto scores = [&](const network_points& pts, const std::vector<area_class>& cls,
                      const std::vector<std::vector<reached_point>>& within) {
        std::vector<double> score(pts.size());
        for (std::uint32_t p = 0; p < pts.size(); ++p)
            score[p] = pts.on_network(p) && a.limit_of(cls[p]) != no_limit ? 0.0 : nan;
        for (std::size_t s = 0; s < a.sites.size(); ++s) {
            if (!(ratio_of_site[s] > 0)) continue;
            for (const reached_point& r : within[s])
                score[r.point] += ratio_of_site[s] * access_weight(decay, r.cost, a.limit_of(cls[r.point]));
        }
        for (double& v : score) v *= 1000;
        return score;
    };
    out.score = scores(*a.demand, a.demand_class, a.within);
    if (a.cells) out.cell_score = scores(*a.cells, a.cell_class, a.cells_within);

    // Summaries: the region's mean first, then who falls below half of it.
    out.total.name = "total";
    double weighted = 0;
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        if (a.status[d] == demand_status::off_network) out.population_off_network += a.demand_pop[d];
        if (a.status[d] == demand_status::not_applicable) out.population_not_applicable += a.demand_pop[d];
        if (std::isnan(out.score[d])) continue;
        out.total.population += a.demand_pop[d];
        weighted += a.demand_pop[d] * out.score[d];
    }
    out.total.mean = out.total.population > 0 ? weighted / out.total.population : nan;
    const double half = out.total.mean / 2;
    if (a.admin) {
        out.by_admin.resize(a.admin->size() + 1);
        for (std::size_t u = 0; u < a.admin->size(); ++u) out.by_admin[u].name = a.admin->name[u];
        out.by_admin.back().name = "(outside every unit)";
    }
    std::vector<double> unit_weighted(out.by_admin.size(), 0.0);
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        const double v = out.score[d];
        if (std::isnan(v)) continue;
        const double people = a.demand_pop[d];
        const bool below = v < half, none = v == 0;
        out.total.below_half_mean += below ? people : 0;
        out.total.no_access += none ? people : 0;
        if (!a.admin) continue;
        access_summary& u = unit_of(out.by_admin, a, d);
        u.population += people;
        unit_weighted[&u - out.by_admin.data()] += people * v;
        u.below_half_mean += below ? people : 0;
        u.no_access += none ? people : 0;
    }
    for (std::size_t u = 0; u < out.by_admin.size(); ++u)
        out.by_admin[u].mean = out.by_admin[u].population > 0 ? unit_weighted[u] / out.by_admin[u].population : nan;
    if (a.admin && out.by_admin.back().population == 0) out.by_admin.pop_back();
    a.phases.push_back({"access", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
    return out;
}

}  // namespace healthreach::geo
