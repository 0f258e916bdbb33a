#include "healthreach/geo/presentation.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/text.hpp"
#include "healthreach/geo/map_render.hpp"
#include "healthreach/geo/output_paths.hpp"
#include "healthreach/geo/qgis_project.hpp"
#include "healthreach/geo/qgis_style.hpp"
#include "healthreach/geo/report_html.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

namespace healthreach::geo {

void check_presentation_options(const presentation_options& o) {
    if (o.lang != "zh" && o.lang != "en") throw input_error("--lang " + o.lang + ": must be zh or en");
    check_extension(o.qgis_project, "--qgis-project", {".qgz"});
    check_extension(o.map, "--map", {".png", ".pdf"});
    check_extension(o.report, "--report", {".html", ".htm"});
}

std::string service_title(const std::string& service, const std::string& lang) {
    static const std::map<std::string, std::string> zh = {
        {"ambulance", "急救站"},          {"community-station", "社区卫生服务站"}, {"community-centre", "社区卫生服务中心"},
        {"township-centre", "乡镇卫生院"}, {"sub-centre", "县域医疗次中心"},     {"county-hospital", "县级医院"},
        {"city-hospital", "市级医院"},     {"village-clinic", "村卫生室"}};
    if (lang == "zh" && zh.count(service)) return zh.at(service);
    return service;
}

presentation analysis_presentation(const analysis& a, const std::string& gpkg, const std::string& lang,
                                   const std::string& command) {
    const bool zh = lang == "zh";
    const bool by_length = a.svc->cost_metric == metric::length;
    auto limit = [&](area_class c) -> std::string {
        const auto& v = a.limit[static_cast<int>(c)];
        if (!v) return zh ? "不适用" : "n/a";
        char buf[64];
        if (by_length) std::snprintf(buf, sizeof buf, "%g km", *v / 1000);
        else std::snprintf(buf, sizeof buf, zh ? "%g 分钟" : "%g min", *v / 60);
        return buf;
    };
    static const std::map<std::string, std::pair<std::string, std::string>> what = {
        {"coverage", {"服务覆盖", "coverage"}}, {"evaluate", {"候选点评估", "candidate evaluation"}},
        {"optimize", {"选址优化", "siting"}}};
    const auto& w = what.at(command);
    presentation p;
    p.gpkg = gpkg;
    p.admin = a.options.admin;
    p.admin_layer = a.options.admin_layer;
    p.snap_limit_m = a.options.snap_limit_m;
    p.title = zh ? service_title(a.svc->name, "zh") + w.first : "healthreach " + w.second + ": " + a.svc->name;
    const population_split& t = a.total;
    const double base = t.population - t.off_network - t.not_applicable;
    // The report's one formula: covered / (population - off network - not applicable).
    const std::string ratio = base > 0 ? format_number(100 * t.covered / base, 1) + "%" : (zh ? "不适用" : "n/a");
    p.subtitle = zh ? "城市 " + limit(area_class::urban) + " · 农村 " + limit(area_class::rural) + " · 现有设施覆盖 " + ratio + "（" +
                          format_number(t.covered) + " / " + format_number(base) + " 人）"
                    : "urban " + limit(area_class::urban) + " · rural " + limit(area_class::rural) + " · existing coverage " + ratio +
                          " (" + format_number(t.covered) + " of " + format_number(base) + " people)";
    return p;
}

void write_presentations(const presentation_options& o, const presentation& p, const std::string& version) {
    if (!o.qgis_project.empty()) {
        std::vector<project_layer> layers = output_layers(p.gpkg);
        if (!p.admin.empty()) {
            dataset_ptr ds = open_vector(p.admin);
            OGRLayer* l = p.admin_layer.empty() ? ds->GetLayer(0) : ds->GetLayerByName(p.admin_layer.c_str());
            if (l) {
                const std::string outline = qgis::layer_style("admin");
                // Borders drawn as outlines, above the areas and under the points.
                const auto at = std::find_if(layers.begin(), layers.end(), [](const project_layer& pl) {
                    return pl.layer == "uncovered" || pl.layer == "service_areas" || pl.layer == "compliance_units";
                });
                layers.insert(at, {p.admin, l->GetName(), std::string("admin: ") + l->GetName(), outline});
            }
        }
        write_qgis_project(layers, o.qgis_project, p.title);
    }
    const map_request request{p.gpkg, p.admin, p.admin_layer, p.title, p.subtitle, o.lang, p.snap_limit_m};
    // One drawing serves a PNG map and the report.
    const bool png_map = !o.map.empty() && std::filesystem::path(o.map).extension() == ".png";
    const std::string png = png_map || !o.report.empty() ? render_map_png(request) : std::string();
    if (png_map) write_file_atomically(o.map, png);
    else if (!o.map.empty()) render_map(request, o.map);
    if (!o.report.empty()) write_report_html(request, png, version, o.report);
}

}  // namespace healthreach::geo
