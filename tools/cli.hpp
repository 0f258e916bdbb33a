#pragma once
// Shared pieces of the sub-commands: common options, road options, logging, progress.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/presentation.hpp"
#include "healthreach/progress.hpp"
#include "healthreach/threads.hpp"
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/roads.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace healthreach::cli {

struct common_options {
    std::string crs;
    int threads = 0;  // 0: all cores
    std::string graph_cache;
    double snap_limit_m = 1000;
    bool quiet = false;
};

struct road_input_options {
    std::string roads;
    std::string roads_layer;
    std::string profile;  // empty: drive for `network`, the service's profile for analyses
    std::string junctions = "shared";
    double clip_buffer_m = -1;  // --clip-buffer; negative: not given
    geo::road_options read;
    geo::network_options build;
};

// Number checks whose messages name the rule and the value given (CLI11's own print the range's
// bounds, the largest double included).
extern const CLI::Validator non_negative;
extern const CLI::Validator positive;

// --crs, --graph-cache and --quiet: what building a graph takes (the network command).
void add_graph_options(CLI::App& app, common_options& o);
// The graph options, --threads and --snap-limit: what every analysing command takes.
void add_common_options(CLI::App& app, common_options& o);
void add_threads_option(CLI::App& app, int& threads);
void add_road_options(CLI::App& app, road_input_options& o, bool roads_required);
// Resolves --junctions into the build options; input_error on an unknown value.
void finish_road_options(road_input_options& o);

void add_presentation_options(CLI::App& app, geo::presentation_options& o);

// How point inputs are read (facilities, candidates, villages): --type-field, --type-map,
// --lon-field, --lat-field, --points-crs, --coords. The texts of --type-map and --coords are parsed
// by finish_point_options (input_error naming the option).
struct point_input_cli {
    std::string type_map, coords = "wgs84";
};
void add_point_options(CLI::App& app, geo::point_options& o, point_input_cli& texts);
void finish_point_options(geo::point_options& o, const point_input_cli& texts);

// The options every analysing sub-command (coverage, evaluate, optimize, compliance) shares.
struct analysis_cli {
    common_options common;
    road_input_options roads;
    geo::analysis_options analysis;
    double rural_limit = 0;
    bool urban_auto = false;
    std::string demand_points = "auto";
    std::string out, travel_raster;
    geo::presentation_options present;
    point_input_cli points;
    bool json = false;
};
void add_analysis_options(CLI::App& app, analysis_cli& o, bool facilities_required);
// Fills analysis_options from the parsed flags and checks that no output is an input (the analysis'
// own and `more_inputs`: candidates, scenario, ...) or another output, before any work.
void finish_analysis_options(analysis_cli& o, std::vector<std::string> more_inputs = {});
// Writes the QGIS project, map and report of an analysing command (coverage, evaluate, optimize).
void write_analysis_presentations(const analysis_cli& o, const geo::analysis& a, const std::string& command,
                                  const std::string& subtitle_suffix = "");
// Progress as a GDAL-style bar on stderr and messages as lines, both silenced by --quiet. The job
// fills the bar up to `share`; the command's writing fills the rest, so 100 means the run is over.
constexpr double job_share = 0.8;
job_callbacks stderr_callbacks(const class logger& log, class progress_bar& bar, double share = job_share);
// Warnings of an analysis and the graph cache's status, on stderr.
void report_analysis(const analysis_cli& o, const geo::analysis& a, const class logger& log);

// Messages on stderr, silenced by --quiet; errors are printed by main regardless.
class logger {
public:
    explicit logger(bool quiet) : quiet_(quiet) {}
    template <class... A>
    void info(const A&... parts) const {
        if (quiet_) return;
        std::string line;
        (line += ... += to_text(parts));
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    bool quiet() const { return quiet_; }

private:
    static std::string to_text(const std::string& s) { return s; }
    static std::string to_text(const char* s) { return s; }
    template <class T>
    static std::string to_text(const T& v) { return std::to_string(v); }
    bool quiet_;
};

// GDAL-style progress on stderr: "0...10...20...30...40...50...60...70...80...90...100 - done."
class progress_bar {
public:
    progress_bar(const logger& log, std::string label);
    void operator()(double fraction);  // 0..1, monotone
    void interrupt();                   // a message line is about to be printed mid-bar
    void done();

private:
    const logger& log_;
    int printed_ = -1;
};

// Seconds since construction.
class stopwatch {
public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Peak resident memory of this process in MiB.
double peak_memory_mib();

// Each sub-command adds itself to the app and returns the function that runs it.
using command_runner = std::function<int()>;
command_runner add_network_command(CLI::App& app);
command_runner add_reach_command(CLI::App& app);
command_runner add_synth_command(CLI::App& app);
// `runner` runs the parts of a --partition run (empty: here, one after another; healthreach-mpi: on its ranks).
command_runner add_coverage_command(CLI::App& app, const geo::part_runner& runner = {});
command_runner add_optimize_command(CLI::App& app);
command_runner add_compliance_command(CLI::App& app);
command_runner add_evaluate_command(CLI::App& app);
command_runner add_serve_command(CLI::App& app);
command_runner add_access_command(CLI::App& app);
command_runner add_audit_command(CLI::App& app);

}  // namespace healthreach::cli
