#include "cli.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/output_paths.hpp"
#include "healthreach/geo/text.hpp"

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

void add_graph_options(CLI::App& app, common_options& o) {
    app.add_option("--crs", o.crs, "Metric CRS of the run (EPSG:XXXX); default: the UTM zone of the data's centre");
    app.add_option("--graph-cache", o.graph_cache,
                   "Keep the built graph in this file and reuse it while the roads, profile and road options are unchanged");
    app.add_flag("--quiet", o.quiet, "No progress or messages on stderr");
}

void add_common_options(CLI::App& app, common_options& o) {
    add_graph_options(app, o);
    add_threads_option(app, o.threads);
    app.add_option("--snap-limit", o.snap_limit_m, "Largest snap distance in metres (default 1000)")
        ->check(non_negative);
}

void add_threads_option(CLI::App& app, int& threads) {
    app.add_option("--threads", threads, "Worker threads (default: all cores; at most " +
                                             std::to_string(max_threads_per_core) + " per core)")
        ->check(non_negative);
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
    app.add_option("--dem", o.build.dem, "Elevation raster: walking by Tobler's hiking function, driving slowed on grades");
    app.add_option("--closures", o.build.closures, "Polygons closing every road edge inside or crossing them");
    app.add_option("--speed-factors", o.build.speed_factors,
                   "Polygons whose field 'factor' (> 0) multiplies the speeds of the roads inside (0.5: snow)");
    auto* clip = app.add_option("--clip", o.read.clip, "Read only the roads within these polygons (plus --clip-buffer)");
    app.add_option("--clip-buffer", o.clip_buffer_m,
                   "Metres around --clip (analyses: default the service's largest limit plus the snap limit; network: 0)")
        ->check(non_negative)
        ->needs(clip);
}

