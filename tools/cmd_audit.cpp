// healthreach audit: every assessable service of the standards and the plans' rules, in one run.
#include "cli.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/audit_io.hpp"
#include "healthreach/geo/output_paths.hpp"

#include <cstdio>
#include <filesystem>

namespace healthreach::cli {

command_runner add_audit_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("audit", "Every service of the standards the facilities provide, and the plans' rules, in one run");
    struct options {
        common_options common;
        road_input_options roads;
        geo::audit_options audit;
        point_input_cli points;
        std::string out, report, lang = "zh";
        bool json = false;
    };
    auto o = std::make_shared<options>();
    geo::analysis_options& a = o->audit.inputs;
    add_common_options(*cmd, o->common);
    add_road_options(*cmd, o->roads, true);
    cmd->remove_option(cmd->get_option("--profile"));  // each service runs on its own profile
    cmd->add_option("--population", a.population, "Population raster: people per cell, any CRS")->required();
    cmd->add_option("--facilities", a.facilities, "Existing facilities with a type field: OGR point layer or CSV with lon/lat")->required();
    cmd->add_option("--facilities-layer", a.facility_fields.layer, "Layer of the --facilities file (default: its only point layer)");
    a.facility_fields.layer_option = "--facilities-layer";
    cmd->add_option("--standards", a.standards_file, "TOML file overriding the built-in standards");
    auto* urban = cmd->add_option("--urban", a.urban, "Urban-area polygons (default: Degree of Urbanisation)");
    cmd->add_option("--urban-layer", a.urban_layer, "Layer of the --urban file")->needs(urban);
    cmd->add_option("--admin", a.admin, "Admin units (counties; townships in its `townships` layer): per-unit table and the plans' rules");
    cmd->add_option("--admin-layer", a.admin_layer, "County-level layer of --admin (default: the first)");
    cmd->add_option("--admin-field", a.admin_field, "Name field of the admin units (default name)");
    cmd->add_option("--townships-layer", o->audit.townships_layer, "Township-level layer of --admin (default townships)");
    cmd->add_option("--villages", o->audit.villages, "Villages: points or polygons with a population field (village-clinic rules)");
    cmd->add_option("--villages-layer", o->audit.villages_layer, "Layer of the --villages file (default: its only point layer)");
    cmd->add_option("--demand-cell", a.demand_cell_m, "Aggregate demand to cells of this size in metres")->check(non_negative);
    cmd->add_option("--id-field", a.facility_fields.id_field, "Facility id field (default id; else the feature id)");
    cmd->add_option("--name-field", a.facility_fields.name_field, "Facility name field (default: name, 名称, FacilityName, ... when present)");
    add_point_options(*cmd, a.facility_fields, o->points);
    cmd->add_option("--out", o->out, "Output GeoPackage (a layer per service, the service x unit table, compliance)")->required();
    cmd->add_option("--report", o->report, "Also write the HTML report (both: R.html in Chinese and R.en.html in English)");
    cmd->add_option("--lang", o->lang, "Language of the report: zh (default), en or both")->check(CLI::IsMember({"zh", "en", "both"}));
    cmd->add_flag("--json", o->json, "Print the JSON document on stdout (and nothing else)");

    return [o]() {
        const logger log(o->common.quiet);
        stopwatch total;
        finish_road_options(o->roads);
        geo::analysis_options& a = o->audit.inputs;
        finish_point_options(a.facility_fields, o->points);
        a.roads = o->roads.roads;
        a.road_read = o->roads.read;
        a.network_build = o->roads.build;
        a.crs = o->common.crs;
        a.graph_cache = o->common.graph_cache;
        a.snap_limit_m = o->common.snap_limit_m;
        a.threads = static_cast<unsigned>(o->common.threads);
        geo::check_extension(o->out, "--out", {".gpkg"});
        geo::check_extension(o->report, "--report", {".html", ".htm"});
        // Reports: (path, language).
        std::vector<std::pair<std::string, std::string>> reports;
        if (!o->report.empty()) {
            if (o->lang == "both") {
                std::filesystem::path en(o->report);
                en.replace_extension(".en" + en.extension().string());
                reports = {{o->report, "zh"}, {en.string(), "en"}};
            } else {
                reports = {{o->report, o->lang}};
            }
        }
        std::vector<std::string> outputs_named = {o->out, o->common.graph_cache};
        for (const auto& [path, lang] : reports) outputs_named.push_back(path);
        geo::check_outputs(outputs_named, o->audit.input_paths());

        progress_bar bar(log, "audit");
        const geo::audit_result r = geo::run_audit(o->audit, stderr_callbacks(log, bar));
        stopwatch write;
        geo::output_transaction outputs;
        geo::write_audit_gpkg(r, o->out);
        for (const auto& [path, lang] : reports) geo::write_audit_report(r, lang, HEALTHREACH_VERSION, path);
        outputs.commit();
        bar.done();
        const double write_s = write.seconds();
        for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

        char buf[512];
        for (const geo::audit_service& s : r.services) {
            if (!s.assessed) {
                log.info("audit: ", s.name, ": not assessed (", s.reason, ")");
                continue;
            }
            std::snprintf(buf, sizeof buf, "audit: %s: %s; coverage %.1f %%, %.0f uncovered, %.0f off network; units short %.0f",
                          s.name.c_str(), s.meets() ? "meets" : "short", 100 * s.total.coverage_ratio, s.total.people.uncovered,
                          s.total.people.off_network, s.units_short());
            log.info(buf);
        }
        if (r.compliance)
            log.info("audit: rules: ", r.compliance->meets, " meet, ", r.compliance->short_of, " short, ", r.compliance->cannot_check,
                     " cannot be checked");
        for (const geo::audit_graph& g : r.graphs) {
            std::snprintf(buf, sizeof buf, "graph %s: loaded %zu time(s) for %zu services in %.2f s", g.profile.c_str(), g.loads, g.services,
                          g.seconds);
            log.info(buf, g.cache_status.empty() ? "" : " (cache " + g.cache_status + ")");
        }
        std::string phases;
        for (const auto& p : r.phases) {
            std::snprintf(buf, sizeof buf, "%s %.2f s, ", p.name.c_str(), p.seconds);
            phases += buf;
        }
        std::snprintf(buf, sizeof buf, "write %.2f s; total %.2f s; peak memory %.0f MiB", write_s, total.seconds(), peak_memory_mib());
        log.info("time: ", phases, buf);
        if (o->json) {
            geo::json_writer j;
            j.begin_object();
            geo::write_audit_json(r, j, HEALTHREACH_VERSION);
            j.end_object();
            std::printf("%s\n", j.str().c_str());
        }
        return 0;
    };
}

}  // namespace healthreach::cli
