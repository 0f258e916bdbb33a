#include "healthreach/geo/presentation.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/coverage_breakdown.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/text.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/symbology.hpp"
#include "healthreach/geo/map_render.hpp"
#include "healthreach/geo/output_paths.hpp"
#include "healthreach/geo/qgis_project.hpp"
#include "healthreach/geo/qgis_style.hpp"
#include "healthreach/geo/report_html.hpp"
#include "healthreach/geo/roads.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>

namespace healthreach::geo {

void check_presentation_options(const presentation_options& o) {
    if (o.lang != "zh" && o.lang != "en") throw input_error("--lang " + o.lang + ": must be zh or en");
    check_extension(o.qgis_project, "--qgis-project", {".qgz"});
    check_extension(o.map, "--map", {".png", ".pdf"});
    check_extension(o.report, "--report", {".html", ".htm"});
    check_extension(o.admin_table, "--admin-table", {".csv"});
    const auto& sizes = map_sizes();
    if (std::find(sizes.begin(), sizes.end(), o.map_size) == sizes.end())
        throw input_error("--map-size " + o.map_size + ": must be one of a4-landscape, a4-portrait, a3-landscape, a3-portrait");
}

std::string service_title(const std::string& service, const std::string& lang) {
    static const std::map<std::string, std::string> zh = {
        {"ambulance", "急救站"},          {"community-station", "社区卫生服务站"}, {"community-centre", "社区卫生服务中心"},
        {"township-centre", "乡镇卫生院"}, {"sub-centre", "县域医疗次中心"},     {"county-hospital", "县级医院"},
        {"city-hospital", "市级医院"},     {"village-clinic", "村卫生室"}};
    if (lang == "zh" && zh.count(service)) return zh.at(service);
    return service;
}

std::string cost_text(double cost, bool by_length, bool zh) {
    char buf[64];
    if (!by_length) std::snprintf(buf, sizeof buf, zh ? "%g 分钟" : "%g min", std::round(cost / 6) / 10);
    else if (cost >= 1000) std::snprintf(buf, sizeof buf, "%g km", std::round(cost / 100) / 10);
    else std::snprintf(buf, sizeof buf, "%g m", std::round(cost));
    return buf;
}

namespace {

// The travel raster's reached cells with their centres in the analysis's CRS, and a cell's ground size.
std::shared_ptr<const cost_cells> reached_cells(const analysis& a) {
    auto out = std::make_shared<cost_cells>();
    if (a.cell_nearest.site.empty()) return out;
    const raster_grid& g = a.pop.grid;
    const transformer to_metric(g.srs, a.crs);
    std::vector<double> rx, ry;
    if (g.rows >= 2 && g.cols >= 2) {
        const int mid = g.rows / 2;
        std::vector<double> nx, ny;
        row_centres(g, to_metric, mid, rx, ry);
        row_centres(g, to_metric, mid + 1 < g.rows ? mid + 1 : mid - 1, nx, ny);
        const int c = g.cols / 2;
        out->cell_w = std::hypot(rx[c + 1 < g.cols ? c + 1 : c - 1] - rx[c], ry[c + 1 < g.cols ? c + 1 : c - 1] - ry[c]);
        out->cell_h = std::hypot(nx[c] - rx[c], ny[c] - ry[c]);
    }
    const double largest = a.max_limit();
    std::int64_t row_done = -1;
    for (std::size_t c = 0; c < a.cell_nearest.site.size(); ++c) {
        if (a.cell_nearest.site[c] == invalid_id || a.cell_nearest.cost[c] > largest) continue;
        const auto row = static_cast<std::int64_t>(a.cell_index[c] / static_cast<std::uint64_t>(g.cols));
        const auto col = static_cast<std::size_t>(a.cell_index[c] % static_cast<std::uint64_t>(g.cols));
        if (row != row_done) {
            row_centres(g, to_metric, static_cast<int>(row), rx, ry);
            row_done = row;
        }
        out->x.push_back(static_cast<float>(rx[col]));
        out->y.push_back(static_cast<float>(ry[col]));
        out->cost.push_back(static_cast<float>(a.cell_nearest.cost[c]));
    }
    return out;
}

// The demand layer's dots, extent and people by class, for outputs that leave the layer out.
std::shared_ptr<demand_digest> demand_of(const analysis& a) {
    auto out = std::make_shared<demand_digest>();
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        const double x = a.demand_x[d], y = a.demand_y[d];
        if (a.status[d] == demand_status::off_network) out->off_x.push_back(x), out->off_y.push_back(y);
        if (a.status[d] == demand_status::not_applicable) out->na_x.push_back(x), out->na_y.push_back(y);
        if (!out->any) out->min_x = out->max_x = x, out->min_y = out->max_y = y, out->any = true;
        out->min_x = std::min(out->min_x, x), out->max_x = std::max(out->max_x, x);
        out->min_y = std::min(out->min_y, y), out->max_y = std::max(out->max_y, y);
    }
    for (area_class c : {area_class::urban, area_class::rural}) {
        const population_split& s = a.by_class[static_cast<int>(c)];
        (c == area_class::urban ? out->urban : out->rural) = {s.population, s.covered, s.uncovered, s.off_network, s.not_applicable};
    }
    return out;
}

// The cost bands of the map with the people (on the network, with a limit) whose cost falls in each.
std::vector<cost_band> people_by_band(const analysis& a, bool zh) {
    const bool by_length = a.svc->cost_metric == metric::length;
    const auto urban = a.limit[static_cast<int>(area_class::urban)], rural = a.limit[static_cast<int>(area_class::rural)];
    std::vector<cost_band> bands;
    for (double edge : symbology::band_edges(urban, rural)) {
        std::string label = "≤ " + cost_text(edge, by_length, zh);
        const bool is_urban = urban && *urban == edge, is_rural = rural && *rural == edge;
        if (is_urban && is_rural) label += zh ? " · 标准" : " · the limit";
        else if (is_urban) label += zh ? " · 城市标准" : " · urban limit";
        else if (is_rural) label += zh ? " · 农村标准" : " · rural limit";
        bands.push_back({edge, label, 0});
    }
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        if (a.status[d] != demand_status::covered && a.status[d] != demand_status::uncovered) continue;
        if (a.nearest.site[d] == invalid_id) continue;
        for (cost_band& b : bands)
            if (a.nearest.cost[d] <= b.upper) {
                b.people += a.demand_pop[d];
                break;
            }
    }
    return bands;
}

