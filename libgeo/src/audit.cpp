#include "healthreach/geo/audit.hpp"

#include "healthreach/geo/graph_cache.hpp"
#include "healthreach/error.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <set>

namespace healthreach::geo {

bool audit_unit::meets() const {
    return people.uncovered == 0 && (units_required < 0 || units_present >= units_required);
}

bool audit_service::meets() const {
    if (!assessed || !total.meets()) return false;
    return std::all_of(units.begin(), units.end(), [](const audit_unit& u) { return u.meets(); });
}

double audit_service::units_short() const {
    auto missing = [](const audit_unit& u) { return u.units_required < 0 ? 0.0 : std::max(0.0, u.units_required - u.units_present); };
    if (units.empty()) return missing(total);
    double n = 0;
    for (const audit_unit& u : units) n += missing(u);
    return n;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double ratio(const population_split& s) {
    const double base = s.population - s.off_network - s.not_applicable;
    return base > 0 ? s.covered / base : std::numeric_limits<double>::quiet_NaN();
}

audit_unit unit_of(std::string name, const population_split& people, double required, double present) {
    return {std::move(name), people, ratio(people), required, present};
}

// --graph-cache FILE keeps one cache per profile: FILE.drive, FILE.walk, ... before the extension.
std::string cache_of_profile(const std::string& cache, const std::string& profile) {
    if (cache.empty()) return cache;
    std::filesystem::path p(cache);
    const std::string ext = p.extension().string();
    p.replace_extension();
    return p.string() + "." + profile + ext;
}

// What one service's run gives the audit: totals, per admin unit, facilities.
void summarize(const analysis& a, audit_service& s) {
    s.facilities_matching = a.facilities.size();
    s.facilities_used = a.sites.size();
    double present = 0;
    for (double u : a.units_present) present += u;
    s.total = unit_of("", a.total, a.units_required(a.total.population), present);
    if (!a.admin) return;
    const std::size_t n = a.admin->size();
    std::vector<population_split> people(n);
    std::vector<double> units(n, 0.0);
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d)
        if (a.demand_unit[d] >= 0) people[a.demand_unit[d]].add(a.status[d], a.demand_pop[d]);
    for (std::size_t f = 0; f < a.facilities.size(); ++f)
        if (a.facility_unit[f] >= 0) units[a.facility_unit[f]] += a.units_present[f];
    for (std::size_t u = 0; u < n; ++u) s.units.push_back(unit_of(a.admin->name[u], people[u], a.units_required(people[u].population), units[u]));
}

void add_warning(audit_result& r, std::set<std::string>& seen, const std::string& w) {
    if (seen.insert(w).second) r.warnings.push_back(w);
}

}  // namespace

