#include "cli.hpp"

#include "healthreach/geo/error.hpp"

#include <sys/resource.h>

namespace healthreach::cli {

void add_common_options(CLI::App& app, common_options& o) {
    app.add_option("--crs", o.crs, "Metric CRS of the run (EPSG:XXXX); default: the UTM zone of the data's centre");
    app.add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
    app.add_option("--snap-limit", o.snap_limit_m, "Largest snap distance in metres (default 1000)")
        ->check(CLI::NonNegativeNumber);
    app.add_flag("--quiet", o.quiet, "No progress or messages on stderr");
}

void add_road_options(CLI::App& app, road_input_options& o, bool roads_required) {
    auto* roads = app.add_option("--roads", o.roads, "Road lines: .osm.pbf/.osm or any OGR line layer");
    if (roads_required) roads->required();
    app.add_option("--roads-layer", o.roads_layer, "Layer of the roads file (default: lines for OSM, else the first)");
    app.add_option("--profile", o.profile, "Travel profile: drive or walk")->check(CLI::IsMember({"drive", "walk"}));
    app.add_option("--class-field", o.read.fields.highway, "Road class field (default highway)");
    app.add_option("--speed-field", o.read.fields.maxspeed, "Speed field in km/h (default maxspeed)");
    app.add_option("--oneway-field", o.read.fields.oneway, "One-way field (default oneway)");
    app.add_option("--junctions", o.junctions,
                   "shared: lines meet at every shared vertex (default); endpoints: only at their ends");
    app.add_option("--junction-tolerance", o.build.junction_tolerance_m,
                   "Vertices closer than this many metres are one junction (default 0: exact)")
        ->check(CLI::NonNegativeNumber);
}

void finish_road_options(road_input_options& o) {
    o.read.layer = o.roads_layer;
    if (o.junctions == "shared") o.build.junctions = geo::junction_mode::shared_vertices;
    else if (o.junctions == "endpoints") o.build.junctions = geo::junction_mode::endpoints;
    else throw input_error("--junctions: unknown value '" + o.junctions + "' (shared or endpoints)");
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
