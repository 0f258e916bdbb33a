#include "healthreach/geo/analysis.hpp"

#include "healthreach/geo/coverage_breakdown.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/graph_cache.hpp"
#include "healthreach/geo/text.hpp"
#include "healthreach/error.hpp"
#include "healthreach/opt/allocation.hpp"
#include "healthreach/threads.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace healthreach::geo {

const char* demand_status_name(demand_status s) {
    switch (s) {
    case demand_status::covered: return "covered";
    case demand_status::uncovered: return "uncovered";
    case demand_status::off_network: return "off_network";
    case demand_status::not_applicable: return "not_applicable";
    }
    return "";
}

void population_split::add(demand_status s, double people) {
    population += people;
    switch (s) {
    case demand_status::covered: covered += people; break;
    case demand_status::uncovered: uncovered += people; break;
    case demand_status::off_network: off_network += people; break;
    case demand_status::not_applicable: not_applicable += people; break;
    }
}

bool analysis::writes_demand_points() const {
    switch (options.demand_points) {
    case demand_points_when::always: return true;
    case demand_points_when::never: return false;
    case demand_points_when::automatic: break;
    }
    return demand_pop.size() <= demand_points_auto_max;
}

double analysis::max_limit() const {
    double m = no_limit;
    for (const auto& l : limit)
        if (l) m = std::max(m, *l);
    return m;
}

area_class analysis::class_at(double x, double y) const {
    if (urban_locator) return urban_locator->find(x, y) >= 0 ? area_class::urban : area_class::rural;
    return urbanisation->at(x, y);
}

bool analysis::urban_centre(double x, double y) const {
    if (urban_locator) return urban_locator->find(x, y) >= 0;
    return urbanisation->kind_at(x, y) == 2;
}

double analysis::units_required(double people) const {
    if (!svc->ratio) return -1;
    return std::ceil(people / svc->ratio->residents_per_unit);
}

double weighted_percentile(std::vector<std::pair<double, double>> cost_people, double p) {
    return weighted_percentiles(std::move(cost_people), {p}).front();
}

std::vector<double> weighted_percentiles(std::vector<std::pair<double, double>> cost_people, const std::vector<double>& ps) {
    double total = 0;
    for (const auto& [c, w] : cost_people) total += w;
    std::vector<double> out(ps.size(), std::nan(""));
    if (cost_people.empty() || total <= 0) return out;
    std::sort(cost_people.begin(), cost_people.end());
    for (std::size_t k = 0; k < ps.size(); ++k) {
        double run = 0;
        out[k] = cost_people.back().first;
        for (const auto& [c, w] : cost_people) {
            run += w;
            if (run >= ps[k] * total) {
                out[k] = c;
                break;
            }
        }
    }
    return out;
}

input_summary point_input_summary(const std::string& role, const point_set& pts) {
    input_summary in{role, pts.path, pts.layer, {{"id", pts.id_field}, {"name", pts.name_field}, {"type", pts.type_field}}, {}, pts.notes};
    if (!pts.lon_field.empty()) in.fields.insert(in.fields.end(), {{"lon", pts.lon_field}, {"lat", pts.lat_field}});
    in.counts.emplace_back("features", static_cast<double>(pts.size()));
    if (pts.type_mapped) in.counts.emplace_back("types_mapped", static_cast<double>(pts.type_mapped));
    if (pts.coords_converted || pts.coords_outside_china) {
        in.counts.emplace_back("coords_converted", static_cast<double>(pts.coords_converted));
        in.counts.emplace_back("coords_outside_china", static_cast<double>(pts.coords_outside_china));
    }
    return in;
}