audit_result run_audit(const audit_options& request, const job_callbacks& callbacks) {
    const analysis_options& in = request.inputs;
    if (!in.service.empty() || !in.profile.empty() || in.rural_limit || in.all_facilities || !in.delay_field.empty() ||
        !in.capacity_field.empty() || in.graph)
        throw std::invalid_argument("run_audit: service, profile, rural limit, all facilities, delay, capacity and graph are per service");
    if (in.facilities.empty()) throw input_error("audit: --facilities is required (the services assessed are those it holds)");
    audit_result r;
    r.options = request;
    std::set<std::string> seen;
    auto clock = std::chrono::steady_clock::now();

    callbacks.advance("standards", 0);
    const standards rules = load_standards(in.standards_file);
    r.standards_origin = rules.origin;

    // Which services the facilities hold: their types, read once (in WGS 84: only the types count here).
    callbacks.advance("facilities", 0.005);
    point_options fields = in.facility_fields;
    fields.types = rules.merged_type_map(in.facility_fields.types);
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const point_set facilities = read_points(in.facilities, wgs84, fields);
    if (!facilities.has_type)
        throw input_error(in.facilities + " layer " + facilities.layer + ": no '" +
                          (fields.type_field.empty() ? std::string("type") : fields.type_field) +
                          "' field; the audit tells services apart by facility type (--type-field names the field, --type-map maps its values)");
    std::map<std::string, std::size_t> type_count;
    for (const std::string& t : facilities.type) ++type_count[t];
    r.phases.push_back({"facilities", seconds_since(clock)});

    std::map<std::string, std::vector<std::size_t>> by_profile;  // assessed services, by profile
    for (const auto& [name, svc] : rules.services) {
        audit_service s;
        s.name = name;
        s.description = svc.description;
        s.profile = svc.profile;
        s.metric = svc.cost_metric == metric::length ? "distance" : "time";
        for (area_class c : {area_class::urban, area_class::rural}) {
            s.limit[static_cast<int>(c)] = svc.limit(c).value;
            s.limit_source[static_cast<int>(c)] = svc.limit(c).source;
        }
        std::string types;
        for (const std::string& t : svc.facility_types) {
            s.facilities_matching += type_count.count(t) ? type_count.at(t) : 0;
            types += (types.empty() ? "" : ", ") + t;
        }
        if (s.facilities_matching == 0) s.reason = "no facility of type " + types + " in " + in.facilities;
        else if (!svc.urban.value && !svc.rural.value) s.reason = "the standards set no limit for it";
        else by_profile[svc.profile].push_back(r.services.size());
        r.services.push_back(std::move(s));
    }
    std::size_t to_run = 0;
    for (const auto& [p, list] : by_profile) to_run += list.size();
    if (to_run == 0) {
        // Nothing to audit is a wrong file or field rather than a region without health services.
        std::set<std::string> values(facilities.source_type.begin(), facilities.source_type.end());
        std::string shown;
        std::size_t n = 0;
        for (const std::string& v : values)
            if (n++ < 8) shown += (shown.empty() ? "'" : ", '") + v + "'";
        if (values.size() > 8) shown += ", and " + std::to_string(values.size() - 8) + " more";
        throw input_error(in.facilities + " layer " + facilities.layer + ": no facility of any service's types among " +
                          std::to_string(facilities.size()) + " features; field '" + facilities.type_field + "' holds " +
                          (shown.empty() ? std::string("nothing") : shown) +
                          " (--type-map \"VALUE=TYPE,...\" or the standards' [facility_types] maps them)");
    }

    // One graph per profile, loaded before its services and released after them. With --clip the
    // graph holds the roads the farthest-reaching of its services needs.
    std::size_t done = 0;
    std::map<std::string, double> summed;  // the services' phases, summed by name
    std::vector<std::string> phase_order;
    const double share = 0.95 / static_cast<double>(std::max<std::size_t>(1, to_run));
    for (const auto& [profile_name, list] : by_profile) {
        clock = std::chrono::steady_clock::now();
        callbacks.advance("graph " + profile_name, 0.01 + done * share);
        analysis_options first = in;
        graph_inputs graph_in;
        double widest = -1;
        for (std::size_t i : list) {
            first.service = r.services[i].name;
            const graph_inputs g = analysis_graph_inputs(first, rules);
            const double buffer = g.read.clip_buffer_m.value_or(0);
            if (buffer > widest) widest = buffer, graph_in = g;
        }
        auto graph = std::make_shared<const graph_result>(load_or_build_graph(graph_in, cache_of_profile(in.graph_cache, profile_name)));
        audit_graph g{profile_name, 1, list.size(), seconds_since(clock), graph->cache_status, graph->built.net.node_count(),
                      graph->built.net.edge_count()};
        r.phases.push_back({"graph " + profile_name, g.seconds});
        r.graphs.push_back(g);
        r.crs = graph->crs;

        for (std::size_t i : list) {
            audit_service& s = r.services[i];
            analysis_options o = in;
            o.service = s.name;
            o.graph = graph;
            o.service_areas = false;  // the audit sums people; service-area polygons are coverage's
            o.sites_required = false;  // stray facilities leave their service uncovered, the audit goes on
            const double start = 0.01 + done * share;
            job_callbacks cb;
            cb.message = callbacks.message;
            cb.progress = [&](const std::string& phase, double d) {
                return !callbacks.progress || callbacks.progress(s.name + ": " + phase, start + d * share);
            };
            std::unique_ptr<analysis> a = run_analysis(o, cb);
            summarize(*a, s);
            s.assessed = true;
            s.phases = a->phases;
            s.warnings = a->warnings;
            for (const phase_time& p : a->phases) {
                if (!summed.count(p.name)) phase_order.push_back(p.name);
                summed[p.name] += p.seconds;
            }
            for (const std::string& w : a->warnings) add_warning(r, seen, s.name + ": " + w);
            if (!r.admin && a->admin) {
                r.admin = std::move(a->admin);
                a->admin.reset();
            }
            if (r.inputs.empty()) {
                r.inputs = a->inputs;
                r.inputs.erase(std::remove_if(r.inputs.begin(), r.inputs.end(), [](const input_summary& x) { return x.role == "facilities"; }),
                               r.inputs.end());
                input_summary f = point_input_summary("facilities", facilities);
                for (const auto& [type, n] : type_count) f.counts.emplace_back("type " + type, static_cast<double>(n));
                r.inputs.push_back(std::move(f));
            }
            ++done;
        }
    }
    for (const std::string& name : phase_order) r.phases.push_back({"services: " + name, summed[name]});
    for (const std::string& w : facilities.warnings) add_warning(r, seen, w);

    callbacks.advance("compliance", 0.96);
    clock = std::chrono::steady_clock::now();
    if (in.admin.empty()) {
        r.compliance_reason = "no admin units (--admin): the plans' count and ratio rules are per admin unit";
    } else {
        compliance_options c;
        c.population = in.population;
        c.facilities = in.facilities;
        c.admin = in.admin;
        c.admin_layer = in.admin_layer;
        c.admin_field = in.admin_field;
        c.townships_layer = request.townships_layer;
        c.villages = request.villages;
        c.villages_layer = request.villages_layer;
        c.village_population_field = request.village_population_field;
        c.urban = in.urban;
        c.urban_layer = in.urban_layer;
        c.standards_file = in.standards_file;
        c.crs = in.crs;
        c.facility_fields = in.facility_fields;
        r.compliance = run_compliance(c);
        for (const std::string& w : r.compliance->warnings) add_warning(r, seen, "compliance: " + w);
        if (!r.admin) r.crs = r.compliance->crs;
    }
    r.phases.push_back({"compliance", seconds_since(clock)});
    callbacks.advance("summary", 1.0);
    return r;
}

}  // namespace healthreach::geo
