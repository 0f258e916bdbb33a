#include "cli.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/map_render.hpp"
#include "healthreach/geo/qgis_project.hpp"
#include "healthreach/geo/report_html.hpp"
#include "healthreach/geo/qgis_style.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <thread>

namespace healthreach::cli {

namespace {

// A CLI11 check that the value reads as a finite number meeting `ok`, else "must be RULE, got VALUE".
CLI::Validator number_check(bool (*ok)(double), const std::string& rule, const std::string& name) {
    return CLI::Validator(
        [ok, rule](const std::string& text) -> std::string {
            double value = 0;
            std::size_t used = 0;
            try {
                value = std::stod(text, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != text.size() || used == 0 || !std::isfinite(value) || !ok(value))
                return "must be " + rule + ", got '" + text + "'";
            return {};
        },
        name);
}

}  // namespace

const CLI::Validator non_negative = number_check([](double v) { return v >= 0; }, "a number >= 0", "NONNEGATIVE");
const CLI::Validator positive = number_check([](double v) { return v > 0; }, "a number > 0", "POSITIVE");

void add_common_options(CLI::App& app, common_options& o) {
    app.add_option("--crs", o.crs, "Metric CRS of the run (EPSG:XXXX); default: the UTM zone of the data's centre");
    app.add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(non_negative);
    app.add_option("--snap-limit", o.snap_limit_m, "Largest snap distance in metres (default 1000)")
        ->check(non_negative);
    app.add_option("--graph-cache", o.graph_cache,
                   "Keep the built graph in this file and reuse it while the roads, profile and road options are unchanged");
    app.add_flag("--quiet", o.quiet, "No progress or messages on stderr");
}

void add_road_options(CLI::App& app, road_input_options& o, bool roads_required) {
    auto* roads = app.add_option("--roads", o.roads, "Road lines: .osm.pbf/.osm or any OGR line layer");
    if (roads_required) roads->required();
    app.add_option("--roads-layer", o.roads_layer, "Layer of the roads file (default: lines for OSM, else the first)");
    app.add_option("--profile", o.profile, "Travel profile: drive or walk (analyses: default the service's)")->check(CLI::IsMember({"drive", "walk"}));
    app.add_option("--class-field", o.read.fields.highway, "Road class field (default highway)");
    app.add_option("--speed-field", o.read.fields.maxspeed, "Speed field in km/h (default maxspeed)");
    app.add_option("--oneway-field", o.read.fields.oneway, "One-way field (default oneway)");
    app.add_option("--junctions", o.junctions,
                   "shared: lines meet at every shared vertex (default); endpoints: only at their ends");
    app.add_option("--junction-tolerance", o.build.junction_tolerance_m,
                   "Vertices closer than this many metres are one junction (default 0: exact)")
        ->check(non_negative);
}

void finish_road_options(road_input_options& o) {
    o.read.layer = o.roads_layer;
    if (o.junctions == "shared") o.build.junctions = geo::junction_mode::shared_vertices;
    else if (o.junctions == "endpoints") o.build.junctions = geo::junction_mode::endpoints;
    else throw input_error("--junctions: unknown value '" + o.junctions + "' (shared or endpoints)");
}

void add_analysis_options(CLI::App& app, analysis_cli& o, bool facilities_required) {
    add_common_options(app, o.common);
    add_road_options(app, o.roads, true);
    geo::analysis_options& a = o.analysis;
    app.add_option("--population", a.population, "Population raster: people per cell, any CRS")->required();
    auto* fac = app.add_option("--facilities", a.facilities, "Existing facilities: OGR point layer or CSV with lon/lat");
    if (facilities_required) fac->required();
    app.add_option("--service", a.service, "Service of the standards file (ambulance, community-station, ...)")->required();
    app.add_option("--standards", a.standards_file, "TOML file overriding the built-in standards");
    app.add_option("--rural-limit", o.rural_limit, "Rural limit in the service's unit (metres or seconds)")
        ->check(positive);
    auto* urban = app.add_option("--urban", a.urban, "Urban-area polygons (default: Degree of Urbanisation)");
    app.add_option("--urban-layer", a.urban_layer, "Layer of the --urban file");
    app.add_flag("--urban-auto", o.urban_auto, "Urban areas by the Degree of Urbanisation (the default)")->excludes(urban);
    app.add_option("--admin", a.admin, "Admin-unit polygons for per-unit summaries");
    app.add_option("--admin-layer", a.admin_layer, "Layer of the --admin file (default: the first)");
    app.add_option("--admin-field", a.admin_field, "Name field of the admin units (default name)");
    app.add_option("--demand-cell", a.demand_cell_m, "Aggregate demand to cells of this size in metres")
        ->check(non_negative);
    app.add_option("--delay-field", a.delay_field, "Facility field: start delay in minutes (time metrics)");
    app.add_option("--capacity-field", a.capacity_field, "Facility field: people a facility can serve");
    app.add_option("--id-field", a.facility_fields.id_field, "Point id field (default id; else the feature id)");
    app.add_option("--name-field", a.facility_fields.name_field, "Point name field (default name)");
    app.add_flag("--all-facilities", a.all_facilities, "Use every facility, whatever its type");
    app.add_option("--travel-raster", o.travel_raster, "GeoTIFF of cost to the nearest facility on the population grid");
    app.add_option("--out", o.out, "Output GeoPackage")->required();
    add_presentation_options(app, o.present);
    app.add_flag("--json", o.json, "Print the JSON summary on stdout (and nothing else)");
}

void add_presentation_options(CLI::App& app, presentation_options& o) {
    app.add_option("--qgis-project", o.qgis_project, "Also write a QGIS project (.qgz) showing the output layers");
    app.add_option("--map", o.map, "Also write an A4 map: .png (150 dpi) or .pdf");
    app.add_option("--report", o.report, "Also write a self-contained HTML report");
    app.add_option("--lang", o.lang, "Language of the map and report: zh (default) or en")->check(CLI::IsMember({"zh", "en"}));
}

void check_presentation_options(const presentation_options& o) {
    if (!o.qgis_project.empty()) {
        if (std::filesystem::path(o.qgis_project).extension() != ".qgz")
            throw input_error("--qgis-project " + o.qgis_project + ": the file name must end in .qgz");
        geo::check_output_path(o.qgis_project);
    }
    if (!o.map.empty()) {
        const std::string ext = std::filesystem::path(o.map).extension().string();
        if (ext != ".png" && ext != ".pdf") throw input_error("--map " + o.map + ": the file name must end in .png or .pdf");
        geo::check_output_path(o.map);
    }
    if (!o.report.empty()) {
        const std::string ext = std::filesystem::path(o.report).extension().string();
        if (ext != ".html" && ext != ".htm") throw input_error("--report " + o.report + ": the file name must end in .html");
        geo::check_output_path(o.report);
    }
}

std::string service_title(const std::string& service, const std::string& lang) {
    static const std::map<std::string, std::string> zh = {
        {"ambulance", "急救站"},          {"community-station", "社区卫生服务站"}, {"community-centre", "社区卫生服务中心"},
        {"township-centre", "乡镇卫生院"}, {"sub-centre", "县域医疗次中心"},     {"county-hospital", "县级医院"},
        {"city-hospital", "市级医院"},     {"village-clinic", "村卫生室"}};
    if (lang == "zh" && zh.count(service)) return zh.at(service);
    return service;
}

presentation analysis_presentation(const analysis_cli& o, const geo::analysis& a, const std::string& command) {
    const bool zh = o.present.lang == "zh";
    const bool by_length = a.svc->cost_metric == geo::metric::length;
    auto limit = [&](geo::area_class c) -> std::string {
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
    p.gpkg = o.out;
    p.admin = o.analysis.admin;
    p.admin_layer = o.analysis.admin_layer;
    p.title = zh ? service_title(a.svc->name, "zh") + w.first : "healthreach " + w.second + ": " + a.svc->name;
    const geo::population_split& t = a.total;
    const double base = t.population - t.off_network - t.not_applicable;
    char buf[256];
    std::snprintf(buf, sizeof buf, zh ? "城市 %s · 农村 %s · 现有设施覆盖 %.1f%%（%.0f / %.0f 人）"
                                      : "urban %s · rural %s · existing coverage %.1f%% (%.0f of %.0f people)",
                  limit(geo::area_class::urban).c_str(), limit(geo::area_class::rural).c_str(),
                  base > 0 ? 100 * t.covered / base : 0.0, t.covered, base);
    p.subtitle = buf;
    return p;
}

void write_presentations(const presentation_options& o, const presentation& p) {
    if (!o.qgis_project.empty()) {
        std::vector<geo::project_layer> layers = geo::output_layers(p.gpkg);
        if (!p.admin.empty()) {
            geo::dataset_ptr ds = geo::open_vector(p.admin);
            OGRLayer* l = p.admin_layer.empty() ? ds->GetLayer(0) : ds->GetLayerByName(p.admin_layer.c_str());
            if (l) {
                using geo::qgis::symbol;
                const std::string outline = geo::qgis::single({symbol::fill, "0,0,0,0"}, "");
                // Borders drawn as outlines, above the areas and under the points.
                const auto at = std::find_if(layers.begin(), layers.end(), [](const geo::project_layer& pl) {
                    return pl.layer == "uncovered" || pl.layer == "service_areas" || pl.layer == "compliance_units";
                });
                layers.insert(at, {p.admin, l->GetName(), std::string("admin: ") + l->GetName(), outline});
            }
        }
        geo::write_qgis_project(layers, o.qgis_project, p.title);
    }
    const geo::map_request request{p.gpkg, p.admin, p.admin_layer, p.title, p.subtitle, o.lang};
    // One drawing serves a PNG map and the report.
    const bool png_map = !o.map.empty() && std::filesystem::path(o.map).extension() == ".png";
    const std::string png = png_map || !o.report.empty() ? geo::render_map_png(request) : std::string();
    if (png_map) geo::write_file_atomically(o.map, png);
    else if (!o.map.empty()) geo::render_map(request, o.map);
    if (!o.report.empty()) geo::write_report_html(request, png, HEALTHREACH_VERSION, o.report);
}

void finish_analysis_options(analysis_cli& o) {
    geo::check_output_path(o.out);
    if (!o.travel_raster.empty()) geo::check_output_path(o.travel_raster);
    if (!o.common.graph_cache.empty()) geo::check_output_path(o.common.graph_cache);
    check_presentation_options(o.present);
    finish_road_options(o.roads);
    geo::analysis_options& a = o.analysis;
    a.roads = o.roads.roads;
    a.road_read = o.roads.read;
    a.network_build = o.roads.build;
    a.profile = o.roads.profile;
    if (o.rural_limit > 0) a.rural_limit = o.rural_limit;
    a.crs = o.common.crs;
    a.graph_cache = o.common.graph_cache;
    a.snap_limit_m = o.common.snap_limit_m;
    a.threads = o.common.threads > 0 ? static_cast<unsigned>(o.common.threads)
                                     : std::max(1u, std::thread::hardware_concurrency());
}

std::unique_ptr<geo::analysis> run_analysis_logged(const analysis_cli& o, const logger& log) {
    progress_bar bar(log, "analysis");
    auto a = geo::run_analysis(o.analysis, [&](const std::string&, double done) { bar(done); });
    bar.done();
    if (!a->graph_cache_status.empty()) log.info("graph cache ", o.common.graph_cache, ": ", a->graph_cache_status);
    for (const std::string& w : a->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    return a;
}

progress_bar::progress_bar(const logger& log, std::string label) : log_(log) {
    if (!log_.quiet()) std::fprintf(stderr, "%s: ", label.c_str());
}

void progress_bar::operator()(double fraction) {
    if (log_.quiet()) return;
    const int step = static_cast<int>(std::min(1.0, std::max(0.0, fraction)) * 40);  // 2.5 % steps
    while (printed_ < step) {
        ++printed_;
        if (printed_ % 4 == 0) std::fprintf(stderr, "%d", printed_ / 4 * 10);
        else std::fputc('.', stderr);
    }
    std::fflush(stderr);
}

void progress_bar::done() {
    (*this)(1.0);
    if (!log_.quiet()) std::fprintf(stderr, " - done.\n");
}

double peak_memory_mib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

}  // namespace healthreach::cli
