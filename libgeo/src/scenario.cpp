#include "healthreach/geo/scenario.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/optimize_io.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>

namespace healthreach::geo {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr std::size_t max_limit_states = 3;  // the loaded limits and the two latest others
constexpr std::size_t max_cached_reach = 4096;           // added sites' reach kept per set of limits,
constexpr std::size_t max_cached_points = 8'000'000;     // and their points (16 bytes each): 128 MB
constexpr int drawing_cells = 160;           // grid cells along the longer side of the demand's extent

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

OGRSpatialReference wgs84() {
    OGRSpatialReference s;
    s.importFromEPSG(4326);  // as points from CSV are read: the same transformation, to the last bit
    return traditional(s);
}

void check_keys(const json_value& body, const std::vector<std::string>& allowed, const std::string& where) {
    for (const auto& [k, v] : body.as_object(where)) {
        if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        throw input_error(where + ": unknown key '" + k + "' (" + list + ")");
    }
}

std::optional<double> read_limit(const json_value* limits, const char* cls) {
    const json_value* v = limits ? limits->find(cls) : nullptr;
    if (!v || v->is_null()) return std::nullopt;
    const double l = v->as_number(std::string("limits.") + cls);
    if (!(l > 0) || !std::isfinite(l)) throw input_error(std::string("limits.") + cls + ": must be a positive number, got " + number_text(l));
    return l;
}

}  // namespace

scenario_request scenario_engine::read_request(const json_value& body, const std::vector<std::string>& extra) const {
    const analysis& a = *a_;  // its service and CRS only: a trial does not change them
    std::vector<std::string> keys{"service", "limits", "add", "remove"};
    keys.insert(keys.end(), extra.begin(), extra.end());
    check_keys(body, keys, "request");
    scenario_request r;
    if (const json_value* s = body.find("service")) {
        const std::string& name = s->as_string("service");
        if (name != a.svc->name)
            throw input_error("service: '" + name + "' is not this workbench's (" + a.svc->name + ")");
    }
    if (const json_value* limits = body.find("limits")) {
        if (!limits->is_null()) {
            check_keys(*limits, {"urban", "rural"}, "limits");
            r.urban_limit = read_limit(limits, "urban");
            r.rural_limit = read_limit(limits, "rural");
        }
    }
    if (const json_value* add = body.find("add")) {
        const auto& points = add->as_array("add");
        const transformer to_metric(wgs84(), a.crs);
        for (std::size_t k = 0; k < points.size(); ++k) {
            const std::string where = "add[" + std::to_string(k) + "]";
            const json_value& p = points[k];
            p.as_object(where);
            const bool lonlat = p.find("lon") || p.find("lat");
            check_keys(p, lonlat ? std::vector<std::string>{"lon", "lat"} : std::vector<std::string>{"x", "y"},
                       where + " (give lon and lat, or x and y)");
            const json_value* u = p.find(lonlat ? "lon" : "x");
            const json_value* v = p.find(lonlat ? "lat" : "y");
            if (!u || !v) throw input_error(where + ": give lon and lat (WGS 84), or x and y (" + crs_label(a.crs) + ")");
            double x = u->as_number(where + (lonlat ? ".lon" : ".x")), y = v->as_number(where + (lonlat ? ".lat" : ".y"));
            if (lonlat) {
                if (std::fabs(x) > 180 || std::fabs(y) > 90)
                    throw input_error(where + ": lon " + number_text(x) + ", lat " + number_text(y) + " is not a WGS 84 position");
                to_metric.apply(&x, &y, 1, where);
            }
            r.add.push_back({x, y});
        }
    }
    if (const json_value* remove = body.find("remove")) {
        const auto& ids = remove->as_array("remove");
        for (std::size_t k = 0; k < ids.size(); ++k) {
            const std::string& id = ids[k].as_string("remove[" + std::to_string(k) + "]");
            if (std::find(facility_ids_.begin(), facility_ids_.end(), id) == facility_ids_.end())
                throw input_error("remove[" + std::to_string(k) + "]: no " + a.svc->name + " facility has the id '" + id + "'");
            r.remove.push_back(id);
        }
    }
    return r;
}

