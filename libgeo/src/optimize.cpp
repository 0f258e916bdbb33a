#include "healthreach/geo/optimize.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/text.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

namespace healthreach::geo {

namespace {

constexpr std::pair<objective, const char*> objective_names[] = {
    {objective::cover_all, "cover-all"}, {objective::max_cover, "max-cover"}, {objective::min_distance, "min-distance"},
    {objective::min_max, "min-max"},     {objective::backup, "backup"},       {objective::expected, "expected"},
    {objective::sub_centres, "sub-centres"}};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool same_types(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> x(a), y(b);
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    return x == y;
}

// The sub-centre model's numbers, all from the standards: the share of township centres that
// become sub-centres (a share_of_type rule over the service's facility types), the sites per county
// (a count_per_unit rule) and the residents a sub-centre radiates (the service's `radiates`).
struct sub_centre_rules {
    double share = 0;
    std::vector<std::string> candidate_types;  // of_types that are not yet sub-centres
    int per_unit_min = 0, per_unit_max = 0;
    std::vector<std::string> unit_kinds;       // empty: every unit
    std::optional<residents_rule> radiates;
};

sub_centre_rules sub_centre_rules_of(const standards& s, const service& svc) {
    sub_centre_rules r;
    const compliance_rule* share = nullptr;
    const compliance_rule* count = nullptr;
    for (const compliance_rule& rule : s.rules) {
        if (!same_types(rule.facility_types, svc.facility_types)) continue;
        if (rule.kind == "share_of_type" && !share) share = &rule;
        if (rule.kind == "count_per_unit" && rule.level == "county" && !count) count = &rule;
    }
    if (!share)
        throw input_error("standards (" + s.origin + "): no share_of_type rule for the " + svc.name +
                          " service's facility types: the sub-centre share is unknown");
    r.share = share->share;
    for (const std::string& t : share->of_types)
        if (std::find(svc.facility_types.begin(), svc.facility_types.end(), t) == svc.facility_types.end())
            r.candidate_types.push_back(t);
    if (count) {
        r.per_unit_min = static_cast<int>(count->min);
        r.per_unit_max = count->max ? static_cast<int>(*count->max) : std::numeric_limits<int>::max();
        r.unit_kinds = count->unit_kinds;
    } else {
        r.per_unit_max = std::numeric_limits<int>::max();
    }
    r.radiates = svc.radiates;
    return r;
}

void check_request(const optimize_request& r) {
    const objective g = r.goal;
    if (g == objective::sub_centres && r.candidates.empty())
        throw input_error("--candidates (the township health centres) is required for sub-centres");
    if (r.candidates.empty() && !(r.candidate_spacing_m > 0))
        throw input_error("--candidates or --candidate-spacing is required");
    if (!r.candidates.empty() && r.candidate_spacing_m > 0)
        throw input_error("--candidates and --candidate-spacing: give one of them, not both");
    const bool n_sites = g == objective::max_cover || g == objective::backup || g == objective::min_distance || g == objective::min_max;
    if (n_sites && r.sites < 0) throw input_error(std::string("--sites is required for ") + objective_name(g));
    if (n_sites && r.sites == 0)
        throw input_error(std::string("--sites 0: ") + objective_name(g) + " needs at least one new site");
    if (g == objective::expected && r.vehicles < 0) throw input_error("--vehicles is required for expected");
    if (g == objective::expected && r.vehicles == 0) throw input_error("--vehicles 0: expected needs at least one new vehicle");
    if (!(r.busy_fraction >= 0) || !(r.busy_fraction < 1))
        throw input_error("--busy-fraction " + std::to_string(r.busy_fraction) + ": must be in [0, 1)");
    if (!(r.target > 0) || r.target > 1)
        throw input_error("--target " + std::to_string(r.target) + ": must be a fraction in (0, 1]");
    if (!(r.time_limit_s > 0)) throw input_error("--time-limit " + std::to_string(r.time_limit_s) + ": must be > 0");
    if (r.exact && r.heuristic) throw input_error("--exact and --heuristic: give one of them, not both");
    if (!r.min_distance_from.empty() && g != objective::sub_centres)
        throw input_error("--min-distance-from applies to sub-centres only");
    if (!r.cost_field.empty() && g != objective::cover_all) throw input_error("--cost-field applies to cover-all only");
    if (!r.cost_field.empty() && r.candidates.empty())
        throw input_error("--cost-field " + r.cost_field + " needs --candidates with that field");
}

// The sub-centre model: eligible township centres, the quota, and what the answer cannot meet.
struct sub_centre_setup {
    std::size_t quota = 0;
    std::vector<int> county;                 // per eligible candidate site: its county-level unit, -1 for none
    std::vector<int> existing_in_unit;       // per admin unit: existing sub-centres (they count towards its 1-3)
    std::vector<std::uint8_t> demand_near_hospital;
};

sub_centre_setup prepare_sub_centres(const analysis& a, const optimize_request& r, const sub_centre_rules& rules,
                                     candidate_set& cand, std::vector<std::string>& unmet, const job_callbacks& cb) {
    sub_centre_setup setup;
    // Existing sub-centres (the service's facilities) count towards the share.
    const double existing = static_cast<double>(a.sites.size());
    const double share = std::ceil(rules.share * (static_cast<double>(cand.sites.size()) + existing) - 1e-9) - existing;
    setup.quota = r.sites >= 0 ? static_cast<std::size_t>(r.sites) : static_cast<std::size_t>(std::max(0.0, share));
    std::vector<double> cx, cy;
    for (std::uint32_t c : cand.candidate_of_site) cx.push_back(cand.x[c]), cy.push_back(cand.y[c]);
    std::vector<std::uint8_t> near(cx.size(), 0);
    if (!r.min_distance_from.empty()) {
        const service& hospital = a.rules.service_named("county-hospital");
        // A sub-centre within its own limit of a county hospital would only repeat it.
        near = within_reach_of_layer(a, r.min_distance_from, *a.svc, cx, cy);
        setup.demand_near_hospital = within_reach_of_layer(a, r.min_distance_from, hospital, a.demand_x, a.demand_y);
    }
    candidate_set eligible = cand;
    eligible.sites.clear();
    eligible.candidate_of_site.clear();
    for (std::size_t s = 0; s < cand.sites.size(); ++s)
        if (!near[s] && !a.urban_centre(cx[s], cy[s])) {
            eligible.sites.push_back(cand.sites[s]);
            eligible.candidate_of_site.push_back(cand.candidate_of_site[s]);
        }
    cb.say("sub-centres: " + std::to_string(cand.sites.size()) + " township centres, " + std::to_string(eligible.sites.size()) +
           " outside urban centres and county hospitals' reach; quota " + std::to_string(setup.quota));
    if (eligible.sites.empty()) throw input_error(r.candidates + ": no township centre is eligible as a sub-centre");
    if (eligible.sites.size() < setup.quota) {
        char share_text[32];
        std::snprintf(share_text, sizeof share_text, "%g %%", 100 * rules.share);
        unmet.push_back(std::string(share_text) + " share: " + std::to_string(setup.quota) + " needed, only " +
                        std::to_string(eligible.sites.size()) + " eligible");
        setup.quota = eligible.sites.size();
    }
    cand = std::move(eligible);
    setup.county.assign(cand.sites.size(), -1);
    setup.existing_in_unit.assign(a.admin ? a.admin->size() : 0, 0);
    for (int u : a.facility_unit)
        if (u >= 0) ++setup.existing_in_unit[u];
    if (a.admin) {
        const polygon_locator units(*a.admin);
        for (std::size_t s = 0; s < cand.sites.size(); ++s)
            setup.county[s] = units.find(cand.x[cand.candidate_of_site[s]], cand.y[cand.candidate_of_site[s]]);
    }
    return setup;
}

bool counts_as_county(const analysis& a, int unit, const sub_centre_rules& rules) {
    if (rules.unit_kinds.empty()) return true;
    return std::find(rules.unit_kinds.begin(), rules.unit_kinds.end(), a.admin->kind[unit]) != rules.unit_kinds.end();
}

// "Radiates 100,000 residents": the township's own people where township polygons are given
// (the --admin file's townships layer, Changzhi 2023), else the people within the limit (Ganzhou).
void check_sub_centres(const analysis& a, const candidate_set& cand, const opt::coverage_matrix& m,
                       const std::vector<std::uint32_t>& chosen, const sub_centre_setup& setup,
                       const sub_centre_rules& rules, std::vector<double>& served, std::vector<std::string>& unmet) {
    std::optional<polygon_set> towns;
    if (a.admin) {
        const analysis_options& o = a.options;
        dataset_ptr ds = open_vector(o.admin);
        if (ds->GetLayerByName("townships") && a.admin->layer != "townships")
            towns.emplace(read_polygons(o.admin, a.crs, "townships", o.admin_field));
    }
    std::vector<double> town_people;
    std::optional<polygon_locator> town_at;
    if (towns) {
        town_at.emplace(*towns);
        town_people.assign(towns->size(), 0.0);
        for (std::size_t d = 0; d < a.demand_pop.size(); ++d)
            if (const int t = town_at->find(a.demand_x[d], a.demand_y[d]); t >= 0) town_people[t] += a.demand_pop[d];
    }
    for (std::uint32_t s : chosen) {
        const std::uint32_t c = cand.candidate_of_site[s];
        double people = 0;
        for (opt::coverage_matrix::sparse::InnerIterator it(m.cost, s); it; ++it) people += m.population[it.row()];
        served.push_back(people);
        if (!rules.radiates) continue;
        const int t = town_at ? town_at->find(cand.x[c], cand.y[c]) : -1;
        const double radiates = t >= 0 ? town_people[t] : people;
        if (radiates < rules.radiates->residents) {
            const std::string limit = format_number(rules.radiates->residents);
            unmet.push_back(cand.id[c] + (t >= 0 ? " (township " + towns->name[t] + ")" : std::string()) + ": " +
                            std::to_string(static_cast<long long>(radiates)) +
                            (t >= 0 ? " residents" : " people within its limit") + ", under " + limit);
        }
    }
    if (a.admin)
        for (std::size_t u = 0; u < a.admin->size(); ++u) {
            if (!counts_as_county(a, static_cast<int>(u), rules)) continue;  // sub-centres are the counties' (not city districts')
            const bool has = std::find(setup.county.begin(), setup.county.end(), static_cast<int>(u)) != setup.county.end();
            if (!has && rules.per_unit_min > setup.existing_in_unit[u])
                unmet.push_back(a.admin->name[u] + ": no eligible township centre (" + std::to_string(rules.per_unit_min) + "-" +
                                (rules.per_unit_max == std::numeric_limits<int>::max() ? std::string("any")
                                                                                       : std::to_string(rules.per_unit_max)) +
                                " sub-centres per county)");
        }
}

// People each capacitated candidate can serve: the field, or units x the ratio for the units field.
std::vector<double> candidate_capacities(const analysis& a, const candidate_set& cand, const std::string& path) {
    const std::string& field = a.options.capacity_field;
    if (!cand.numbers.count(field)) throw input_error(path + ": no field '" + field + "' for candidate capacities");
    const double per_unit = field == a.svc->units_field && a.svc->ratio ? a.svc->ratio->residents_per_unit : 1.0;
    std::vector<double> cap;
    for (std::uint32_t c : cand.candidate_of_site) {
        const auto& v = cand.numbers.at(field)[c];
        if (!v || !std::isfinite(*v) || *v < 0)
            throw input_error(path + ": field '" + field + "' of candidate " + cand.id[c] + " is empty, negative or not finite");
        cap.push_back(*v * per_unit);
    }
    return cap;
}

// Cover-all's site costs: the candidates' field, a number >= 0 for every candidate on the network.
std::vector<double> candidate_costs(const candidate_set& cand, const std::string& field, const std::string& path) {
    if (!cand.numbers.count(field)) throw input_error(path + ": no field '" + field + "' for the candidates' costs");
    std::vector<double> cost;
    for (std::uint32_t c : cand.candidate_of_site) {
        const auto& v = cand.numbers.at(field)[c];
        if (!v || !std::isfinite(*v) || *v < 0)
            throw input_error(path + ": field '" + field + "' of candidate " + cand.id[c] +
                              " is empty, negative or not finite (site costs are numbers >= 0)");
        cost.push_back(*v);
    }
    return cost;
}

}  // namespace

std::vector<double> units_of_new_sites(const analysis& a, const candidate_set& cand, const std::vector<std::uint32_t>& chosen) {
    if (!a.svc->ratio) return {};
    std::vector<site> open(a.sites);
    for (std::uint32_t s : chosen) open.push_back(cand.sites[s]);
    const nearest_result near = nearest_sites(a.built.net, *a.route, *a.demand, open);
    std::vector<double> catchment(open.size(), 0.0);
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d)
        if (near.site[d] != invalid_id && a.status[d] != demand_status::not_applicable) catchment[near.site[d]] += a.demand_pop[d];
    std::vector<double> units;
    for (std::size_t k = 0; k < chosen.size(); ++k) units.push_back(a.units_required(catchment[a.sites.size() + k]));
    return units;
}

