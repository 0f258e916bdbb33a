#include "healthreach/geo/compliance_io.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/qgis_style.hpp"

#include <cstdio>

namespace healthreach::geo {

void write_compliance_gpkg(const compliance_report& rep, const std::string& path) {
    atomic_output out(path);
    {
        dataset_ptr ds = create_vector("GPKG", out.temp_path());
        ds->StartTransaction();
        write_compliance_layers(rep, *ds);
        if (ds->CommitTransaction() != OGRERR_NONE) throw std::runtime_error(path + ": " + gdal_last_error());
    }
    out.commit();
}

void write_compliance_layers(const compliance_report& rep, GDALDataset& ds) {
    {
        OGRLayer& table = create_layer(ds, "compliance", wkbNone, nullptr,
                                       {{"admin", OFTString}, {"level", OFTString}, {"rule", OFTString},
                                        {"description", OFTString}, {"source", OFTString}, {"required", OFTReal},
                                        {"present", OFTReal}, {"status", OFTString}, {"reason", OFTString}});
        feature_ptr f(OGRFeature::CreateFeature(table.GetLayerDefn()));
        for (const compliance_row& r : rep.rows) {
            f->SetField("admin", r.admin.c_str());
            f->SetField("level", r.level.c_str());
            f->SetField("rule", r.rule.c_str());
            f->SetField("description", r.description.c_str());
            f->SetField("source", r.source.c_str());
            if (r.status == rule_status::cannot_check) {
                f->SetFieldNull(f->GetFieldIndex("required"));
                f->SetFieldNull(f->GetFieldIndex("present"));
            } else {
                f->SetField("required", r.required);
                f->SetField("present", r.present);
            }
            f->SetField("status", rule_status_name(r.status));
            f->SetField("reason", r.reason.c_str());
            add_feature(table, *f);
        }
        OGRLayer& units = create_layer(ds, "compliance_units", wkbMultiPolygon, &rep.crs,
                                       {{"name", OFTString}, {"unmet", OFTInteger}});
        f.reset(OGRFeature::CreateFeature(units.GetLayerDefn()));
        for (std::size_t u = 0; u < rep.counties.size(); ++u) {
            f->SetField("name", rep.counties.name[u].c_str());
            f->SetField("unmet", rep.unmet[u]);
            f->SetGeometryDirectly(OGRGeometryFactory::forceToMultiPolygon(rep.counties.geometry[u]->clone()));
            add_feature(units, *f);
        }
        namespace sym = symbology;
        const sym::style& border = sym::of("admin");
        auto area = [&](const sym::colour& c) { return sym::style{c, border.outline, 0.2, sym::shape::none, 0, ""}; };
        qgis::add_default_style(ds, "compliance_units",
                                qgis::graduated("unmet", {{-0.5, 0.5, "all rules met", area(sym::compliance_unmet[0])},
                                                          {0.5, 2.5, "1-2 rules unmet", area(sym::compliance_unmet[1])},
                                                          {2.5, 1e9, "3 or more unmet", area(sym::compliance_unmet[2])}}));
    }
}

void write_compliance_csv(const compliance_report& rep, const std::string& path) {
    auto quoted = [](const std::string& s) {
        std::string q = "\"";
        for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    atomic_output out(path);
    {
        std::FILE* f = std::fopen(out.temp_path().c_str(), "w");
        if (!f) throw input_error(path + ": cannot create");
        std::fputs("admin,level,rule,source,required,present,status,reason\n", f);
        for (const compliance_row& r : rep.rows) {
            const bool known = r.status != rule_status::cannot_check;
            std::fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s\n", quoted(r.admin).c_str(), r.level.c_str(), r.rule.c_str(),
                         quoted(r.source).c_str(), known ? std::to_string(r.required).c_str() : "",
                         known ? std::to_string(r.present).c_str() : "", rule_status_name(r.status), quoted(r.reason).c_str());
        }
        if (std::fclose(f) != 0) throw std::runtime_error(path + ": write failed");
    }
    out.commit();
}

void write_compliance_json(const compliance_report& rep, json_writer& j) {
    j.key("rules").begin_array();
    for (const compliance_row& r : rep.rows) {
        j.begin_object();
        j.field("admin", r.admin).field("level", r.level).field("rule", r.rule).field("description", r.description);
        j.field("source", r.source);
        if (r.status == rule_status::cannot_check) {
            j.key("required").null();
            j.key("present").null();
        } else {
            j.field("required", r.required).field("present", r.present);
        }
        j.field("status", rule_status_name(r.status));
        if (r.status != rule_status::meets || !r.reason.empty()) j.field("reason", r.reason);
        j.end_object();
    }
    j.end_array();
    j.key("counts").begin_object();
    j.field("meets", rep.meets).field("short", rep.short_of).field("cannot-check", rep.cannot_check);
    j.end_object();
}

}  // namespace healthreach::geo