// How the run was made, for the report's methods section.
std::vector<std::pair<std::string, std::string>> methods_of(const analysis& a, bool zh) {
    const bool by_length = a.svc->cost_metric == metric::length;
    std::vector<std::pair<std::string, std::string>> m;
    auto limit = [&](area_class c) {
        const int i = static_cast<int>(c);
        if (!a.limit[i]) return std::string(zh ? "规划未规定（不适用）" : "none in the plans (not applicable)");
        return cost_text(*a.limit[i], by_length, zh) + (zh ? "（" : " (") + a.limit_source[i] + (zh ? "）" : ")");
    };
    m.emplace_back(zh ? "服务与标准" : "Service and standard",
                   a.svc->name + (a.svc->description.empty() ? "" : " — " + a.svc->description) + (zh ? "；城市：" : "; urban: ") +
                       limit(area_class::urban) + (zh ? "；农村：" : "; rural: ") + limit(area_class::rural) +
                       (zh ? "；标准文件：" : "; standards: ") + a.rules.origin);
    const profile& prof = a.rules.profile_named(a.options.profile.empty() ? a.svc->profile : a.options.profile);
    m.emplace_back(zh ? "路网" : "Road network",
                   (zh ? "道路距离或时间沿路网计算（" : "costs along the roads (") + prof.name + (zh ? " 出行方式，速度来源：" : " profile; speeds: ") +
                       prof.source + (zh ? "）；可通行路段 " : "); routable lines ") + format_number(static_cast<double>(a.built.lines_routable)) +
                       (zh ? " 条，路网 " : ", network ") + format_number(a.built.net.total_length_m() / 1000, 1) +
                       (zh ? " km，节点 " : " km, ") + format_number(static_cast<double>(a.built.net.node_count())) +
                       (zh ? " 个；未连通的小片路网已剔除（" : " nodes; disconnected pieces left out (") +
                       format_number(static_cast<double>(a.built.components.dropped_edges)) + (zh ? " 条边）" : " edges)"));
    m.emplace_back(zh ? "人口与吸附" : "Population and snapping",
                   (zh ? "人口栅格每个有人口的格网为一个需求点（" : "each populated cell of the raster is a demand point (") +
                       format_number(static_cast<double>(a.demand_pop.size())) + (zh ? " 个，" : ", ") + format_number(a.total.population) +
                       (zh ? " 人）；需求点与设施吸附到最近道路，吸附距离上限 " : " people); demand and facilities snap to the nearest road within ") +
                       format_number(a.options.snap_limit_m) +
                       (zh ? " 米，超出者为路网外；离路段按步行计入" : " m, beyond which they are off the network; the leg to the road is walked at ") +
                       (zh ? "（" + format_number(a.rules.off_network_speed_kmh, 1) + " km/h）" : format_number(a.rules.off_network_speed_kmh, 1) + " km/h"));
    std::string urban;
    if (a.urbanisation) {
        urban = a.rules.urbanisation.source + (zh ? "：城市中心 " : ": urban centres ") + format_number(a.urban_split.urban_centre) + (zh ? " 人，城镇集群 " : " people, urban clusters ") +
                format_number(a.urban_split.urban_cluster) + (zh ? " 人，农村 " : " people, rural ") + format_number(a.urban_split.rural) +
                (zh ? " 人。规划的“城市地区”对应城市中心；城镇集群（县城、集镇）" : " people. The plans' city areas are the urban centres; urban clusters (towns) ") +
                (a.rules.urbanisation.clusters_urban ? (zh ? "按城市标准计（标准文件设定）。" : "take the urban limit (standards file).")
                                                     : (zh ? "按农村标准计。" : "take the rural limit."));
    } else {
        urban = (zh ? "城市范围取自 " : "urban areas from ") + a.options.urban + (zh ? "：城市 " : ": urban ") +
                format_number(a.urban_split.urban_centre) + (zh ? " 人，农村 " : " people, rural ") + format_number(a.urban_split.rural) +
                (zh ? " 人。" : " people.");
    }
    m.emplace_back(zh ? "城乡划分" : "Urban and rural", urban);
    m.emplace_back(zh ? "设施" : "Facilities",
                   format_number(static_cast<double>(a.facilities.size())) + (zh ? " 个符合该服务（文件中共 " : " provide the service (of ") +
                       format_number(static_cast<double>(a.facilities_in_file)) + (zh ? " 个），其中 " : " in the file); ") +
                       format_number(static_cast<double>(a.sites.size())) + (zh ? " 个在路网上参与计算。" : " on the network take part."));
    return m;
}

}  // namespace