objective parse_objective(const std::string& name) {
    std::string names;
    for (const auto& [o, n] : objective_names) {
        if (name == n) return o;
        names += (names.empty() ? "" : ", ") + std::string(n);
    }
    throw input_error("--objective: unknown objective '" + name + "' (" + names + ")");
}

const char* objective_name(objective o) {
    for (const auto& [k, n] : objective_names)
        if (k == o) return n;
    return "";
}

optimize_result run_optimize(const optimize_request& r, const job_callbacks& cb) {
    check_request(r);
    const objective goal = r.goal;
    const bool by_cost = goal == objective::min_distance || goal == objective::min_max;
    const bool sub = goal == objective::sub_centres;
    optimize_result out;
    out.goal = goal;

    // The analysis is most of a run's time before the solve; its phases fill the first 60 %.
    job_callbacks analysis_cb = cb;
    if (cb.progress) analysis_cb.progress = [&cb](const std::string& phase, double done) { return cb.progress(phase, 0.6 * done); };
    out.a = run_analysis(r.analysis, analysis_cb);
    const analysis& a = *out.a;  // its warnings gain the candidates' below
    cb.advance("candidates", 0.6);

    std::optional<sub_centre_rules> rules;
    if (sub) rules = sub_centre_rules_of(a.rules, *a.svc);
    const std::string& capacity_field = r.analysis.capacity_field;
    const bool capacitated = goal == objective::max_cover && !capacity_field.empty();
    if (capacitated && r.candidates.empty())
        throw input_error("capacitated max-cover (--capacity-field) needs --candidates with a '" + capacity_field + "' field");
    point_options candidate_fields = a.options.facility_fields;  // the type map with the standards' entries
    candidate_fields.layer = r.candidates_layer;
    candidate_fields.layer_option = "--candidates-layer";
    if (capacitated) candidate_fields.numeric_fields.push_back(capacity_field);
    if (!r.cost_field.empty()) candidate_fields.numeric_fields.push_back(r.cost_field);
    candidate_set cand = r.candidates.empty() ? candidates_on_spacing(a, r.candidate_spacing_m)
                                              : candidates_from_points(a, r.candidates, candidate_fields,
                                                                       sub ? rules->candidate_types : std::vector<std::string>{});
    out.a->warnings.insert(out.a->warnings.end(), cand.warnings.begin(), cand.warnings.end());
    if (cand.input) out.a->inputs.push_back(*cand.input);
    sub_centre_setup setup;
    if (sub) setup = prepare_sub_centres(a, r, *rules, cand, out.rules_unmet, cb);
    // Vehicles may also go to existing stations: they become columns too, holding their own.
    std::size_t existing_from = cand.sites.size();
    out.candidates = existing_from;
    out.candidates_off_network = cand.off_network;
    if (goal == objective::expected) cand = with_existing_sites(a, std::move(cand), existing_from);
    const bool n_sites = goal == objective::max_cover || goal == objective::backup || by_cost;
    if (n_sites && static_cast<std::size_t>(r.sites) > cand.sites.size())
        throw input_error("--sites " + std::to_string(r.sites) + ": only " + std::to_string(cand.sites.size()) +
                          " candidates lie on the network");

    const auto matrix_start = std::chrono::steady_clock::now();
    cb.advance("matrix", 0.65);
    // Max-cover and cover-all look only at people no existing facility covers: on a raster populated
    // everywhere the pairs over covered demand would be most of the matrix.
    const bool uncovered_only = (goal == objective::max_cover && !capacitated) || goal == objective::cover_all;
    opt::coverage_matrix m = candidate_matrix(a, cand, uncovered_only);
    // Sub-centres are credited only with people beyond their county hospital's limit.
    for (std::size_t d = 0; d < setup.demand_near_hospital.size(); ++d)
        if (setup.demand_near_hospital[d]) m.population[d] = 0;
    cb.say("coverage matrix: " + std::to_string(m.candidate_count()) + " candidates x " + std::to_string(m.demand_count()) +
           " demand points, " + std::to_string(static_cast<std::size_t>(m.cost.nonZeros())) + " pairs");
    // min-distance and min-max need every cost that beats a point's existing one, not just those within limits.
    std::vector<double> existing_cost;
    opt::coverage_matrix costs;
    if (by_cost) {
        costs = candidate_cost_matrix(a, cand, existing_cost);
        cb.say("cost matrix: " + std::to_string(static_cast<std::size_t>(costs.cost.nonZeros())) +
               " pairs beating the existing facilities");
    }
    out.matrix_s = seconds_since(matrix_start);
    out.covered_existing = m.existing_population();
    out.coverable = m.coverable_population();

    opt::siting_options so;
    so.sites = r.sites;
    so.target = r.target;
    so.exact = r.exact;
    if (r.heuristic) {
        so.exact_below = 0;
        so.polish_above_gap = std::numeric_limits<double>::infinity();
    }
    so.time_limit_s = r.time_limit_s;
    so.progress = cb.message;
    so.vehicles = r.vehicles;
    so.busy_fraction = r.busy_fraction;
    so.threads = a.options.threads;
    cb.advance("solve", 0.75);
    const auto solve_start = std::chrono::steady_clock::now();
    opt::siting_result& res = out.solution;
    std::vector<double> served;
    if (capacitated) {
        const std::vector<double> cap = candidate_capacities(a, cand, r.candidates);
        opt::allocation_problem existing;
        existing.demand = m.population;
        for (std::size_t s = 0; s < a.sites.size(); ++s) {
            existing.capacity.push_back(a.capacity[a.facility_of_site[s]]);
            for (const reached_point& p : a.within[s]) existing.arcs.push_back({static_cast<std::uint32_t>(s), p.point, p.cost});
        }
        res = opt::capacitated_max_cover(m, cap, existing, so);
    } else if (goal == objective::max_cover) {
        res = opt::max_cover(m, so);
    } else if (sub) {
        std::vector<int> groups = setup.county;
        for (int& g : groups)
            if (g >= 0 && !counts_as_county(a, g, *rules)) g = -1;
        // A county's existing sub-centres count towards its 1-3.
        const std::size_t units = setup.existing_in_unit.size();
        const std::vector<int>& existing = setup.existing_in_unit;
        std::vector<int> group_min(units), group_max(units);
        for (std::size_t u = 0; u < units; ++u) {
            group_min[u] = std::max(0, rules->per_unit_min - existing[u]);
            group_max[u] = rules->per_unit_max == std::numeric_limits<int>::max()
                               ? rules->per_unit_max
                               : std::max(0, rules->per_unit_max - existing[u]);
        }
        so.sites = static_cast<int>(setup.quota);
        res = opt::sub_centres(m, groups, group_min, group_max, so);
        check_sub_centres(a, cand, m, res.selected, setup, *rules, served, out.rules_unmet);
    } else if (goal == objective::backup) {
        std::vector<std::uint8_t> existing(a.demand_pop.size(), 0);
        for (const auto& list : a.within)
            for (const reached_point& p : list) existing[p.point] = static_cast<std::uint8_t>(std::min(2, existing[p.point] + 1));
        res = opt::backup_cover(m, existing, so);
    } else if (by_cost) {
        res = goal == objective::min_distance ? opt::min_distance(costs, existing_cost, so) : opt::min_max(costs, existing_cost, so);
        res.covered = opt::covered_population(m, res.selected);
    } else if (goal == objective::cover_all) {
        if (!r.cost_field.empty()) so.site_cost = candidate_costs(cand, r.cost_field, r.candidates);
        res = opt::cover_all(m, so);
    } else {
        std::vector<double> base(cand.sites.size(), 0.0);
        for (std::size_t s = existing_from; s < cand.sites.size(); ++s) base[s] = a.units_present[a.facility_of_site[s - existing_from]];
        res = opt::expected_cover(m, base, so);
        std::vector<std::uint32_t> new_sites;
        for (std::uint32_t s : res.selected)
            if (s < existing_from) new_sites.push_back(s);
        res.covered = opt::covered_population(m, new_sites);
    }
    out.solve_s = seconds_since(solve_start);
    cb.advance("units", 0.95);

    std::vector<std::uint8_t> gained(m.demand_count(), 0);
    for (std::uint32_t s : res.selected) {
        if (s >= existing_from) continue;  // expected: vehicles added to an existing station
        for (opt::coverage_matrix::sparse::InnerIterator it(m.cost, s); it; ++it)
            if (!m.covered_by_existing[static_cast<std::size_t>(it.row())]) gained[static_cast<std::size_t>(it.row())] = 1;
    }
    for (std::size_t d = 0; d < gained.size(); ++d)
        if (gained[d]) out.newly_covered.push_back(static_cast<std::uint32_t>(d));

    out.selected = ranked_sites(a, cand, res, out.covered_existing);
    for (std::size_t k = 0; k < out.selected.size(); ++k) {
        proposed_site& p = out.selected[k];
        if (!res.vehicles.empty()) {
            p.vehicles = res.vehicles[k];
            p.existing = res.selected[k] >= existing_from;
        }
        if (!served.empty()) p.served = served[k];
    }
    return out;
}

std::vector<proposed_site> ranked_sites(const analysis& a, const candidate_set& cand, const opt::siting_result& res,
                                        double covered_existing) {
    const std::vector<double> units = units_of_new_sites(a, cand, res.selected);
    std::vector<proposed_site> out;
    double cumulative = covered_existing;
    for (std::size_t k = 0; k < res.selected.size(); ++k) {
        const std::uint32_t c = cand.candidate_of_site[res.selected[k]];
        proposed_site p;
        p.id = cand.id[c];
        p.name = cand.name[c];
        p.x = cand.x[c];
        p.y = cand.y[c];
        p.gain = res.gain[k];
        cumulative += res.gain[k];
        p.cumulative_covered = cumulative;
        if (!units.empty() && units[k] >= 0) p.units_required = units[k];
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace healthreach::geo
