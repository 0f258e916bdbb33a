// healthreach optimize: propose new sites (existing facilities stay open).
#include "cli.hpp"

#include "healthreach/geo/candidates.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/qgis_style.hpp"
#include "healthreach/opt/siting.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace healthreach::cli {

command_runner add_optimize_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("optimize", "Propose new sites: cover-all or max-cover (existing facilities stay open)");
    struct options {
        analysis_cli analysis;
        std::string candidates, objective;
        double spacing = 0;
        std::string min_distance_from;
        int sites = -1;
        int vehicles = -1;
        double busy_fraction = 0.3;
        double target = 1.0;
        bool exact = false, heuristic = false;
        double time_limit = 60;
    };
    auto o = std::make_shared<options>();
    add_analysis_options(*cmd, o->analysis, false);
    auto* cand = cmd->add_option("--candidates", o->candidates, "Candidate sites: OGR point layer or CSV with lon/lat");
    cmd->add_option("--candidate-spacing", o->spacing, "Candidates: network nodes every M metres in and near populated areas")
        ->excludes(cand);
    cmd->add_option("--objective", o->objective,
                    "cover-all | max-cover | min-distance | min-max | backup | expected | sub-centres")
        ->required();
    cmd->add_option("--sites", o->sites, "max-cover: number of new sites");
    cmd->add_option("--target", o->target, "cover-all: fraction of the coverable population (default 1)");
    cmd->add_option("--vehicles", o->vehicles, "expected: new vehicles to place (candidates or existing stations)");
    cmd->add_option("--busy-fraction", o->busy_fraction, "expected: probability that a vehicle is busy (default 0.3)");
    cmd->add_option("--min-distance-from", o->min_distance_from,
                    "sub-centres: county hospitals; no sub-centre within, and no credit for people within, their limit");
    auto* exact = cmd->add_flag("--exact", o->exact, "Solve the MILP with CBC (always under --time-limit)");
    cmd->add_flag("--heuristic", o->heuristic, "Greedy and local search only, never the MILP (for comparisons)")
        ->excludes(exact);
    cmd->add_option("--time-limit", o->time_limit, "Seconds for an exact solve (default 60)")->check(positive);

    return [o]() {
        const logger log(o->analysis.common.quiet);
        stopwatch total;
        const std::string& objective = o->objective;
        const bool by_cost = objective == "min-distance" || objective == "min-max";
        const bool sub = objective == "sub-centres";
        if (objective != "cover-all" && objective != "max-cover" && objective != "expected" && objective != "backup" && !by_cost && !sub)
            throw input_error("--objective: unknown objective '" + objective + "'");
        if (sub && o->candidates.empty()) throw input_error("--candidates (the township health centres) is required for sub-centres");
        if (o->candidates.empty() && !(o->spacing > 0)) throw input_error("--candidates or --candidate-spacing is required");
        const bool n_sites = objective == "max-cover" || objective == "backup" || by_cost;
        if (n_sites && o->sites < 0)
            throw input_error("--sites is required for " + objective);
        if (objective == "expected" && o->vehicles < 0) throw input_error("--vehicles is required for expected");
        if (!(o->busy_fraction >= 0) || !(o->busy_fraction < 1))
            throw input_error("--busy-fraction " + std::to_string(o->busy_fraction) + ": must be in [0, 1)");
        if (!(o->target > 0) || o->target > 1)
            throw input_error("--target " + std::to_string(o->target) + ": must be a fraction in (0, 1]");
        finish_analysis_options(o->analysis);
        const auto a = run_analysis_logged(o->analysis, log);
        const std::vector<std::string> types = sub ? std::vector<std::string>{"township-centre"} : std::vector<std::string>{};
        const std::string& capacity_field = o->analysis.analysis.capacity_field;
        const bool capacitated = objective == "max-cover" && !capacity_field.empty();
        if (capacitated && o->candidates.empty())
            throw input_error("capacitated max-cover (--capacity-field) needs --candidates with a '" + capacity_field + "' field");
        geo::point_options candidate_fields = o->analysis.analysis.facility_fields;
        if (capacitated) candidate_fields.numeric_fields.push_back(capacity_field);
        geo::candidate_set cand = o->candidates.empty()
                                      ? geo::candidates_on_spacing(*a, o->spacing)
                                      : geo::candidates_from_points(*a, o->candidates, candidate_fields, types);
        std::vector<std::string> rules_unmet;
        std::size_t sub_quota = 0;
        std::vector<std::uint8_t> demand_near_hospital;
        if (sub) {
            // 15 % of the township centres (Changzhi 2026-2028), unless --sites says otherwise; none in an
            // urban centre or within the sub-centre limit of a county hospital.
            // Existing sub-centres (the service's facilities) count towards the share.
            const double existing = static_cast<double>(a->sites.size());
            const double share = std::ceil(0.15 * (static_cast<double>(cand.sites.size()) + existing) - 1e-9) - existing;
            sub_quota = o->sites >= 0 ? static_cast<std::size_t>(o->sites) : static_cast<std::size_t>(std::max(0.0, share));
            std::vector<double> cx, cy;
            for (std::uint32_t c : cand.candidate_of_site) cx.push_back(cand.x[c]), cy.push_back(cand.y[c]);
            std::vector<std::uint8_t> near(cx.size(), 0);
            if (!o->min_distance_from.empty()) {
                const geo::service& hospital = a->rules.service_named("county-hospital");
                // A sub-centre within its own limit of a county hospital would only repeat it.
                near = geo::within_reach_of_layer(*a, o->min_distance_from, *a->svc, cx, cy);
                demand_near_hospital = geo::within_reach_of_layer(*a, o->min_distance_from, hospital, a->demand_x, a->demand_y);
            }
            geo::candidate_set eligible = cand;
            eligible.sites.clear();
            eligible.candidate_of_site.clear();
            for (std::size_t s = 0; s < cand.sites.size(); ++s)
                if (!near[s] && !a->urban_centre(cx[s], cy[s])) {
                    eligible.sites.push_back(cand.sites[s]);
                    eligible.candidate_of_site.push_back(cand.candidate_of_site[s]);
                }
            log.info("sub-centres: ", cand.sites.size(), " township centres, ", eligible.sites.size(),
                     " outside urban centres and county hospitals' reach; quota ", sub_quota);
            if (eligible.sites.empty()) throw input_error(o->candidates + ": no township centre is eligible as a sub-centre");
            if (eligible.sites.size() < sub_quota) {
                rules_unmet.push_back("15 % share: " + std::to_string(sub_quota) + " needed, only " +
                                      std::to_string(eligible.sites.size()) + " eligible");
                sub_quota = eligible.sites.size();
            }
            cand = std::move(eligible);
        }
        // Vehicles may also go to existing stations: they become columns too, holding their own.
        std::size_t existing_from = cand.sites.size();
        if (objective == "expected") cand = geo::with_existing_sites(*a, std::move(cand), existing_from);
        if (cand.off_network) log.info("candidates: ", cand.off_network, " beyond the snap limit, left out");
        if (n_sites && static_cast<std::size_t>(o->sites) > cand.sites.size())
            throw input_error("--sites " + std::to_string(o->sites) + ": only " + std::to_string(cand.sites.size()) +
                              " candidates lie on the network");
        stopwatch matrix_clock;
        opt::coverage_matrix m = geo::candidate_matrix(*a, cand);
        // Sub-centres are credited only with people beyond their county hospital's limit.
        for (std::size_t d = 0; d < demand_near_hospital.size(); ++d)
            if (demand_near_hospital[d]) m.population[d] = 0;
        log.info("coverage matrix: ", m.candidate_count(), " candidates x ", m.demand_count(), " demand points, ",
                 static_cast<std::size_t>(m.cost.nonZeros()), " pairs");
        // min-distance and min-max need every cost that beats a point's existing one, not just those within limits.
        std::vector<double> existing_cost;
        opt::coverage_matrix costs;
        if (by_cost) {
            costs = geo::candidate_cost_matrix(*a, cand, existing_cost);
            log.info("cost matrix: ", static_cast<std::size_t>(costs.cost.nonZeros()), " pairs beating the existing facilities");
        }
        const double matrix_s = matrix_clock.seconds();

        opt::siting_options so;
        so.sites = o->sites;
        so.target = o->target;
        so.exact = o->exact;
        if (o->heuristic) {
            so.exact_below = 0;
            so.polish_above_gap = std::numeric_limits<double>::infinity();
        }
        so.time_limit_s = o->time_limit;
        so.progress = [&](const std::string& msg) { log.info(msg); };
        stopwatch solve_clock;
        so.vehicles = o->vehicles;
        so.busy_fraction = o->busy_fraction;
        opt::siting_result r;
        std::vector<double> served;  // sub-centres: people each choice brings within its limit
        if (capacitated) {
            // People each candidate can serve: the field, or units x the ratio for the units field.
            if (!cand.numbers.count(capacity_field))
                throw input_error(o->candidates + ": no field '" + capacity_field + "' for candidate capacities");
            const double per_unit = capacity_field == a->svc->units_field && a->svc->ratio ? a->svc->ratio->residents_per_unit : 1.0;
            std::vector<double> cap;
            for (std::uint32_t c : cand.candidate_of_site) {
                const auto& v = cand.numbers.at(capacity_field)[c];
                if (!v || *v < 0) throw input_error(o->candidates + ": field '" + capacity_field + "' of candidate " + cand.id[c] + " is empty or negative");
                cap.push_back(*v * per_unit);
            }
            opt::allocation_problem existing;
            existing.demand = m.population;
            for (std::size_t s = 0; s < a->sites.size(); ++s) {
                existing.capacity.push_back(a->capacity[a->facility_of_site[s]]);
                for (const geo::reached_point& p : a->within[s])
                    existing.arcs.push_back({static_cast<std::uint32_t>(s), p.point, p.cost});
            }
            r = opt::capacitated_max_cover(m, cap, existing, so);
        } else if (objective == "max-cover") r = opt::max_cover(m, so);
        else if (sub) {
            std::vector<int> county(cand.sites.size(), -1);
            if (a->admin) {
                const geo::polygon_locator units(*a->admin);
                for (std::size_t s = 0; s < cand.sites.size(); ++s)
                    county[s] = units.find(cand.x[cand.candidate_of_site[s]], cand.y[cand.candidate_of_site[s]]);
            }
            so.sites = static_cast<int>(sub_quota);
            r = opt::sub_centres(m, county, 1, 3, so);
            // "Radiates 100,000 residents": the township's own people where township polygons are given
            // (the --admin file's townships layer, Changzhi 2023), else the people within the limit (Ganzhou).
            std::optional<geo::polygon_set> towns;
            if (a->admin) {
                geo::dataset_ptr ds = geo::open_vector(o->analysis.analysis.admin);
                if (ds->GetLayerByName("townships") && a->admin->layer != "townships")
                    towns.emplace(geo::read_polygons(o->analysis.analysis.admin, a->crs, "townships", o->analysis.analysis.admin_field));
            }
            std::vector<double> town_people;
            std::optional<geo::polygon_locator> town_at;
            if (towns) {
                town_at.emplace(*towns);
                town_people.assign(towns->size(), 0.0);
                for (std::size_t d = 0; d < a->demand_pop.size(); ++d)
                    if (const int t = town_at->find(a->demand_x[d], a->demand_y[d]); t >= 0) town_people[t] += a->demand_pop[d];
            }
            for (std::uint32_t s : r.selected) {
                const std::uint32_t c = cand.candidate_of_site[s];
                double people = 0;
                for (opt::coverage_matrix::sparse::InnerIterator it(m.cost, s); it; ++it) people += m.population[it.row()];
                served.push_back(people);
                const int t = town_at ? town_at->find(cand.x[c], cand.y[c]) : -1;
                const double radiates = t >= 0 ? town_people[t] : people;
                if (radiates < 100000)
                    rules_unmet.push_back(cand.id[c] + (t >= 0 ? " (township " + towns->name[t] + ")" : std::string()) + ": " +
                                          std::to_string(static_cast<long long>(radiates)) +
                                          (t >= 0 ? " residents" : " people within its limit") + ", under 100,000");
            }
            if (a->admin)
                for (std::size_t u = 0; u < a->admin->size(); ++u) {
                    if (a->admin->kind[u] == "district") continue;  // sub-centres are the counties' (not city districts')
                    const bool has = std::find(county.begin(), county.end(), static_cast<int>(u)) != county.end();
                    if (!has) rules_unmet.push_back(a->admin->name[u] + ": no eligible township centre (1-3 sub-centres per county)");
                }
        }
        else if (objective == "backup") {
            std::vector<std::uint8_t> existing(a->demand_pop.size(), 0);
            for (const auto& list : a->within)
                for (const geo::reached_point& p : list) existing[p.point] = static_cast<std::uint8_t>(std::min(2, existing[p.point] + 1));
            r = opt::backup_cover(m, existing, so);
        }
        else if (by_cost) {
            r = objective == "min-distance" ? opt::min_distance(costs, existing_cost, so) : opt::min_max(costs, existing_cost, so);
            r.covered = opt::covered_population(m, r.selected);
        }
        else if (objective == "cover-all") r = opt::cover_all(m, so);
        else {
            std::vector<double> base(cand.sites.size(), 0.0);
            for (std::size_t s = existing_from; s < cand.sites.size(); ++s)
                base[s] = a->units_present[a->facility_of_site[s - existing_from]];
            r = opt::expected_cover(m, base, so);
            std::vector<std::uint32_t> new_sites;
            for (std::uint32_t s : r.selected)
                if (s < existing_from) new_sites.push_back(s);
            r.covered = opt::covered_population(m, new_sites);
        }
        const double solve_s = solve_clock.seconds();

        // Units (ambulances) per new site at the service's ratio, over its catchment among all open sites.
        std::vector<double> units(r.selected.size(), -1.0);
        if (a->svc->ratio) {
            std::vector<geo::site> open(a->sites);
            for (std::uint32_t s : r.selected) open.push_back(cand.sites[s]);
            const geo::nearest_result near = geo::nearest_sites(a->built.net, *a->route, *a->demand, open);
            std::vector<double> catchment(open.size(), 0.0);
            for (std::size_t d = 0; d < a->demand_pop.size(); ++d)
                if (near.site[d] != geo::invalid_id && a->status[d] != geo::demand_status::not_applicable)
                    catchment[near.site[d]] += a->demand_pop[d];
            for (std::size_t k = 0; k < r.selected.size(); ++k) units[k] = a->units_required(catchment[a->sites.size() + k]);
        }
        geo::write_coverage_gpkg(*a, o->analysis.out, [&](GDALDataset& ds) {
            OGRLayer& layer = geo::create_layer(ds, "proposed_sites", wkbPoint, &a->crs,
                                                {{"id", OFTString}, {"name", OFTString}, {"rank", OFTInteger},
                                                 {"gain", OFTReal}, {"cumulative_covered", OFTReal}, {"vehicles", OFTInteger},
                                                 {"served", OFTReal}, {"units_required", OFTInteger}});
            geo::feature_ptr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
            double cumulative = m.existing_population();
            for (std::size_t k = 0; k < r.selected.size(); ++k) {
                const std::uint32_t c = cand.candidate_of_site[r.selected[k]];
                cumulative += r.gain[k];
                f->SetField("id", cand.id[c].c_str());
                f->SetField("name", cand.name[c].c_str());
                f->SetField("rank", static_cast<GIntBig>(k + 1));
                f->SetField("gain", r.gain[k]);
                f->SetField("cumulative_covered", cumulative);
                if (!r.vehicles.empty()) f->SetField("vehicles", r.vehicles[k]);
                else f->SetFieldNull(f->GetFieldIndex("vehicles"));
                if (!served.empty()) f->SetField("served", served[k]);
                else f->SetFieldNull(f->GetFieldIndex("served"));
                if (units[k] >= 0) f->SetField("units_required", static_cast<GIntBig>(units[k]));
                else f->SetFieldNull(f->GetFieldIndex("units_required"));
                OGRPoint p(cand.x[c], cand.y[c]);
                f->SetGeometry(&p);
                geo::add_feature(layer, *f);
            }
            geo::qgis::add_default_style(ds, "proposed_sites",
                                         geo::qgis::single({geo::qgis::symbol::marker, "255,127,0,255", 4.5, "star"}, "id"));
        });
        if (!o->analysis.travel_raster.empty()) geo::write_travel_raster(*a, o->analysis.travel_raster);
        {
            presentation p = analysis_presentation(o->analysis, *a, "optimize");
            p.subtitle += (o->analysis.present.lang == "zh" ? " · 目标 " : " · objective ") + objective + ", " +
                          std::to_string(r.selected.size()) + (o->analysis.present.lang == "zh" ? " 个新址" : " new sites");
            write_presentations(o->analysis.present, p);
        }

        for (const std::string& rule : rules_unmet) log.info("rule not met: ", rule);
        char buf[400];
        std::snprintf(buf, sizeof buf,
                      "%s: %zu new sites; covered %.0f of %.0f (existing alone %.0f); objective %.6g, bound %.6g, gap "
                      "%.4g%%, solver %s; matrix %.2f s, solve %.2f s, total %.2f s",
                      objective.c_str(), r.selected.size(), r.covered, a->total.population, m.existing_population(),
                      r.objective, r.bound, 100 * r.gap, r.solver.c_str(), matrix_s, solve_s, total.seconds());
        log.info(buf);
        if (o->analysis.json) {
            geo::json_writer j;
            j.begin_object();
            j.field("service", a->svc->name);
            j.field("metric", a->svc->cost_metric == geo::metric::length ? "distance" : "time");
            j.field("objective_name", objective);
            j.field("population_total", a->total.population);
            j.field("population_covered", r.covered);
            j.field("population_covered_existing", m.existing_population());
            j.field("population_coverable", m.coverable_population());
            j.field("objective", r.objective);
            j.field("bound", r.bound);
            j.field("gap", r.gap);
            j.field("solver", r.solver);
            j.field("candidates", existing_from);
            j.key("selected").begin_array();
            for (std::size_t k = 0; k < r.selected.size(); ++k) {
                const std::uint32_t c = cand.candidate_of_site[r.selected[k]];
                j.begin_object().field("id", cand.id[c]).field("x", cand.x[c]).field("y", cand.y[c]).field("gain", r.gain[k]);
                if (!r.vehicles.empty()) j.field("vehicles", r.vehicles[k]).field("existing", r.selected[k] >= existing_from);
                if (!served.empty()) j.field("served", served[k]);
                if (units[k] >= 0) j.field("units_required", units[k]);
                j.end_object();
            }
            j.end_array();
            if (sub) {
                j.key("rules_unmet").begin_array();
                for (const std::string& rule : rules_unmet) j.value(rule);
                j.end_array();
            }
            j.key("provenance").begin_object().field("version", HEALTHREACH_VERSION).field("crs", geo::crs_label(a->crs)).end_object();
            j.end_object();
            std::printf("%s\n", j.str().c_str());
        }
        return 0;
    };
}

}  // namespace healthreach::cli
