// healthreach compliance: the plans' count and ratio rules per admin unit.
#include "cli.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/compliance_io.hpp"
#include "healthreach/geo/output_paths.hpp"

#include <cstdio>
#include <filesystem>

namespace healthreach::cli {

command_runner add_compliance_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("compliance", "Check the plans' count and ratio rules per admin unit");
    struct options {
        geo::compliance_options c;
        std::string out, csv;
        geo::presentation_options present;
        point_input_cli points;
        bool json = false, quiet = false;
    };
    auto o = std::make_shared<options>();
    cmd->add_option("--population", o->c.population, "Population raster")->required();
    cmd->add_option("--facilities", o->c.facilities, "Facilities with a type field")->required();
    cmd->add_option("--admin", o->c.admin, "Admin units (counties; townships in its `townships` layer)")->required();
    cmd->add_option("--admin-layer", o->c.admin_layer, "County-level layer of --admin (default: the first)");
    cmd->add_option("--admin-field", o->c.admin_field, "Unit name field (default name)");
    cmd->add_option("--townships-layer", o->c.townships_layer, "Township-level layer of --admin (default townships)");
    cmd->add_option("--facilities-layer", o->c.facility_fields.layer, "Layer of the --facilities file (default: its only point layer)");
    o->c.facility_fields.layer_option = "--facilities-layer";
    cmd->add_option("--villages", o->c.villages, "Villages: points or polygons with a population field");
    cmd->add_option("--villages-layer", o->c.villages_layer, "Layer of the --villages file (default: its only point layer)");
    cmd->add_option("--urban", o->c.urban, "Urban-area polygons (default: Degree of Urbanisation)");
    cmd->add_option("--standards", o->c.standards_file, "TOML file overriding the built-in standards");
    cmd->add_option("--crs", o->c.crs, "Metric CRS (default: the UTM zone of the admin units' centre)");
    cmd->add_option("--id-field", o->c.facility_fields.id_field, "Facility id field (default id)");
    cmd->add_option("--name-field", o->c.facility_fields.name_field, "Facility name field (default: name, 名称, FacilityName, ... when present)");
    add_point_options(*cmd, o->c.facility_fields, o->points);
    cmd->add_option("--out", o->out, "Output GeoPackage (table compliance, layer compliance_units)")->required();
    cmd->add_option("--csv", o->csv, "Also write the rows as CSV (default: beside --out, same name, .csv)");
    add_presentation_options(*cmd, o->present);
    cmd->add_flag("--json", o->json, "Print the JSON report on stdout");
    cmd->add_flag("--quiet", o->quiet, "No messages on stderr");

    return [o]() {
        const logger log(o->quiet);
        geo::check_presentation_options(o->present);
        finish_point_options(o->c.facility_fields, o->points);
        const std::string csv = o->csv.empty() ? std::filesystem::path(o->out).replace_extension(".csv").string() : o->csv;
        geo::check_extension(o->out, "--out", {".gpkg"});
        geo::check_extension(csv, "--csv", {".csv"});
        const geo::compliance_options& c = o->c;
        geo::check_outputs({o->out, csv, o->present.qgis_project, o->present.map, o->present.report, o->present.admin_table},
                           {c.population, c.facilities, c.admin, c.villages, c.urban, c.standards_file});
        const geo::compliance_report rep = geo::run_compliance(c);
        for (const std::string& w : rep.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
        geo::output_transaction outputs;
        geo::write_compliance_gpkg(rep, o->out);
        geo::write_compliance_csv(rep, csv);
        {
            const bool zh = o->present.lang == "zh";
            geo::presentation p;
            p.map.gpkg = o->out;
            p.map.lang = o->present.lang;
            p.map.size = o->present.map_size;
            p.map.title = zh ? "卫生服务体系规划达标情况" : "healthreach compliance with the plans' rules";
            p.map.subtitle = std::to_string(rep.rows.size()) + (zh ? " 条规则检查：" : " rule checks: ") + std::to_string(rep.meets) +
                         (zh ? " 达标，" : " met, ") + std::to_string(rep.short_of) + (zh ? " 未达标" : " short");
            geo::write_presentations(o->present, p, HEALTHREACH_VERSION);
        }
        outputs.commit();
        log.info("compliance: ", rep.rows.size(), " rows: ", rep.meets, " meet, ", rep.short_of, " short, ",
                 rep.cannot_check, " cannot be checked; written to ", o->out, " and ", csv);
        if (o->json) {
            geo::json_writer j;
            j.begin_object();
            geo::write_compliance_json(rep, j);
            j.end_object();
            std::printf("%s\n", j.str().c_str());
        }
        return 0;
    };
}

}  // namespace healthreach::cli