namespace {

// "Clinic 227, Hospital 87, ..." (the `most` commonest, then how many more), for warnings.
std::string value_counts(const std::map<std::string, std::size_t>& counts, std::size_t most = 8) {
    std::vector<std::pair<std::string, std::size_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    std::string out;
    for (std::size_t i = 0; i < sorted.size() && i < most; ++i)
        out += (i ? ", " : "") + (sorted[i].first.empty() ? std::string("(empty)") : "'" + sorted[i].first + "'") + " " +
               std::to_string(sorted[i].second);
    if (sorted.size() > most) out += ", and " + std::to_string(sorted.size() - most) + " more";
    return out;
}

// People are kept in multiples of 2^-20 so that every total adds up exactly, in any order.
double quantize_people(double v) { return std::ldexp(std::nearbyint(std::ldexp(v, 20)), -20); }

// Demand points of a population grid: its populated cells, or --demand-cell aggregates at their
// population-weighted centroid; people quantized.
struct demand_points_xy {
    std::vector<double> x, y, pop;
    std::vector<std::uint32_t> of_cell;  // per populated cell
};

demand_points_xy demand_points_of(const population_grid& pop, double cell_m) {
    demand_points_xy out;
    out.of_cell.resize(pop.size());
    if (cell_m > 0) {
        std::map<std::pair<std::int64_t, std::int64_t>, std::uint32_t> index;
        std::vector<double> sx, sy;
        for (std::size_t i = 0; i < pop.size(); ++i) {
            const std::pair<std::int64_t, std::int64_t> key{static_cast<std::int64_t>(std::floor(pop.x[i] / cell_m)),
                                                            static_cast<std::int64_t>(std::floor(pop.y[i] / cell_m))};
            auto [it, inserted] = index.emplace(key, static_cast<std::uint32_t>(out.pop.size()));
            if (inserted) {
                out.pop.push_back(0);
                sx.push_back(0);
                sy.push_back(0);
            }
            const std::uint32_t d = it->second;
            out.of_cell[i] = d;
            out.pop[d] += pop.people[i];
            sx[d] += pop.people[i] * pop.x[i];
            sy[d] += pop.people[i] * pop.y[i];
        }
        for (std::size_t d = 0; d < out.pop.size(); ++d) {
            out.x.push_back(sx[d] / out.pop[d]);
            out.y.push_back(sy[d] / out.pop[d]);
        }
    } else {
        out.x = pop.x;
        out.y = pop.y;
        out.pop = pop.people;
        for (std::size_t i = 0; i < pop.size(); ++i) out.of_cell[i] = static_cast<std::uint32_t>(i);
    }
    for (double& p : out.pop) p = quantize_people(p);
    return out;
}

// A group raster must lie on the population raster's own grid: people are never resampled (see
// docs/decisions.md, "Cost bands, criticality, population groups").
void same_grid_or_refuse(const raster_grid& g, const raster_grid& pop, const std::string& what) {
    auto fail = [&](const std::string& differs) {
        throw input_error(what + ": not on the grid of the population raster " + pop.path + " (" + differs +
                          "); people are never resampled: warp it onto that grid first (e.g. gdalwarp -r sum)");
    };
    if (g.cols != pop.cols || g.rows != pop.rows)
        fail("size " + std::to_string(g.cols) + " x " + std::to_string(g.rows) + " cells, not " + std::to_string(pop.cols) + " x " +
             std::to_string(pop.rows));
    // Within a millionth of a cell: the same grid written by another program.
    const double cell = std::min(std::hypot(pop.gt[1], pop.gt[4]), std::hypot(pop.gt[2], pop.gt[5]));
    for (int k = 0; k < 6; ++k)
        if (std::abs(g.gt[k] - pop.gt[k]) > 1e-6 * cell) {
            char buf[200];
            std::snprintf(buf, sizeof buf, "geotransform term %d is %.12g, not %.12g", k, g.gt[k], pop.gt[k]);
            fail(buf);
        }
    if (!g.srs.IsSame(&pop.srs)) fail("CRS " + crs_label(g.srs) + ", not " + crs_label(pop.srs));
}

// A demand point's status: no limit for its class, off the network, or its nearest site's cost
// against the limit.
demand_status status_of(double limit, bool on_network, const nearest_result& nearest, std::size_t d) {
    if (limit == no_limit) return demand_status::not_applicable;
    if (!on_network) return demand_status::off_network;
    if (nearest.site[d] != invalid_id && nearest.cost[d] <= limit) return demand_status::covered;
    return demand_status::uncovered;
}

class phase_clock {
public:
    phase_clock(analysis& a, const job_callbacks& callbacks) : a_(a), callbacks_(callbacks) {}
    void next(const std::string& name) {
        close();
        current_ = name;
        start_ = std::chrono::steady_clock::now();
        // Rough shares of a typical run's time, measured on the prefecture-scale region.
        static const std::map<std::string, double> done = {{"standards", 0.0}, {"graph", 0.01}, {"population", 0.05}, {"demand", 0.08},
                                                           {"facilities", 0.15}, {"reach", 0.17}, {"capacity", 0.3},
                                                           {"cells", 0.35}, {"groups", 0.9}, {"summary", 0.95}};
        callbacks_.advance(name, done.count(name) ? done.at(name) : 0.0);
    }
    void close() {
        if (current_.empty()) return;
        a_.phases.push_back({current_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()});
        current_.clear();
    }

private:
    analysis& a_;
    const job_callbacks& callbacks_;
    std::string current_;
    std::chrono::steady_clock::time_point start_;
};

// People each facility can serve: the capacity field, or units x the service's ratio when the field
// is the service's units field (ambulances x 30,000).
std::vector<double> capacities(const analysis& a) {
    const analysis_options& o = a.options;
    const auto& values = a.facilities.numbers.at(o.capacity_field);
    const bool units = o.capacity_field == a.svc->units_field && a.svc->ratio;
    std::vector<double> cap;
    for (std::size_t i = 0; i < a.facilities.size(); ++i) {
        if (!values[i] || *values[i] < 0)
            throw input_error(o.facilities + ": field '" + o.capacity_field + "' of facility " + a.facilities.id[i] +
                              " is " + (values[i] ? "negative" : "empty") + "; capacities must be >= 0");
        cap.push_back(units ? *values[i] * a.svc->ratio->residents_per_unit : *values[i]);
    }
    return cap;
}

void allocate(analysis& a) {
    a.capacitated = true;
    a.capacity = capacities(a);
    opt::allocation_problem p;
    for (std::size_t s = 0; s < a.sites.size(); ++s) p.capacity.push_back(a.capacity[a.facility_of_site[s]]);
    p.demand = a.demand_pop;
    for (std::size_t s = 0; s < a.sites.size(); ++s)
        for (const reached_point& r : a.within[s])
            if (a.status[r.point] == demand_status::covered) p.arcs.push_back({static_cast<std::uint32_t>(s), r.point, r.cost});
    const opt::allocation_result res = opt::allocate_capacity(p);
    a.capacity_used.assign(a.facilities.size(), 0.0);
    for (std::size_t s = 0; s < a.sites.size(); ++s) a.capacity_used[a.facility_of_site[s]] = res.site_used[s];
    a.served = res.point_served;
    a.served_by.assign(a.demand_pop.size(), invalid_id);
    std::vector<double> most(a.demand_pop.size(), 0.0);
    for (std::size_t j = 0; j < p.arcs.size(); ++j)
        if (res.flow[j] > most[p.arcs[j].point]) {
            most[p.arcs[j].point] = res.flow[j];
            a.served_by[p.arcs[j].point] = a.facility_of_site[p.arcs[j].site];
        }
    a.population_served = res.served;
    double covered = 0;
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d)
        if (a.status[d] == demand_status::covered) covered += a.demand_pop[d];
    a.population_unserved_for_capacity = covered - res.served;
}

}  // namespace