void finish_road_options(road_input_options& o) {
    o.read.layer = o.roads_layer;
    if (o.clip_buffer_m >= 0) o.read.clip_buffer_m = o.clip_buffer_m;
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
    app.add_option("--facilities-layer", a.facility_fields.layer, "Layer of the --facilities file (default: its only point layer)");
    a.facility_fields.layer_option = "--facilities-layer";
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
    app.add_option("--demand-points", o.demand_points,
                   "The demand layer, a point per demand point: auto (default; up to 250,000 points), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    app.add_option("--delay-field", a.delay_field, "Facility field: start delay in minutes (time metrics)");
    app.add_option("--capacity-field", a.capacity_field, "Facility field: people a facility can serve");
    app.add_option("--id-field", a.facility_fields.id_field, "Point id field (default id; else the feature id)");
    app.add_option("--name-field", a.facility_fields.name_field, "Point name field (default: name, 名称, FacilityName, ... when present)");
    add_point_options(app, a.facility_fields, o.points);
    app.add_flag("--all-facilities", a.all_facilities, "Use every facility, whatever its type (a warning counts them)");
    app.add_option("--travel-raster", o.travel_raster, "GeoTIFF of cost to the nearest facility on the population grid");
    app.add_option("--out", o.out, "Output GeoPackage")->required();
    add_presentation_options(app, o.present);
    app.add_flag("--json", o.json, "Print the JSON summary on stdout (and nothing else)");
}

void add_presentation_options(CLI::App& app, geo::presentation_options& o) {
    app.add_option("--qgis-project", o.qgis_project, "Also write a QGIS project (.qgz) showing the output layers");
    app.add_option("--map", o.map, "Also write a map: .png (150 dpi) or .pdf");
    app.add_option("--map-size", o.map_size, "Paper of the map: a4-landscape (default), a4-portrait, a3-landscape, a3-portrait");
    app.add_option("--report", o.report, "Also write a self-contained HTML report");
    app.add_option("--admin-table", o.admin_table, "Also write the per-admin table (the summary layer) as CSV");
    app.add_option("--lang", o.lang, "Language of the map and report: zh (default) or en")->check(CLI::IsMember({"zh", "en"}));
}

void add_point_options(CLI::App& app, geo::point_options& o, point_input_cli& texts) {
    app.add_option("--type-field", o.type_field, "Facility type field (default type)");
    app.add_option("--type-map", texts.type_map,
                   "Map the layer's types to the standards' types: \"Hospital=ambulance-station,Polyclinic=community-centre\"");
    app.add_option("--lon-field", o.lon_field, "Tables (CSV, XLSX): longitude or x column (default: lon, lng, longitude, 经度 or x)");
    app.add_option("--lat-field", o.lat_field, "Tables (CSV, XLSX): latitude or y column (default: lat, latitude, 纬度 or y)");
    app.add_option("--points-crs", o.points_crs, "Tables (CSV, XLSX): CRS of the coordinate columns, EPSG:N (default EPSG:4326)");
    app.add_option("--coords", texts.coords, "Point coordinates from a web map: wgs84 (default), gcj02 (Amap, Tencent) or bd09 (Baidu)")
        ->check(CLI::IsMember({"wgs84", "gcj02", "bd09"}));
}

void finish_point_options(geo::point_options& o, const point_input_cli& texts) {
    o.types = texts.type_map.empty() ? geo::type_map{} : geo::parse_type_map(texts.type_map);
    o.coords = geo::parse_lonlat_system(texts.coords);
}

void finish_analysis_options(analysis_cli& o, std::vector<std::string> more_inputs) {
    geo::check_extension(o.out, "--out", {".gpkg"});
    geo::check_extension(o.travel_raster, "--travel-raster", {".tif", ".tiff"});
    geo::check_presentation_options(o.present);
    finish_road_options(o.roads);
    geo::analysis_options& a = o.analysis;
    finish_point_options(a.facility_fields, o.points);
    a.roads = o.roads.roads;
    a.road_read = o.roads.read;
    a.network_build = o.roads.build;
    a.profile = o.roads.profile;
    if (o.rural_limit > 0) a.rural_limit = o.rural_limit;
    a.demand_points = o.demand_points == "always" ? geo::demand_points_when::always
                      : o.demand_points == "never" ? geo::demand_points_when::never
                                                   : geo::demand_points_when::automatic;
    a.crs = o.common.crs;
    a.graph_cache = o.common.graph_cache;
    a.snap_limit_m = o.common.snap_limit_m;
    a.threads = static_cast<unsigned>(o.common.threads);  // 0: every core; the library caps it, with a warning
    std::vector<std::string> inputs = a.input_paths();
    inputs.insert(inputs.end(), more_inputs.begin(), more_inputs.end());
    geo::check_outputs({o.out, o.travel_raster, o.common.graph_cache, o.present.qgis_project, o.present.map, o.present.report,
                        o.present.admin_table},
                       inputs);
}

void write_analysis_presentations(const analysis_cli& o, const geo::analysis& a, const std::string& command,
                                  const std::string& subtitle_suffix) {
    geo::presentation p = geo::analysis_presentation(a, o.out, o.present, command);
    p.map.subtitle += subtitle_suffix;
    p.travel_raster = o.travel_raster;
    geo::write_presentations(o.present, p, HEALTHREACH_VERSION);
}

job_callbacks stderr_callbacks(const logger& log, progress_bar& bar, double share) {
    job_callbacks cb;
    cb.progress = [&bar, share](const std::string&, double done) {
        bar(share * done);
        return true;
    };
    cb.message = [&log, &bar](const std::string& line) {
        bar.interrupt();
        log.info(line);
    };
    return cb;
}

void report_analysis(const analysis_cli& o, const geo::analysis& a, const logger& log) {
    if (!a.graph_cache_status.empty()) log.info("graph cache ", o.common.graph_cache, ": ", a.graph_cache_status);
    for (const geo::input_summary& in : a.inputs) {
        std::string line = "input " + in.role + ": " + in.file;
        if (!in.layer.empty()) line += " layer " + in.layer;
        for (const auto& [purpose, field] : in.fields)
            if (!field.empty()) line += ", " + purpose + " field '" + field + "'";
        for (const auto& [what, n] : in.counts)  // km to the metre, people whole
            line += ", " + what + " " + geo::format_number(n, what.size() > 3 && what.compare(what.size() - 3, 3, "_km") == 0 ? 3 : 0);
        for (const std::string& note : in.notes) line += "; " + note;
        log.info(line);
    }
    for (const std::string& w : a.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
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

void progress_bar::interrupt() {
    if (log_.quiet() || printed_ < 0 || printed_ >= 40) return;
    std::fputc('\n', stderr);
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