presentation analysis_presentation(const analysis& a, const std::string& gpkg, const presentation_options& o,
                                   const std::string& command) {
    const bool zh = o.lang == "zh";
    const bool by_length = a.svc->cost_metric == metric::length;
    auto limit = [&](area_class c) -> std::string {
        const auto& v = a.limit[static_cast<int>(c)];
        if (!v) return zh ? "不适用" : "n/a";
        return cost_text(*v, by_length, zh);
    };
    static const std::map<std::string, std::pair<std::string, std::string>> what = {
        {"coverage", {"服务覆盖", "coverage"}}, {"evaluate", {"候选点评估", "candidate evaluation"}},
        {"optimize", {"选址优化", "siting"}}};
    const auto& w = what.at(command);
    presentation p;
    map_request& m = p.map;
    m.gpkg = gpkg;
    m.admin = a.options.admin;
    m.admin_layer = a.admin ? a.admin->layer : a.options.admin_layer;
    m.admin_field = a.admin ? a.admin->name_field : "";
    m.lang = o.lang;
    m.size = o.map_size;
    m.snap_limit_m = a.options.snap_limit_m;
    m.title = zh ? service_title(a.svc->name, "zh") + w.first : "healthreach " + w.second + ": " + a.svc->name;
    const population_split& t = a.total;
    const double base = t.population - t.off_network - t.not_applicable;
    // The report's one formula: covered / (population - off network - not applicable).
    const std::string ratio = base > 0 ? format_number(100 * t.covered / base, 1) + "%" : (zh ? "不适用" : "n/a");
    m.subtitle = zh ? "城市 " + limit(area_class::urban) + " · 农村 " + limit(area_class::rural) + " · 现有设施覆盖 " + ratio + "（" +
                          format_number(t.covered) + " / " + format_number(base) + " 人）"
                    : "urban " + limit(area_class::urban) + " · rural " + limit(area_class::rural) + " · existing coverage " + ratio +
                          " (" + format_number(t.covered) + " of " + format_number(base) + " people)";
    m.roads = &a.built.net;
    p.costs = reached_cells(a);
    m.costs = p.costs.get();
    m.bands = people_by_band(a, zh);
    if (!a.writes_demand_points()) {
        p.demand = demand_of(a);
        m.demand = p.demand.get();
    }
    m.bands_title = by_length ? (zh ? "到最近设施的道路距离" : "Road distance to the nearest site")
                              : (zh ? "到最近设施的出行时间" : "Travel time to the nearest site");
    for (const input_summary& in : a.inputs)
        if (in.role == "roads") p.roads = {in.file, in.layer, a.options.road_read.fields.highway};
    p.notes.methods = methods_of(a, zh);
    p.notes.warnings = a.warnings;
    if (!a.options.bands.empty()) {
        const std::vector<double> people = breakdown_by_unit(a).back().band_people;  // the last entry: the region
        for (std::size_t b = 0; b < people.size(); ++b) p.notes.bands.push_back({cost_text(a.options.bands[b], by_length, zh), people[b]});
        p.notes.band_base = base;
    }
    // The facilities a closure would hurt most, in coverage's report (siting reports are about new
    // sites); a handful: the facilities layer holds every one.
    constexpr std::size_t listed = 10;
    if (command == "coverage")
        for (std::size_t i : facilities_by_criticality(a)) {
            if (a.site_of_facility[i] == invalid_id) continue;
            ++p.notes.facilities_on_network;
            if (a.pop_sole[i] <= 0) ++p.notes.facilities_none_sole;
            else if (p.notes.most_relied_on.size() < listed)
                p.notes.most_relied_on.push_back({a.facilities.id[i], a.facilities.name[i], a.pop_within_limit[i], a.pop_sole[i]});
        }
    return p;
}