scenario_optimize_request scenario_engine::read_optimize_request(const json_value& body) const {
    scenario_optimize_request r;
    r.scenario = read_request(body, {"objective", "sites", "time_limit"});
    const json_value* goal = body.find("objective");
    if (!goal) throw input_error("objective: required (max-cover or cover-all)");
    r.goal = parse_objective(goal->as_string("objective"));
    if (r.goal != objective::max_cover && r.goal != objective::cover_all)
        throw input_error("objective: " + goal->as_string("objective") + " is not offered here (max-cover or cover-all)");
    if (const json_value* n = body.find("sites")) {
        const double v = n->as_number("sites");
        if (!(v >= 1) || v != std::floor(v) || v > 100000) throw input_error("sites: must be a whole number >= 1, got " + number_text(v));
        r.sites = static_cast<int>(v);
    }
    if (r.goal == objective::max_cover && r.sites < 0) throw input_error("sites: required for max-cover");
    if (const json_value* t = body.find("time_limit")) {
        r.time_limit_s = t->as_number("time_limit");
        if (!(r.time_limit_s > 0) || r.time_limit_s > 600) throw input_error("time_limit: seconds in (0, 600]");
    }
    return r;
}

struct scenario_engine::limits_state {
    std::array<double, 2> limit{no_limit, no_limit};  // by area class
    std::vector<double> point_limit;                   // per demand point
    std::vector<std::vector<reached_point>> within;    // per loaded site
    std::vector<double> site_people;                   // per loaded site: people within its limit
    std::vector<std::uint32_t> count;                  // per demand point: loaded sites covering it
    std::map<std::pair<edge_id, double>, std::vector<reached_point>> added;
    std::size_t added_points = 0;                      // in `added`
    std::optional<opt::coverage_matrix> matrix;        // the candidates' coverage, on the first optimize
    double max_limit() const { return std::max(limit[0], limit[1]); }
};

// The fields of an analysis that a trial changes; swapped in and out of the loaded analysis.
struct scenario_engine::fields {
    point_set facilities;
    std::vector<std::uint32_t> site_of_facility, facility_of_site;
    std::vector<double> facility_snap_m, units_present;
    std::vector<int> facility_unit;
    std::vector<site> sites;
    std::vector<std::vector<reached_point>> within, cells_within;
    std::vector<double> pop_within_limit, pop_nearest;
    std::vector<std::uint32_t> covering_sites;
    std::vector<double> pop_sole;
    std::vector<demand_status> status;
    nearest_result nearest, cell_nearest;
    population_split total;
    std::array<population_split, 2> by_class;
    std::array<std::optional<double>, 2> limit;
    std::array<std::string, 2> limit_source;

    void swap_with(analysis& a) {
        using std::swap;
        swap(facilities, a.facilities);
        swap(site_of_facility, a.site_of_facility);
        swap(facility_of_site, a.facility_of_site);
        swap(facility_snap_m, a.facility_snap_m);
        swap(units_present, a.units_present);
        swap(facility_unit, a.facility_unit);
        swap(sites, a.sites);
        swap(within, a.within);
        swap(cells_within, a.cells_within);
        swap(pop_within_limit, a.pop_within_limit);
        swap(pop_nearest, a.pop_nearest);
        swap(covering_sites, a.covering_sites);
        swap(pop_sole, a.pop_sole);
        swap(status, a.status);
        swap(nearest, a.nearest);
        swap(cell_nearest, a.cell_nearest);
        swap(total, a.total);
        swap(by_class, a.by_class);
        swap(limit, a.limit);
        swap(limit_source, a.limit_source);
    }
};

