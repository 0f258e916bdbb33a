#include "healthreach/geo/optimize_io.hpp"

#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/qgis_style.hpp"

namespace healthreach::geo {

void write_optimize_gpkg(const optimize_result& r, const std::string& path) {
    const analysis& a = *r.a;
    write_coverage_gpkg(a, path, [&](GDALDataset& ds) {
        OGRLayer& layer = create_layer(ds, "proposed_sites", wkbPoint, &a.crs,
                                       {{"id", OFTString}, {"name", OFTString}, {"rank", OFTInteger},
                                        {"gain", OFTReal}, {"cumulative_covered", OFTReal}, {"vehicles", OFTInteger},
                                        {"served", OFTReal}, {"units_required", OFTInteger}});
        feature_ptr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
        for (std::size_t k = 0; k < r.selected.size(); ++k) {
            const proposed_site& p = r.selected[k];
            f->SetField("id", p.id.c_str());
            f->SetField("name", p.name.c_str());
            f->SetField("rank", static_cast<GIntBig>(k + 1));
            f->SetField("gain", p.gain);
            f->SetField("cumulative_covered", p.cumulative_covered);
            if (p.vehicles) f->SetField("vehicles", *p.vehicles);
            else f->SetFieldNull(f->GetFieldIndex("vehicles"));
            if (p.served) f->SetField("served", *p.served);
            else f->SetFieldNull(f->GetFieldIndex("served"));
            if (p.units_required) f->SetField("units_required", static_cast<GIntBig>(*p.units_required));
            else f->SetFieldNull(f->GetFieldIndex("units_required"));
            OGRPoint point(p.x, p.y);
            f->SetGeometry(&point);
            add_feature(layer, *f);
        }
        qgis::add_default_style(ds, "proposed_sites", qgis::layer_style("proposed_sites"));

        // The people the new sites bring within the limit, dissolved like `uncovered`.
        OGRLayer& gained = create_layer(ds, "newly_covered", wkbMultiPolygon, &a.crs, {{"pop", OFTReal}});
        std::vector<std::uint8_t> is_new(a.demand_pop.size(), 0);
        double people = 0;
        for (std::uint32_t d : r.newly_covered) is_new[d] = 1, people += a.demand_pop[d];
        std::vector<std::uint64_t> cells;
        for (std::size_t i = 0; i < a.pop.size(); ++i)
            if (is_new[a.demand_of_cell[i]]) cells.push_back(a.pop.cell[i]);
        feature_ptr g(OGRFeature::CreateFeature(gained.GetLayerDefn()));
        g->SetField("pop", people);
        g->SetGeometryDirectly(polygonize_cells(a.pop.grid, a.crs, cells).release());
        add_feature(gained, *g);
        qgis::add_default_style(ds, "newly_covered", qgis::layer_style("newly_covered"));
    });
}

void write_optimize_json(const optimize_result& r, json_writer& j, const std::string& version) {
    write_optimize_json(r, *r.a, j, version);
}

void write_optimize_json(const optimize_result& r, const analysis& a, json_writer& j, const std::string& version) {
    const opt::siting_result& s = r.solution;
    j.field("service", a.svc->name);
    j.field("metric", a.svc->cost_metric == metric::length ? "distance" : "time");
    j.field("objective_name", objective_name(r.goal));
    j.field("population_total", a.total.population);
    j.field("population_covered", s.covered);
    j.field("population_covered_existing", r.covered_existing);
    j.field("population_coverable", r.coverable);
    // The report's before/after ratios leave these out, as coverage's coverage_ratio does.
    j.field("population_off_network", a.total.off_network);
    j.field("population_not_applicable", a.total.not_applicable);
    j.field("objective", s.objective);
    j.field("bound", s.bound);
    j.field("gap", s.gap);
    j.field("solver", s.solver);
    j.field("candidates", r.candidates);
    j.key("selected").begin_array();
    for (const proposed_site& p : r.selected) {
        j.begin_object().field("id", p.id).field("x", p.x).field("y", p.y).field("gain", p.gain);
        if (p.lon && p.lat) j.field("lon", *p.lon).field("lat", *p.lat);
        if (p.vehicles) j.field("vehicles", *p.vehicles).field("existing", p.existing);
        if (p.served) j.field("served", *p.served);
        if (p.units_required) j.field("units_required", *p.units_required);
        j.end_object();
    }
    j.end_array();
    if (r.goal == objective::sub_centres) {
        j.key("rules_unmet").begin_array();
        for (const std::string& rule : r.rules_unmet) j.value(rule);
        j.end_array();
    }
    j.key("provenance").begin_object().field("version", version).field("crs", crs_label(a.crs)).end_object();
    write_inputs_and_warnings_json(a, j);
}

}  // namespace healthreach::geo