namespace {

// The output's per-admin table (its `summary` layer) as CSV: a header of the field names, numbers at
// round-trip precision, text quoted.
void write_admin_table(const std::string& gpkg, const std::string& path) {
    dataset_ptr ds = open_vector(output_transaction::readable_path(gpkg));
    OGRLayer* summary = ds->GetLayerByName("summary");
    if (!summary) throw input_error(gpkg + ": no summary table to write to " + path);
    OGRFeatureDefn* defn = summary->GetLayerDefn();
    std::string csv;
    for (int i = 0; i < defn->GetFieldCount(); ++i) csv += std::string(i ? "," : "") + defn->GetFieldDefn(i)->GetNameRef();
    csv += "\n";
    summary->ResetReading();
    for (feature_ptr f(summary->GetNextFeature()); f; f.reset(summary->GetNextFeature())) {
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            if (i) csv += ",";
            if (!f->IsFieldSetAndNotNull(i)) continue;
            const OGRFieldType type = defn->GetFieldDefn(i)->GetType();
            if (type == OFTReal) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.17g", f->GetFieldAsDouble(i));
                csv += buf;
            } else if (type == OFTInteger || type == OFTInteger64) {
                csv += f->GetFieldAsString(i);
            } else {
                std::string v = f->GetFieldAsString(i), quoted = "\"";
                for (char c : v) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
                csv += quoted + "\"";
            }
        }
        csv += "\n";
    }
    write_file_atomically(path, csv);
}

}  // namespace

