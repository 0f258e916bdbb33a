#include "healthreach/geo/evaluate_io.hpp"

#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/qgis_style.hpp"

namespace healthreach::geo {

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

}  // namespace

void write_evaluate_gpkg(const evaluate_result& r, const std::string& path) {
    const analysis& a = *r.a;
    write_coverage_gpkg(a, path, [&](GDALDataset& ds) {
        OGRLayer& layer = create_layer(ds, "candidates", wkbPoint, &a.crs,
                                       {{"id", OFTString}, {"name", OFTString}, {"gain", OFTReal},
                                        {"rank", OFTInteger}, {"gaining_units", OFTString}});
        feature_ptr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
        for (std::size_t k : r.order) {  // best first, as the report and the JSON list them
            const candidate_evaluation& c = r.candidates[k];
            f->SetField("id", c.id.c_str());
            f->SetField("name", c.name.c_str());
            f->SetField("gain", c.gain);
            f->SetField("rank", static_cast<GIntBig>(c.rank));
            f->SetField("gaining_units", joined(c.admin_units).c_str());
            OGRPoint p(c.x, c.y);
            f->SetGeometry(&p);
            add_feature(layer, *f);
        }
        qgis::add_default_style(ds, "candidates", qgis::layer_style("candidates"));
        if (r.scenario.empty()) return;
        OGRLayer& table = create_layer(ds, "scenario", wkbNone, nullptr,
                                       {{"name", OFTString}, {"covered_existing", OFTReal},
                                        {"covered_scenario", OFTReal}, {"gain", OFTReal}});
        f.reset(OGRFeature::CreateFeature(table.GetLayerDefn()));
        for (const scenario_row& row : r.scenario_rows) {
            f->SetField("name", row.name.c_str());
            f->SetField("covered_existing", row.covered_existing);
            f->SetField("covered_scenario", row.covered_scenario);
            f->SetField("gain", row.covered_scenario - row.covered_existing);
            add_feature(table, *f);
        }
    });
}

void write_evaluate_json(const evaluate_result& r, json_writer& j, const std::string& version) {
    write_coverage_json(*r.a, j, version);
    j.key("candidates").begin_array();
    for (std::size_t s : r.order) {
        const candidate_evaluation& c = r.candidates[s];
        j.begin_object().field("id", c.id).field("name", c.name).field("gain", c.gain);
        j.field("rank", c.rank);
        j.key("admin_units").begin_array();
        for (const std::string& u : c.admin_units) j.value(u);
        j.end_array().end_object();
    }
    j.end_array();
    if (!r.scenario.empty()) {
        j.key("scenario").begin_object().field("layer", r.scenario).key("by_admin").begin_array();
        for (const scenario_row& row : r.scenario_rows)
            j.begin_object()
                .field("name", row.name)
                .field("covered_existing", row.covered_existing)
                .field("covered_scenario", row.covered_scenario)
                .field("gain", row.covered_scenario - row.covered_existing)
                .end_object();
        j.end_array().end_object();
    }
}

}  // namespace healthreach::geo