namespace {

// Puts a trial's fields into the analysis for the guard's lifetime, and the loaded ones back after.
class swapped {
public:
    template <class F>
    swapped(F& f, analysis& a) : swap_([&f, &a] { f.swap_with(a); }) { swap_(); }
    ~swapped() { swap_(); }
    swapped(const swapped&) = delete;
    swapped& operator=(const swapped&) = delete;

private:
    std::function<void()> swap_;
};

double elapsed_ms(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

scenario_engine::scenario_engine(std::unique_ptr<analysis> loaded, std::optional<candidate_set> candidates)
    : a_(std::move(loaded)), candidates_(std::move(candidates)) {
    analysis& a = *a_;
    facility_ids_ = a.facilities.id;
    if (a.capacitated)
        throw input_error("--capacity-field: capacities need an allocation over every site per trial; the workbench does not offer it");
    if (a.admin) units_ = std::make_unique<polygon_locator>(*a.admin);
    limits_state s;
    for (int c = 0; c < 2; ++c) s.limit[c] = a.limit[c].value_or(no_limit);
    const std::size_t nd = a.demand_pop.size();
    s.point_limit.resize(nd);
    for (std::size_t d = 0; d < nd; ++d) s.point_limit[d] = s.limit[static_cast<int>(a.demand_class[d])];
    s.within = std::move(a.within);  // the loaded analysis keeps no copy: trials assemble theirs
    a.within.clear();
    s.count.assign(nd, 0);
    for (const auto& list : s.within) {
        double people = 0;
        for (const reached_point& r : list) {
            ++s.count[r.point];
            people += a.demand_pop[r.point];
        }
        s.site_people.push_back(people);
    }
    states_.push_back(std::move(s));

    // The drawing grid: WGS 84 cells about as large as the population raster's (or the demand
    // cell), at most `drawing_cells` along the longer side.
    if (nd == 0) return;
    std::vector<double> lon(a.demand_x), lat(a.demand_y);
    transformer(a.crs, wgs84()).apply(lon, lat, "demand points");
    const auto [lon_min, lon_max] = std::minmax_element(lon.begin(), lon.end());
    const auto [lat_min, lat_max] = std::minmax_element(lat.begin(), lat.end());
    const double mid_lat = 0.5 * (*lat_min + *lat_max);
    constexpr double m_per_deg = 111320;
    const double width_m = (*lon_max - *lon_min) * m_per_deg * std::cos(mid_lat * M_PI / 180);
    const double height_m = (*lat_max - *lat_min) * m_per_deg;
    double raster_cell_m = std::fabs(a.pop.grid.gt[1]);
    if (a.pop.grid.srs.IsGeographic()) raster_cell_m *= m_per_deg * std::cos(mid_lat * M_PI / 180);
    const double cell_m = std::max({std::max(width_m, height_m) / drawing_cells, raster_cell_m, a.options.demand_cell_m, 1.0});
    grid_dlat_ = cell_m / m_per_deg;
    grid_dlon_ = cell_m / (m_per_deg * std::max(0.01, std::cos(mid_lat * M_PI / 180)));
    grid_lon0_ = *lon_min - grid_dlon_ / 2;
    grid_lat0_ = *lat_min - grid_dlat_ / 2;
    grid_cols_ = static_cast<int>((*lon_max - grid_lon0_) / grid_dlon_) + 1;
    grid_rows_ = static_cast<int>((*lat_max - grid_lat0_) / grid_dlat_) + 1;
    grid_cell_.resize(nd);
    for (std::size_t d = 0; d < nd; ++d) {
        const int c = std::min(grid_cols_ - 1, static_cast<int>((lon[d] - grid_lon0_) / grid_dlon_));
        const int r = std::min(grid_rows_ - 1, static_cast<int>((lat[d] - grid_lat0_) / grid_dlat_));
        grid_cell_[d] = static_cast<std::uint32_t>(r) * grid_cols_ + c;
    }
}

scenario_engine::~scenario_engine() = default;

scenario_engine::limits_state& scenario_engine::state_for(const scenario_request& r) {
    const analysis& a = *a_;
    std::array<double, 2> want = states_.front().limit;
    if (r.urban_limit) want[0] = *r.urban_limit;
    if (r.rural_limit) want[1] = *r.rural_limit;
    for (auto it = states_.begin(); it != states_.end(); ++it)
        if (it->limit == want) {
            if (it != states_.begin()) states_.splice(std::next(states_.begin()), states_, it);  // most recent after the loaded one
            return it == states_.begin() ? states_.front() : *std::next(states_.begin());
        }
    // Other limits: every loaded site's reach again (a full search per site, once per set of limits).
    limits_state s;
    s.limit = want;
    const std::size_t nd = a.demand_pop.size();
    s.point_limit.resize(nd);
    for (std::size_t d = 0; d < nd; ++d) s.point_limit[d] = s.limit[static_cast<int>(a.demand_class[d])];
    s.within = points_within_limits(a.built.net, *a.route, *a.demand, a.sites, s.point_limit, s.max_limit(), a.options.threads);
    s.count.assign(nd, 0);
    for (const auto& list : s.within) {
        double people = 0;
        for (const reached_point& p : list) {
            ++s.count[p.point];
            people += a.demand_pop[p.point];
        }
        s.site_people.push_back(people);
    }
    states_.insert(std::next(states_.begin()), std::move(s));
    while (states_.size() > max_limit_states) states_.pop_back();
    return *std::next(states_.begin());
}

std::vector<reached_point>& scenario_engine::reach_of(limits_state& s, const site& added) {
    const std::pair<edge_id, double> key{added.edge, added.offset_m};
    auto it = s.added.find(key);
    if (it != s.added.end()) return it->second;
    const analysis& a = *a_;
    auto within = points_within_limits(a.built.net, *a.route, *a.demand, {added}, s.point_limit, s.max_limit(), 1);
    s.added_points += within.front().size();
    return s.added.emplace(key, std::move(within.front())).first->second;
}

void scenario_engine::build_view(const scenario_request& r, limits_state& s, bool outputs, fields& v) {
    const analysis& a = *a_;
    const std::size_t nf = a.facilities.size(), nd = a.demand_pop.size();
    std::vector<std::uint8_t> closed(nf, 0);
    for (const std::string& id : r.remove) {
        bool found = false;
        for (std::size_t f = 0; f < nf; ++f)
            if (a.facilities.id[f] == id) closed[f] = 1, found = true;
        if (!found) throw input_error("remove: no " + a.svc->name + " facility has the id '" + id + "'");
    }
    if (s.added.size() + r.add.size() > max_cached_reach || s.added_points > max_cached_points) {
        s.added.clear();  // before any reference into it is taken
        s.added_points = 0;
    }
    std::vector<site> added;
    std::vector<double> added_snap;
    for (std::size_t k = 0; k < r.add.size(); ++k) {
        const snap_result sr = a.snap->nearest(r.add[k][0], r.add[k][1]);
        if (sr.edge == invalid_id || sr.distance_m > a.options.snap_limit_m)
            throw input_error("add[" + std::to_string(k) + "]: the point lies " + std::to_string(std::lround(sr.distance_m)) +
                              " m from the routable roads, beyond the snap limit (" +
                              std::to_string(std::lround(a.options.snap_limit_m)) + " m)");
        added.push_back({sr.edge, sr.offset_m});
        added_snap.push_back(sr.distance_m);
    }

    // Facilities: the kept ones in their order, then the added ones.
    point_set& fac = v.facilities;
    const point_set& base = a.facilities;
    fac.path = base.path;
    fac.layer = base.layer;
    fac.id_field = base.id_field;
    fac.name_field = base.name_field;
    fac.type_field = base.type_field;
    fac.has_type = base.has_type;
    for (const auto& [name, values] : base.numbers) fac.numbers[name];
    std::vector<const std::vector<reached_point>*> reach;  // per trial site
    std::vector<std::uint32_t> loaded_site;                 // per trial site: the loaded site, or invalid_id
    for (std::size_t f = 0; f < nf; ++f) {
        if (closed[f]) continue;
        const auto nf_view = static_cast<std::uint32_t>(fac.size());
        fac.x.push_back(base.x[f]);
        fac.y.push_back(base.y[f]);
        fac.id.push_back(base.id[f]);
        fac.name.push_back(base.name[f]);
        fac.type.push_back(base.type[f]);
        for (const auto& [name, values] : base.numbers) fac.numbers[name].push_back(values[f]);
        v.facility_snap_m.push_back(a.facility_snap_m[f]);
        v.units_present.push_back(a.units_present[f]);
        if (a.admin) v.facility_unit.push_back(a.facility_unit[f]);
        const std::uint32_t s0 = a.site_of_facility[f];
        if (s0 == invalid_id) {
            v.site_of_facility.push_back(invalid_id);
            continue;
        }
        v.site_of_facility.push_back(static_cast<std::uint32_t>(v.sites.size()));
        v.facility_of_site.push_back(nf_view);
        v.sites.push_back(a.sites[s0]);
        reach.push_back(&s.within[s0]);
        loaded_site.push_back(s0);
    }
    for (std::size_t k = 0; k < added.size(); ++k) {
        const auto nf_view = static_cast<std::uint32_t>(fac.size());
        fac.x.push_back(r.add[k][0]);
        fac.y.push_back(r.add[k][1]);
        fac.id.push_back("new-" + std::to_string(k + 1));
        fac.name.push_back("");
        fac.type.push_back("proposed");
        for (auto& [name, values] : fac.numbers) values.emplace_back();
        v.facility_snap_m.push_back(added_snap[k]);
        v.units_present.push_back(1);
        if (a.admin) v.facility_unit.push_back(units_->find(r.add[k][0], r.add[k][1]));
        v.site_of_facility.push_back(static_cast<std::uint32_t>(v.sites.size()));
        v.facility_of_site.push_back(nf_view);
        v.sites.push_back(added[k]);
        reach.push_back(&reach_of(s, added[k]));
        loaded_site.push_back(invalid_id);
    }

    // Cover counts: the loaded ones, less the closed sites' reach, plus the added sites'.
    std::vector<std::uint32_t> count(s.count);
    for (std::size_t f = 0; f < nf; ++f)
        if (closed[f] && a.site_of_facility[f] != invalid_id)
            for (const reached_point& p : s.within[a.site_of_facility[f]]) --count[p.point];
    for (std::size_t t = 0; t < reach.size(); ++t)
        if (loaded_site[t] == invalid_id)
            for (const reached_point& p : *reach[t]) ++count[p.point];
    v.status.resize(nd);
    for (std::size_t d = 0; d < nd; ++d) {
        if (s.point_limit[d] == no_limit) v.status[d] = demand_status::not_applicable;
        else if (!a.demand->on_network(static_cast<std::uint32_t>(d))) v.status[d] = demand_status::off_network;
        else v.status[d] = count[d] > 0 ? demand_status::covered : demand_status::uncovered;
    }
    // Nearest site of every point, whatever the limit (costs, catchments): one search over the graph.
    v.nearest = nearest_sites(a.built.net, *a.route, *a.demand, v.sites);

    v.pop_within_limit.assign(fac.size(), 0);
    v.pop_nearest.assign(fac.size(), 0);
    for (std::size_t t = 0; t < v.sites.size(); ++t) {
        double people = 0;
        if (loaded_site[t] != invalid_id) people = s.site_people[loaded_site[t]];
        else
            for (const reached_point& p : *reach[t]) people += a.demand_pop[p.point];
        v.pop_within_limit[v.facility_of_site[t]] = people;
    }
    // Criticality of the trial's facilities: the points only one open site covers.
    v.pop_sole.assign(fac.size(), 0);
    for (std::size_t t = 0; t < v.sites.size(); ++t)
        for (const reached_point& p : *reach[t])
            if (count[p.point] == 1) v.pop_sole[v.facility_of_site[t]] += a.demand_pop[p.point];
    v.covering_sites = count;
    for (std::size_t d = 0; d < nd; ++d) {
        if (v.nearest.site[d] != invalid_id && v.status[d] != demand_status::not_applicable)
            v.pop_nearest[v.facility_of_site[v.nearest.site[d]]] += a.demand_pop[d];
        v.total.add(v.status[d], a.demand_pop[d]);
        v.by_class[static_cast<int>(a.demand_class[d])].add(v.status[d], a.demand_pop[d]);
    }
    const limits_state& loaded = states_.front();
    for (int c = 0; c < 2; ++c) {
        v.limit[c] = s.limit[c] == no_limit ? std::nullopt : std::optional<double>(s.limit[c]);
        v.limit_source[c] = s.limit[c] == loaded.limit[c] ? a.limit_source[c] : "workbench request (user)";
    }

    if (!outputs) return;
    for (const auto* list : reach) v.within.push_back(*list);
    if (!a.cells) return;
    std::vector<double> cell_limit(a.cells->size());
    for (std::size_t c = 0; c < cell_limit.size(); ++c) cell_limit[c] = s.limit[static_cast<int>(a.cell_class[c])];
    const bool loaded_limits = &s == &loaded;
    std::vector<site> search;  // sites whose cells are not known under these limits
    std::vector<std::size_t> search_slot;
    v.cells_within.resize(v.sites.size());
    for (std::size_t t = 0; t < v.sites.size(); ++t) {
        if (loaded_limits && loaded_site[t] != invalid_id) {
            v.cells_within[t] = a.cells_within[loaded_site[t]];
        } else {
            search.push_back(v.sites[t]);
            search_slot.push_back(t);
        }
    }
    auto found = points_within_limits(a.built.net, *a.route, *a.cells, search, cell_limit, s.max_limit(), a.options.threads);
    for (std::size_t k = 0; k < found.size(); ++k) v.cells_within[search_slot[k]] = std::move(found[k]);
    v.cell_nearest = nearest_sites(a.built.net, *a.route, *a.cells, v.sites);
}

void scenario_engine::with_scenario(const scenario_request& r, bool outputs, const std::function<void(const analysis&)>& use) {
    std::lock_guard<std::mutex> hold(lock_);
    fields view;
    build_view(r, state_for(r), outputs, view);
    swapped in(view, *a_);
    use(*a_);
}

void scenario_engine::coverage_json(const scenario_request& r, json_writer& j, const std::string& version, bool grid) {
    const auto start = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> hold(lock_);
    fields view;
    limits_state& s = state_for(r);
    build_view(r, s, false, view);
    swapped in(view, *a_);
    write_coverage_json(*a_, j, version);
    j.field("elapsed_ms", elapsed_ms(start));
    if (grid) write_grid(s, j);
}

void scenario_engine::write_grid(const limits_state& s, json_writer& j) const {
    const analysis& a = *a_;
    enum { people, band1, band2, band3, uncovered, other, slots };
    std::vector<std::array<double, slots>> cells(static_cast<std::size_t>(grid_cols_) * grid_rows_, std::array<double, slots>{});
    for (std::size_t d = 0; d < grid_cell_.size(); ++d) {
        auto& c = cells[grid_cell_[d]];
        const double p = a.demand_pop[d];
        c[people] += p;
        switch (a.status[d]) {
        case demand_status::covered: {
            const double share = a.nearest.cost[d] / s.point_limit[d];
            c[share <= 1.0 / 3 ? band1 : share <= 2.0 / 3 ? band2 : band3] += p;
            break;
        }
        case demand_status::uncovered: c[uncovered] += p; break;
        default: c[other] += p;
        }
    }
    j.key("grid").begin_object();
    j.field("lon0", grid_lon0_).field("lat0", grid_lat0_).field("dlon", grid_dlon_).field("dlat", grid_dlat_);
    j.field("cols", grid_cols_).field("rows", grid_rows_);
    j.key("cells").begin_array();
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (cells[i][people] <= 0) continue;
        j.begin_array().value(static_cast<long long>(i));
        for (double v : cells[i]) j.value(static_cast<long long>(std::llround(v)));
        j.end_array();
    }
    j.end_array().end_object();
}

void scenario_engine::optimize_json(const scenario_optimize_request& r, json_writer& j, const std::string& version) {
    if (!candidates_)
        throw input_error("optimize: the workbench was started without --candidates or --candidate-spacing");
    const auto start = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> hold(lock_);
    fields view;
    limits_state& s = state_for(r.scenario);
    build_view(r.scenario, s, false, view);
    swapped in(view, *a_);
    const analysis& a = *a_;
    const candidate_set& cand = *candidates_;
    if (r.goal == objective::max_cover && static_cast<std::size_t>(r.sites) > cand.sites.size())
        throw input_error("sites: " + std::to_string(r.sites) + ", but only " + std::to_string(cand.sites.size()) +
                          " candidates lie on the network");
    // Which candidate covers whom depends on the limits only; what the trial already covers, on the trial.
    if (!s.matrix) s.matrix = candidate_matrix(a, cand);
    opt::coverage_matrix& m = *s.matrix;
    for (std::size_t d = 0; d < m.covered_by_existing.size(); ++d) m.covered_by_existing[d] = a.status[d] == demand_status::covered;

    opt::siting_options so;
    so.sites = r.sites;
    so.time_limit_s = r.time_limit_s;
    optimize_result out;
    out.goal = r.goal;
    out.solution = r.goal == objective::max_cover ? opt::max_cover(m, so) : opt::cover_all(m, so);
    out.candidates = cand.sites.size();
    out.candidates_off_network = cand.off_network;
    out.covered_existing = m.existing_population();
    out.coverable = m.coverable_population();
    const opt::siting_result& res = out.solution;
    const transformer to_wgs84(a.crs, wgs84());
    out.selected = ranked_sites(a, cand, res, out.covered_existing);
    for (proposed_site& p : out.selected) {
        double lon = p.x, lat = p.y;
        to_wgs84.apply(&lon, &lat, 1, "proposed site " + p.id);
        p.lon = lon;
        p.lat = lat;
    }
    write_optimize_json(out, a, j, version);
    j.field("elapsed_ms", elapsed_ms(start));
}

}  // namespace healthreach::geo