void write_presentations(const presentation_options& o, const presentation& p, const std::string& version) {
    const map_request& m = p.map;
    if (!o.qgis_project.empty()) {
        std::vector<project_layer> layers = output_layers(m.gpkg);
        const bool bands = std::any_of(layers.begin(), layers.end(), [](const project_layer& pl) { return pl.layer == "bands"; });
        for (project_layer& pl : layers) {
            // The project in the report's language; the GeoPackage's own default style stays English.
            // Every populated cell as a point is the detail behind the map's picture (bands and the
            // uncovered areas), there to tick, not to draw by default (a prefecture has millions).
            if (pl.layer == "demand") {
                pl.qml = qgis::demand_by_status(m.snap_limit_m, o.lang);
                pl.visible = false;
            }
            // The travel raster's bands (or the --bands layer) show coverage; the service areas stay
            // available, unticked (a hundred overlapping areas hide the bands beneath).
            if (pl.layer == "service_areas" && (!p.travel_raster.empty() || bands)) pl.visible = false;
        }
        // Admin borders (named) and roads under the results' points, above their areas.
        const auto areas = std::find_if(layers.begin(), layers.end(), [](const project_layer& pl) {
            return pl.layer == "newly_covered" || pl.layer == "uncovered" || pl.layer == "service_areas" || pl.layer == "compliance_units";
        });
        std::size_t at = static_cast<std::size_t>(areas - layers.begin());
        if (!m.admin.empty()) {
            dataset_ptr ds = open_vector(m.admin);
            OGRLayer* l = m.admin_layer.empty() ? ds->GetLayer(0) : ds->GetLayerByName(m.admin_layer.c_str());
            if (l) {
                symbology::style outline = symbology::of("admin");
                outline.label_field = m.admin_field.c_str();
                layers.insert(layers.begin() + static_cast<std::ptrdiff_t>(at++),
                              {m.admin, l->GetName(), std::string(o.lang == "zh" ? "行政区：" : "admin: ") + l->GetName(), qgis::single(outline)});
            }
        }
        if (!p.roads.path.empty()) {
            // Roads go under the uncovered people, as on the map.
            const auto below = std::find_if(layers.begin(), layers.end(), [](const project_layer& pl) {
                return pl.layer == "service_areas" || pl.layer == "compliance_units";
            });
            road_options which;
            which.layer = p.roads.layer;
            project_layer roads{p.roads.path, road_layer_name(p.roads.path, which), o.lang == "zh" ? "道路" : "roads",
                                qgis::roads_by_class(p.roads.highway_field)};
            roads.context = true;
            layers.insert(below, roads);
        }
        if (!p.travel_raster.empty()) {
            std::vector<std::string> labels;
            std::vector<double> edges;
            for (const cost_band& b : m.bands) edges.push_back(b.upper), labels.push_back(b.label);
            project_layer raster{p.travel_raster, "", o.lang == "zh" ? "出行成本（栅格）" : "travel cost (raster)", qgis::cost_bands(edges, labels)};
            raster.raster = true;
            raster.context = true;
            layers.push_back(raster);
        }
        const map_layout frame = layout_map(m);
        write_qgis_project(layers, o.qgis_project, m.title, &frame.study_area);
    }
    // One drawing serves a PNG map and the report.
    const bool png_map = !o.map.empty() && std::filesystem::path(o.map).extension() == ".png";
    const std::string png = png_map || !o.report.empty() ? render_map_png(m) : std::string();
    if (png_map) write_file_atomically(o.map, png);
    else if (!o.map.empty()) render_map(m, o.map);
    if (!o.report.empty()) write_report_html(m, p.notes, png, version, o.report);
    if (!o.admin_table.empty()) write_admin_table(m.gpkg, o.admin_table);
}

}  // namespace healthreach::geo
