#include "healthreach/geo/access_io.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/error.hpp"

#include <cmath>
#include <stdexcept>

namespace healthreach::geo {

namespace {

void set_or_null(OGRFeature& f, const char* field, double v) {
    if (std::isfinite(v)) f.SetField(field, v);
    else f.SetFieldNull(f.GetFieldIndex(field));
}

// Adds `field` to a layer the coverage writer just wrote (features numbered 1.. in its order) and
// fills it from `values`, one per feature.
void add_real_field(OGRLayer& layer, const char* field, const std::vector<double>& values, const std::string& path) {
    OGRFieldDefn defn(field, OFTReal);
    if (layer.CreateField(&defn) != OGRERR_NONE) throw std::runtime_error(path + ": " + gdal_last_error());
    for (std::size_t k = 0; k < values.size(); ++k) {
        feature_ptr f(layer.GetFeature(static_cast<GIntBig>(k + 1)));
        if (!f) throw std::runtime_error(path + ": layer " + layer.GetName() + ": no feature " + std::to_string(k + 1));
        set_or_null(*f, field, values[k]);
        if (layer.SetFeature(f.get()) != OGRERR_NONE) throw std::runtime_error(path + ": " + gdal_last_error());
    }
}

void summary_json(json_writer& j, const access_summary& s) {
    j.field("population", s.population);
    j.field("access_mean", s.mean);
    j.field("population_below_half_mean", s.below_half_mean);
    j.field("share_below_half_mean", s.share_below_half_mean());
    j.field("population_no_access", s.no_access);
}

}  // namespace

void write_access_gpkg(const access_result& r, const std::string& path) {
    const analysis& a = *r.a;
    write_coverage_gpkg(a, path, [&](GDALDataset& ds) {
        // Above demand_points_auto_max points the scores are in the access raster and the summaries only.
        if (a.writes_demand_points()) add_real_field(find_layer(ds, path, "demand"), "access", r.score, path);
        OGRLayer& fac = find_layer(ds, path, "facilities");
        add_real_field(fac, "supply", r.supply, path);
        add_real_field(fac, "weighted_demand", r.weighted_demand, path);
        add_real_field(fac, "ratio", r.ratio, path);
        OGRLayer& table = create_layer(ds, "access_summary", wkbNone, nullptr,
                                       {{"name", OFTString}, {"population", OFTReal}, {"access_mean", OFTReal},
                                        {"population_below_half_mean", OFTReal}, {"share_below_half_mean", OFTReal},
                                        {"population_no_access", OFTReal}});
        feature_ptr f(OGRFeature::CreateFeature(table.GetLayerDefn()));
        std::vector<const access_summary*> rows;
        for (const access_summary& u : r.by_admin) rows.push_back(&u);
        rows.push_back(&r.total);
        for (const access_summary* s : rows) {
            const access_summary& row = *s;
            f->SetField("name", row.name.c_str());
            f->SetField("population", row.population);
            set_or_null(*f, "access_mean", row.mean);
            f->SetField("population_below_half_mean", row.below_half_mean);
            set_or_null(*f, "share_below_half_mean", row.share_below_half_mean());
            f->SetField("population_no_access", row.no_access);
            add_feature(table, *f);
        }
    });
}

void write_access_raster(const access_result& r, const std::string& path) {
    const analysis& a = *r.a;
    const raster_grid& g = a.pop.grid;
    const float nodata = -1;
    std::vector<float> values(g.cell_count(), nodata);
    for (std::size_t c = 0; c < r.cell_score.size(); ++c)
        if (!std::isnan(r.cell_score[c])) values[a.cell_index[c]] = static_cast<float>(r.cell_score[c]);
    write_cell_raster(g, values, nodata, "access", path);
}

void write_access_json(const access_result& r, json_writer& j, const std::string& version) {
    const analysis& a = *r.a;
    write_coverage_json(a, j, version);
    j.key("access").begin_object();
    j.field("method", "2SFCA");
    j.field("decay", access_decay_name(r.decay));
    if (r.supply_field.empty()) j.key("supply_field").null();
    else j.field("supply_field", r.supply_field);
    j.field("per_people", 1000);
    summary_json(j, r.total);
    j.field("population_off_network", r.population_off_network);
    j.field("population_not_applicable", r.population_not_applicable);
    j.field("supply_total", r.supply_total);
    j.field("supply_reaching_people", r.supply_reaching_people);
    j.field("facilities_without_demand", r.facilities_without_demand);
    j.key("by_admin").begin_array();
    for (const access_summary& s : r.by_admin) {
        j.begin_object().field("name", s.name);
        summary_json(j, s);
        j.end_object();
    }
    j.end_array();
    j.key("facilities").begin_array();
    for (std::size_t f = 0; f < a.facilities.size(); ++f) {
        j.begin_object().field("id", a.facilities.id[f]).field("name", a.facilities.name[f]);
        j.field("on_network", a.site_of_facility[f] != invalid_id);
        j.field("supply", r.supply[f]);
        j.field("weighted_demand", r.weighted_demand[f]);
        j.field("ratio", r.ratio[f]);
        j.end_object();
    }
    j.end_array();
    j.end_object();
}

}  // namespace healthreach::geo