graph_inputs analysis_graph_inputs(const analysis_options& o, const standards& rules) {
    const service& svc = rules.service_named(o.service);
    const profile& prof = rules.profile_named(o.profile.empty() ? svc.profile : o.profile);
    road_options read = o.road_read;
    if (!read.clip.empty() && !read.clip_buffer_m) {
        // As far as the service's largest limit can reach at the profile's top speed, plus the snap limit.
        // The limits as the run applies them (--rural-limit replaces the rural one).
        double reach_m = std::max(0.0, svc.urban.value.value_or(0.0));
        reach_m = std::max(reach_m, o.rural_limit ? *o.rural_limit : svc.rural.value.value_or(0.0));
        if (svc.cost_metric == metric::time) {
            double kmh = prof.mode == travel_mode::walk ? prof.walk_speed_kmh * (o.network_build.dem.empty() ? 1 : 6.0 / 5) : 0;
            for (const auto& [cls, speed] : prof.speed_kmh) kmh = std::max(kmh, speed);
            reach_m *= kmh / 3.6;
        }
        read.clip_buffer_m = reach_m + o.snap_limit_m;
    }
    return {o.roads, read, prof, o.network_build, o.crs};
}

std::unique_ptr<analysis> run_analysis(const analysis_options& request, const job_callbacks& callbacks, const part_runner& runner) {
    auto result = std::make_unique<analysis>();
    analysis& a = *result;
    a.options = request;
    std::string threads_note;
    a.options.threads = worker_threads(request.threads, threads_note);
    if (!threads_note.empty()) a.warnings.push_back(threads_note);
    const analysis_options& o = a.options;
    phase_clock phase(a, callbacks);

    phase.next("standards");
    check_cost_bands(o.bands);
    for (std::size_t g = 0; g < o.groups.size(); ++g)
        for (std::size_t h = 0; h < g; ++h)
            if (o.groups[g].name == o.groups[h].name)
                throw input_error("--population-group: the name '" + o.groups[g].name + "' is given twice");
    a.rules = load_standards(o.standards_file);
    a.options.facility_fields.types = a.rules.merged_type_map(request.facility_fields.types);
    a.svc = &a.rules.service_named(o.service);
    const service& svc = *a.svc;
    const metric m = svc.cost_metric;
    for (area_class c : {area_class::urban, area_class::rural}) {
        a.limit[static_cast<int>(c)] = svc.limit(c).value;
        a.limit_source[static_cast<int>(c)] = svc.limit(c).source;
    }
    if (o.rural_limit) {
        if (!(*o.rural_limit > 0)) throw input_error("--rural-limit: must be positive");
        auto number = [](double v) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", v);
            return std::string(buf);
        };
        const double user = *o.rural_limit;
        if (svc.rural.range && (user < svc.rural.range->first || user > svc.rural.range->second))
            a.warnings.push_back("--rural-limit " + number(user) + " is outside the plans' range " + number(svc.rural.range->first) +
                                 "-" + number(svc.rural.range->second) + " (" + svc.rural.source + ")");
        else if (!svc.rural.range && svc.rural.value && user > *svc.rural.value)
            a.warnings.push_back("--rural-limit " + number(user) + " is above the standard's " + number(*svc.rural.value));
        a.limit[static_cast<int>(area_class::rural)] = *o.rural_limit;
        a.limit_source[static_cast<int>(area_class::rural)] = "--rural-limit (user)";
    }

    phase.next("graph");
    const graph_inputs graph_in = analysis_graph_inputs(o, a.rules);
    graph_result graph = o.graph ? *o.graph : load_or_build_graph(graph_in, o.graph_cache);
    a.crs = graph.crs;
    a.built = std::move(graph.built);
    a.graph_cache_status = graph.cache_status;
    a.warnings.insert(a.warnings.end(), graph.warnings.begin(), graph.warnings.end());
    a.inputs.push_back({"roads", o.roads, graph.road_layer, {{"class", o.road_read.fields.highway}},
                        {{"features", static_cast<double>(graph.road_features)},
                         {"road_lines", static_cast<double>(graph.road_lines)},
                         {"graph_nodes", static_cast<double>(a.built.net.node_count())},
                         {"graph_edges", static_cast<double>(a.built.net.edge_count())}}});
    if (!graph_in.read.clip.empty())
        a.inputs.push_back({"clip", graph_in.read.clip, "", {}, {{"buffer_m", std::round(*graph_in.read.clip_buffer_m)}}});
    for (const adjustment_summary& adj : summarize_adjustments(o.network_build, a.built.adjusted))
        a.inputs.push_back({adj.role, adj.file, "", {}, adj.counts});
    const network& net = a.built.net;
    a.route = std::make_unique<router>(net, m, svc.cost_direction);
    a.snap = std::make_unique<snapper>(net);

    phase.next("population");
    a.pop = read_population(o.population, a.crs);
    a.inputs.push_back({"population", o.population, "", {},
                        {{"cells", static_cast<double>(a.pop.grid.cell_count())},
                         {"nodata_cells", static_cast<double>(a.pop.nodata_cells)},
                         {"populated_cells", static_cast<double>(a.pop.size())},
                         {"people", a.pop.total}}});
    // Group rasters are refused before the work when missing or on another grid.
    for (const population_group_request& req : o.groups) {
        const std::string what = "--population-group " + req.name + "=" + req.raster;
        raster_grid g;
        try {
            g = read_raster_grid(req.raster);
        } catch (const input_error& e) {
            throw input_error(what + ": " + e.what());
        }
        same_grid_or_refuse(g, a.pop.grid, what);
    }

    phase.next("demand");
    if (!o.urban.empty()) {
        a.urban_polygons.emplace(read_polygons(o.urban, a.crs, o.urban_layer, ""));
        a.urban_locator = std::make_unique<polygon_locator>(*a.urban_polygons);
        a.urban_method = "polygons " + o.urban;
        a.inputs.push_back({"urban", o.urban, a.urban_polygons->layer, {}, {{"polygons", static_cast<double>(a.urban_polygons->size())}}});
    } else {
        a.urbanisation = degree_of_urbanisation(a.pop, a.rules.urbanisation);
        a.urban_method = "degree of urbanisation";
    }
    auto class_at = [&](double x, double y) { return a.class_at(x, y); };

    const population_grid& pop = a.pop;
    {
        demand_points_xy points = demand_points_of(pop, o.demand_cell_m);
        a.demand_x = std::move(points.x);
        a.demand_y = std::move(points.y);
        a.demand_pop = std::move(points.pop);
        a.demand_of_cell = std::move(points.of_cell);
    }
    a.demand_class.resize(a.demand_pop.size());
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        a.demand_class[d] = class_at(a.demand_x[d], a.demand_y[d]);
        const int kind = a.urbanisation ? a.urbanisation->kind_at(a.demand_x[d], a.demand_y[d])
                                        : (a.demand_class[d] == area_class::urban ? 2 : 0);
        (kind == 2 ? a.urban_split.urban_centre : kind == 1 ? a.urban_split.urban_cluster : a.urban_split.rural) += a.demand_pop[d];
    }
    const double leg_speed = a.rules.off_network_speed_kmh / 3.6;
    // A demand point's distance to the road is an output only in the demand layer (snap_m); without
    // the layer, snapping stops at the snap limit (the countryside's cells far from any road).
    const double snap_within = a.writes_demand_points() ? std::numeric_limits<double>::infinity() : o.snap_limit_m;
    a.demand = std::make_unique<network_points>(
        net, snap_all(*a.snap, a.demand_x.data(), a.demand_y.data(), a.demand_pop.size(), o.threads, snap_within), o.snap_limit_m, m,
        svc.cost_direction, leg_speed);

    phase.next("facilities");
    if (!o.facilities.empty()) {
        point_options fields = o.facility_fields;
        for (const std::string& f : {svc.units_field, o.delay_field, o.capacity_field})
            if (!f.empty()) fields.numeric_fields.push_back(f);
        point_set all = read_points(o.facilities, a.crs, fields);
        a.facilities_in_file = all.size();
        a.warnings.insert(a.warnings.end(), all.warnings.begin(), all.warnings.end());
        for (const std::string& f : {o.delay_field, o.capacity_field})
            if (!f.empty() && !all.numbers.count(f))
                throw input_error(o.facilities + " layer " + all.layer + ": no field '" + f + "'");
        const std::string where = o.facilities + " layer " + all.layer;
        // Keep the facilities of the service's types (all of them without a type field or with --all-facilities).
        point_set& kept = a.facilities;
        kept.path = all.path;
        kept.layer = all.layer;
        kept.has_type = all.has_type;
        for (auto& [name, values] : all.numbers) kept.numbers[name];
        const std::set<std::string> known = a.rules.known_facility_types();
        std::map<std::string, std::size_t> type_counts, unknown;  // source type values: all, and those no service knows
        for (std::size_t i = 0; i < all.size(); ++i) {
            ++type_counts[all.source_type[i]];
            const bool of_service = std::find(svc.facility_types.begin(), svc.facility_types.end(), all.type[i]) !=
                                    svc.facility_types.end();
            if (all.has_type && !of_service && !known.count(all.type[i])) ++unknown[all.source_type[i]];
            const bool used = !all.has_type || o.all_facilities || of_service;
            if (!used) continue;
            kept.x.push_back(all.x[i]);
            kept.y.push_back(all.y[i]);
            kept.id.push_back(all.id[i]);
            kept.name.push_back(all.name[i]);
            kept.type.push_back(all.type[i]);
            kept.source_type.push_back(all.source_type[i]);
            for (auto& [name, column] : all.numbers) kept.numbers[name].push_back(column[i]);
        }
        const std::string type_option = o.facility_fields.type_field.empty() ? "type" : o.facility_fields.type_field;
        if (kept.size() == 0) {
            std::string types;
            for (const auto& t : svc.facility_types) types += (types.empty() ? "" : ", ") + t;
            throw input_error(where + ": no facility of the " + svc.name + " service's types (" + types + ") among " +
                              std::to_string(all.size()) + " features; field '" + all.type_field +
                              "' holds " + value_counts(type_counts) +
                              " (--type-map \"VALUE=TYPE,...\" maps them; --all-facilities uses every one)");
        }
        // Every feature used whatever it is: say so, with what the layer holds.
        if (!all.has_type)
            a.warnings.push_back(where + " has no type field ('" + type_option + "'; --type-field names one): all " +
                                 std::to_string(all.size()) + " features are used as " + svc.name + " facilities");
        else if (o.all_facilities)
            a.warnings.push_back("--all-facilities: all " + std::to_string(all.size()) + " features of " + where +
                                 " are used as " + svc.name + " facilities, of " + std::to_string(type_counts.size()) +
                                 " distinct types in field '" + all.type_field + "': " + value_counts(type_counts));
        else if (!unknown.empty()) {
            std::size_t n = 0;
            for (const auto& [v, count] : unknown) n += count;
            a.warnings.push_back(where + ": " + std::to_string(n) + " features of " + std::to_string(unknown.size()) +
                                 " types that no service of the standards knows are left out: " + value_counts(unknown) +
                                 " (--type-map \"VALUE=TYPE,...\" or the standards' [facility_types] maps them)");
        }
        if (!o.delay_field.empty() && m == metric::length)
            a.warnings.push_back("--delay-field " + o.delay_field + ": the " + svc.name +
                                 " service is measured in distance; delays do not apply");
        const auto* units = svc.units_field.empty() || !kept.numbers.count(svc.units_field) ? nullptr : &kept.numbers.at(svc.units_field);
        const auto* delay = o.delay_field.empty() ? nullptr : &kept.numbers.at(o.delay_field);
        for (std::size_t i = 0; i < kept.size(); ++i) {
            a.units_present.push_back(units && (*units)[i] ? *(*units)[i] : 1.0);
            const snap_result r = a.snap->nearest(kept.x[i], kept.y[i]);
            a.facility_snap_m.push_back(r.distance_m);
            if (r.edge == invalid_id || r.distance_m > o.snap_limit_m) {
                a.site_of_facility.push_back(invalid_id);
                continue;
            }
            site s{r.edge, r.offset_m};
            if (delay && (*delay)[i] && m == metric::time) {
                if (*(*delay)[i] < 0)
                    throw input_error(o.facilities + ": field '" + o.delay_field + "' of facility " + kept.id[i] + " is negative");
                s.start_cost = *(*delay)[i] * 60;
            }
            a.site_of_facility.push_back(static_cast<std::uint32_t>(a.sites.size()));
            a.facility_of_site.push_back(static_cast<std::uint32_t>(i));
            a.sites.push_back(s);
        }
        if (a.sites.empty()) {
            const std::string none = o.facilities + ": none of the " + std::to_string(kept.size()) + " " + svc.name +
                                     " facilities lies within the snap limit (" + std::to_string(std::lround(o.snap_limit_m)) +
                                     " m) of the routable network";
            if (o.sites_required) throw input_error(none);
            a.warnings.push_back(none);  // and "nobody is covered" below
        } else if (a.sites.size() < kept.size()) {
            std::string names;
            for (std::size_t i = 0, shown = 0; i < kept.size() && shown < 5; ++i)
                if (a.site_of_facility[i] == invalid_id) names += std::string(shown++ ? ", " : "") + kept.id[i];
            const std::size_t unused = kept.size() - a.sites.size();
            a.warnings.push_back(std::to_string(unused) + " of " + std::to_string(kept.size()) + " " + svc.name + " facilities lie more than " +
                                 std::to_string(std::lround(o.snap_limit_m)) + " m (--snap-limit) from the routable roads and serve nobody: " +
                                 names + (unused > 5 ? ", ..." : ""));
        }
        input_summary in = point_input_summary("facilities", all);
        in.counts.insert(in.counts.begin() + 1, {{"of_the_service", static_cast<double>(kept.size())},
                                                 {"on_network", static_cast<double>(a.sites.size())}});
        if (!o.facility_fields.types.empty())
            in.notes.push_back("type map: " + std::to_string(o.facility_fields.types.size()) +
                               (o.facility_fields.types.size() == 1 ? " entry (" : " entries (") +
                               std::to_string(request.facility_fields.types.size()) + " from --type-map)");
        a.inputs.push_back(std::move(in));
    }

    // Every valid raster cell (centres in the run's CRS) with its class and limit, for service areas
    // and the travel raster.
    std::vector<double> cx, cy, cell_limit;
    auto list_cells = [&] {
        const raster_grid& g = pop.grid;
        const transformer to_metric(g.srs, a.crs);
        std::vector<double> rx, ry;
        for (int row = 0; row < g.rows; ++row) {
            row_centres(g, to_metric, row, rx, ry);
            for (int col = 0; col < g.cols; ++col) {
                const std::uint64_t i = static_cast<std::uint64_t>(row) * g.cols + col;
                if (!pop.valid[i]) continue;
                a.cell_index.push_back(i);
                cx.push_back(rx[col]);
                cy.push_back(ry[col]);
                a.cell_class.push_back(class_at(rx[col], ry[col]));
                cell_limit.push_back(a.limit_of(a.cell_class.back()));
            }
        }
    };
    const std::size_t nd = a.demand_pop.size();
    std::vector<double> demand_limit(nd);
    for (std::size_t d = 0; d < nd; ++d) demand_limit[d] = a.limit_of(a.demand_class[d]);
    if (!o.partition.empty()) {
        phase.next("partition");
        if (o.service_areas) list_cells();
        const partition_plan plan = plan_partition(a, std::move(cx), std::move(cy), o.partition, o.partition_layer, a.warnings);
        a.inputs.push_back({"partition", o.partition, plan.layer, {},
                            {{"parts", static_cast<double>(plan.polygons)},
                             {"people_outside_parts", plan.remainder_people}}});
        if (plan.remainder_people > 0)
            a.warnings.push_back(format_number(plan.remainder_people) + " people lie in no polygon of --partition " +
                                 o.partition + ": they are analysed as one more part, " + plan.names.back() +
                                 ", and counted in every total");
        phase.next("reach");
        const std::vector<part_result> parts = runner ? runner(a, plan) : run_parts_here(a, plan);
        for (const part_result& r : parts) {
            char line[512];
            std::snprintf(line, sizeof line, "part %s: %zu demand points, %zu cells; halo %.1f km, %llu nodes, %llu edges, %llu widening(s); %.2f s",
                          plan.names.at(r.part).c_str(), plan.demand[r.part].size(), plan.cells[r.part].size(), r.halo_m / 1000,
                          static_cast<unsigned long long>(r.nodes), static_cast<unsigned long long>(r.edges),
                          static_cast<unsigned long long>(r.widenings), r.seconds);
            callbacks.say(line);
        }
        merge_parts(a, plan, parts);
    } else {
        phase.next("reach");
        a.nearest = nearest_sites(net, *a.route, *a.demand, a.sites);
        a.within = points_within_limits(net, *a.route, *a.demand, a.sites, demand_limit, a.max_limit(), o.threads);
    }
    a.status.resize(nd);
    for (std::size_t d = 0; d < nd; ++d) {
        a.status[d] = status_of(demand_limit[d], a.demand->on_network(static_cast<std::uint32_t>(d)), a.nearest, d);
    }
    a.pop_within_limit.assign(a.facilities.size(), 0);
    a.pop_nearest.assign(a.facilities.size(), 0);
    for (std::size_t s = 0; s < a.sites.size(); ++s)
        for (const reached_point& r : a.within[s]) a.pop_within_limit[a.facility_of_site[s]] += a.demand_pop[r.point];
    for (std::size_t d = 0; d < nd; ++d)
        if (a.nearest.site[d] != invalid_id && a.status[d] != demand_status::not_applicable)
            a.pop_nearest[a.facility_of_site[a.nearest.site[d]]] += a.demand_pop[d];
    // Criticality from the per-site lists already at hand: every site's reach within the limits is
    // there, so counting the sites that cover each point is exact and costs one pass over them.
    a.covering_sites.assign(nd, 0);
    for (const auto& list : a.within)
        for (const reached_point& r : list) ++a.covering_sites[r.point];
    a.pop_sole.assign(a.facilities.size(), 0);
    for (std::size_t s = 0; s < a.sites.size(); ++s)
        for (const reached_point& r : a.within[s])
            if (a.covering_sites[r.point] == 1) a.pop_sole[a.facility_of_site[s]] += a.demand_pop[r.point];

    if (!o.capacity_field.empty()) {
        phase.next("capacity");
        allocate(a);
    }

    if (o.service_areas && o.partition.empty()) {
        phase.next("cells");
        list_cells();
        // A populated cell is its own demand point unless --demand-cell groups them: its snap is
        // already made (on a WorldPop-like raster, nearly every cell's).
        const bool cells_are_demand = o.demand_cell_m <= 0;
        std::vector<snap_result> snaps(a.cell_index.size());
        std::vector<std::size_t> unsnapped;  // cells (entries) that are no demand point
        std::size_t populated = 0;           // the next populated cell, in pop's (row-major) order
        for (std::size_t k = 0; k < a.cell_index.size(); ++k) {
            if (cells_are_demand && populated < pop.size() && pop.cell[populated] == a.cell_index[k])
                snaps[k] = a.demand->snapped(static_cast<std::uint32_t>(populated++));
            else
                unsnapped.push_back(k);
        }
        {
            std::vector<double> ux(unsnapped.size()), uy(unsnapped.size());
            for (std::size_t k = 0; k < unsnapped.size(); ++k) ux[k] = cx[unsnapped[k]], uy[k] = cy[unsnapped[k]];
            const std::vector<snap_result> fresh = snap_all(*a.snap, ux.data(), uy.data(), ux.size(), o.threads, o.snap_limit_m);
            for (std::size_t k = 0; k < unsnapped.size(); ++k) snaps[unsnapped[k]] = fresh[k];
        }
        a.cells = std::make_unique<network_points>(net, snaps, o.snap_limit_m, m, svc.cost_direction, leg_speed);
        a.cells_within = points_within_limits(net, *a.route, *a.cells, a.sites, cell_limit, a.max_limit(), o.threads);
        a.cell_nearest = nearest_sites(net, *a.route, *a.cells, a.sites);
    }

    if (!o.groups.empty()) {
        phase.next("groups");
        for (const population_group_request& req : o.groups) {
            const population_grid group_grid = read_population(req.raster, a.crs);
            demand_points_xy points = demand_points_of(group_grid, o.demand_cell_m);
            analysis::population_group g{req.name, req.raster, std::move(points.x), std::move(points.y), std::move(points.pop), {}, {}};
            const network_points at(net, *a.snap, g.x.data(), g.y.data(), g.pop.size(), o.snap_limit_m, m, svc.cost_direction,
                                    leg_speed, o.threads);
            const nearest_result near = nearest_sites(net, *a.route, at, a.sites);
            g.status.resize(g.pop.size());
            for (std::size_t d = 0; d < g.pop.size(); ++d)
                g.status[d] = status_of(a.limit_of(class_at(g.x[d], g.y[d])), at.on_network(static_cast<std::uint32_t>(d)), near, d);
            a.inputs.push_back({"population_group " + req.name, req.raster, "", {},
                                {{"populated_cells", static_cast<double>(group_grid.size())}, {"people", group_grid.total}}});
            a.groups.push_back(std::move(g));
        }
    }

    phase.next("summary");
    if (!o.admin.empty()) {
        a.admin.emplace(read_polygons(o.admin, a.crs, o.admin_layer, o.admin_field));
        a.warnings.insert(a.warnings.end(), a.admin->warnings.begin(), a.admin->warnings.end());
        a.inputs.push_back({"admin", o.admin, a.admin->layer, {{"name", a.admin->name_field}},
                            {{"units", static_cast<double>(a.admin->size())}}});
        const polygon_locator units(*a.admin);
        a.demand_unit.resize(nd);
        for (std::size_t d = 0; d < nd; ++d) a.demand_unit[d] = units.find(a.demand_x[d], a.demand_y[d]);
        for (std::size_t f = 0; f < a.facilities.size(); ++f) a.facility_unit.push_back(units.find(a.facilities.x[f], a.facilities.y[f]));
        for (analysis::population_group& g : a.groups)
            for (std::size_t d = 0; d < g.pop.size(); ++d) g.unit.push_back(units.find(g.x[d], g.y[d]));
    }
    for (std::size_t d = 0; d < nd; ++d) {
        a.total.add(a.status[d], a.demand_pop[d]);
        a.by_class[static_cast<int>(a.demand_class[d])].add(a.status[d], a.demand_pop[d]);
    }
    // People beyond the snap limit are counted, never covered: say how many, and say it loudly when
    // nobody is near a road (inputs that do not overlap).
    std::size_t near_roads = 0;
    for (std::size_t d = 0; d < nd; ++d) near_roads += a.demand->on_network(static_cast<std::uint32_t>(d));
    const long long snap = std::llround(o.snap_limit_m);
    if (nd > 0 && near_roads == 0) {
        a.warnings.push_back(o.population + ": no populated cell lies within " + std::to_string(snap) +
                             " m (--snap-limit) of the routable roads of " + o.roads +
                             ": do the inputs cover the same area? everyone is counted as off network");
    } else if (a.total.off_network > 0) {
        char share[32];
        std::snprintf(share, sizeof share, "%.1f %%", 100 * a.total.off_network / a.total.population);
        a.warnings.push_back(format_number(a.total.off_network) + " people (" + share + ") live more than " +
                             std::to_string(snap) + " m (--snap-limit) from the routable roads: counted as off network, not as covered");
    }
    // Inputs that barely overlap: the roads' extent against the populated cells' (both in the run's CRS).
    if (nd > 0 && near_roads > 0 && net.node_count() > 0) {
        OGREnvelope people, roads;
        for (std::size_t d = 0; d < nd; ++d) people.Merge(a.demand_x[d], a.demand_y[d]);
        for (std::size_t v = 0; v < net.node_count(); ++v) roads.Merge(net.node_x[v], net.node_y[v]);
        // People within the snap limit of the roads' extent can reach them.
        roads.MinX -= o.snap_limit_m, roads.MinY -= o.snap_limit_m, roads.MaxX += o.snap_limit_m, roads.MaxY += o.snap_limit_m;
        // The share of the people's extent the roads' extent holds, axis by axis (a row of cells has
        // no height: there the axis counts whole when the roads span it).
        auto axis = [](double p0, double p1, double r0, double r1) {
            if (p1 <= p0) return p0 >= r0 && p0 <= r1 ? 1.0 : 0.0;
            return std::max(0.0, std::min(p1, r1) - std::max(p0, r0)) / (p1 - p0);
        };
        const double shared = axis(people.MinX, people.MaxX, roads.MinX, roads.MaxX) * axis(people.MinY, people.MaxY, roads.MinY, roads.MaxY);
        if (shared < 0.5) {
            char share[32];
            std::snprintf(share, sizeof share, "%.0f %%", 100 * shared);
            a.warnings.push_back(o.roads + " covers only " + std::string(share) + " of the extent of the populated cells of " + o.population +
                                 ": the people beyond the roads count as off network, not as uncovered");
        }
    }
    const double applicable = a.total.covered + a.total.uncovered;
    if (applicable > 0 && a.total.covered == 0)
        a.warnings.push_back("nobody is covered: none of the " + format_number(applicable) +
                             " people on the network lies within the " + svc.name + " limit of a facility");
    phase.close();
    return result;
}

}  // namespace healthreach::geo
