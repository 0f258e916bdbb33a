#include "healthreach/geo/coverage_io.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/coverage_breakdown.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/qgis_style.hpp"

#include <gdal_alg.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace healthreach::geo {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

void set_or_null(OGRFeature& f, const char* field, double v) {
    if (std::isfinite(v)) f.SetField(field, v);
    else f.SetFieldNull(f.GetFieldIndex(field));
}

// Demand cost in metres and seconds, whichever the search metric.
void demand_costs(const analysis& a, std::size_t d, double& cost_m, double& cost_s) {
    const bool known = a.nearest.site[d] != invalid_id;
    const double c = known ? a.nearest.cost[d] : nan, o = known ? a.nearest.other[d] : nan;
    cost_m = a.svc->cost_metric == metric::length ? c : o;
    cost_s = a.svc->cost_metric == metric::length ? o : c;
}

double ratio(double covered, const population_split& s) {
    const double base = s.population - s.off_network - s.not_applicable;
    return base > 0 ? covered / base : nan;
}

struct unit_totals {
    population_split all;
    std::array<population_split, 2> by_class;
    double units_present = 0;
};

// Per admin unit (index; the last entry holds points in no unit) and per class.
std::vector<unit_totals> admin_totals(const analysis& a) {
    const std::size_t n = a.admin ? a.admin->size() : 0;
    std::vector<unit_totals> units(n + 1);
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        const int u = a.admin ? a.demand_unit[d] : -1;
        unit_totals& t = units[u >= 0 ? u : n];
        t.all.add(a.status[d], a.demand_pop[d]);
        t.by_class[static_cast<int>(a.demand_class[d])].add(a.status[d], a.demand_pop[d]);
    }
    for (std::size_t f = 0; f < a.facilities.size(); ++f) {
        const int u = a.admin ? a.facility_unit[f] : -1;
        units[u >= 0 ? u : n].units_present += a.units_present[f];
    }
    return units;
}

// One point per demand point. Fields are set by index: by name, each of 1.4 million rows would
// look up its eight names.
void write_demand_layer(const analysis& a, GDALDataset& ds) {
    std::vector<std::pair<std::string, OGRFieldType>> demand_fields = {
        {"pop", OFTReal},     {"area_class", OFTString}, {"limit", OFTReal},   {"nearest_id", OFTString},
        {"cost_m", OFTReal},  {"cost_s", OFTReal},       {"covered", OFTInteger}, {"snap_m", OFTReal}};
    if (a.capacitated) {
        demand_fields.emplace_back("served_by", OFTString);
        demand_fields.emplace_back("unserved_for_capacity", OFTReal);
    }
    OGRLayer& demand = create_layer(ds, "demand", wkbPoint, &a.crs, demand_fields);
    feature_ptr f(OGRFeature::CreateFeature(demand.GetLayerDefn()));
    enum { pop, cls, limit, nearest_id, cost_m, cost_s, covered, snap_m, served_by, unserved };
    int field[10];
    for (std::size_t k = 0; k < demand_fields.size(); ++k) field[k] = f->GetFieldIndex(demand_fields[k].first.c_str());
    auto number_or_null = [&](int k, double v) {
        if (std::isfinite(v)) f->SetField(field[k], v);
        else f->SetFieldNull(field[k]);
    };
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        f->SetField(field[pop], a.demand_pop[d]);
        f->SetField(field[cls], area_class_name(a.demand_class[d]));
        number_or_null(limit, a.limit_of(a.demand_class[d]) == no_limit ? nan : a.limit_of(a.demand_class[d]));
        const std::uint32_t s = a.nearest.site[d];
        if (s != invalid_id) f->SetField(field[nearest_id], a.facilities.id[a.facility_of_site[s]].c_str());
        else f->SetFieldNull(field[nearest_id]);
        double cm, cs;
        demand_costs(a, d, cm, cs);
        number_or_null(cost_m, cm);
        number_or_null(cost_s, cs);
        if (a.status[d] == demand_status::not_applicable) f->SetFieldNull(field[covered]);
        else f->SetField(field[covered], a.status[d] == demand_status::covered ? 1 : 0);
        f->SetField(field[snap_m], a.demand->snap_m(static_cast<std::uint32_t>(d)));
        if (a.capacitated) {
            if (a.served_by[d] != invalid_id) f->SetField(field[served_by], a.facilities.id[a.served_by[d]].c_str());
            else f->SetFieldNull(field[served_by]);
            const bool is_covered = a.status[d] == demand_status::covered;
            f->SetField(field[unserved], is_covered ? std::max(0.0, a.demand_pop[d] - a.served[d]) : 0.0);
        }
        OGRPoint p(a.demand_x[d], a.demand_y[d]);
        f->SetGeometry(&p);
        add_feature(demand, *f);
    }
}

// Demand by status as the map shows it (a cost ramp would colour an uncovered urban cell 6 km out
// like a covered rural one); uncovered in red; service areas translucent; facilities labelled.
void add_coverage_styles(const analysis& a, GDALDataset& ds) {
    if (a.writes_demand_points()) qgis::add_default_style(ds, "demand", qgis::demand_by_status(a.options.snap_limit_m, "en"));
    for (const char* layer : {"facilities", "service_areas", "uncovered"}) qgis::add_default_style(ds, layer, qgis::layer_style(layer));
}

// The --bands rings: band_min < cost <= band_max (the first from 0), their people and their cells.
void write_bands_layer(const analysis& a, GDALDataset& ds) {
    const std::vector<double>& edges = a.options.bands;
    OGRLayer& layer = create_layer(ds, "bands", wkbMultiPolygon, &a.crs, {{"band_min", OFTReal}, {"band_max", OFTReal}, {"pop", OFTReal}});
    // The ring of a cost: the first edge at or above it; edges.size() beyond the last.
    auto ring = [&](double cost) {
        return static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), cost) - edges.begin());
    };
    std::vector<double> people(edges.size(), 0.0);
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d)
        if (in_cost_band(a, d, edges.back())) people[ring(a.nearest.cost[d])] += a.demand_pop[d];
    // Cells as the travel raster holds them: on the network, nearest cost off-network leg included,
    // with a limit for their class (the people counted are those with a limit).
    std::vector<std::vector<std::uint64_t>> cells(edges.size());
    if (a.cells)
        for (std::size_t c = 0; c < a.cells->size(); ++c) {
            if (a.cell_nearest.site[c] == invalid_id || a.limit_of(a.cell_class[c]) == no_limit) continue;
            const std::size_t k = ring(a.cell_nearest.cost[c]);
            if (k < edges.size()) cells[k].push_back(a.cell_index[c]);
        }
    feature_ptr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
    for (std::size_t k = 0; k < edges.size(); ++k) {
        f->SetField("band_min", k ? edges[k - 1] : 0.0);
        f->SetField("band_max", edges[k]);
        f->SetField("pop", people[k]);
        f->SetGeometryDirectly(polygonize_cells(a.pop.grid, a.crs, cells[k]).release());
        add_feature(layer, *f);
    }
    qgis::add_default_style(ds, "bands", qgis::cost_band_areas(edges, a.svc->cost_metric == metric::length));
}

// `bands` (cumulative people per --bands edge) and `groups` (per --population-group), each only when asked for.
void write_bands_and_groups_json(const analysis& a, const breakdown& b, json_writer& j) {
    if (!a.options.bands.empty()) {
        j.key("bands").begin_array();
        for (std::size_t k = 0; k < a.options.bands.size(); ++k)
            j.begin_object().field("max", a.options.bands[k]).field("population", b.band_people[k]).end_object();
        j.end_array();
    }
    if (!a.groups.empty()) {
        j.key("groups").begin_object();
        for (std::size_t g = 0; g < a.groups.size(); ++g) {
            const population_split& s = b.groups[g];
            j.key(a.groups[g].name).begin_object();
            j.field("population_total", s.population);
            j.field("population_covered", s.covered);
            j.field("coverage_ratio", ratio(s.covered, s));
            j.end_object();
        }
        j.end_object();
    }
}

}  // namespace

std::unique_ptr<OGRMultiPolygon> polygonize_cells(const raster_grid& grid, const OGRSpatialReference& metric,
                                                  const std::vector<std::uint64_t>& cells) {
    auto out = std::make_unique<OGRMultiPolygon>();
    if (cells.empty()) return out;
    int c0 = grid.cols, c1 = -1, r0 = grid.rows, r1 = -1;
    for (std::uint64_t i : cells) {
        const int r = static_cast<int>(i / grid.cols), c = static_cast<int>(i % grid.cols);
        c0 = std::min(c0, c), c1 = std::max(c1, c), r0 = std::min(r0, r), r1 = std::max(r1, r);
    }
    const int w = c1 - c0 + 1, h = r1 - r0 + 1;
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    dataset_ptr ds(mem->Create("", w, h, 1, GDT_Byte, nullptr));
    double gt[6] = {grid.gt[0] + c0 * grid.gt[1] + r0 * grid.gt[2], grid.gt[1], grid.gt[2],
                    grid.gt[3] + c0 * grid.gt[4] + r0 * grid.gt[5], grid.gt[4], grid.gt[5]};
    ds->SetGeoTransform(gt);
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(w) * h, 0);
    for (std::uint64_t i : cells) {
        const int r = static_cast<int>(i / grid.cols), c = static_cast<int>(i % grid.cols);
        mask[static_cast<std::size_t>(r - r0) * w + (c - c0)] = 1;
    }
    GDALRasterBand* band = ds->GetRasterBand(1);
    if (band->RasterIO(GF_Write, 0, 0, w, h, mask.data(), w, h, GDT_Byte, 0, 0) != CE_None)
        throw std::runtime_error("polygonize: " + gdal_last_error());
    dataset_ptr vec(GetGDALDriverManager()->GetDriverByName("Memory")->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* layer = vec->CreateLayer("cells", nullptr, wkbPolygon, nullptr);
    OGRFieldDefn value("v", OFTInteger);
    layer->CreateField(&value);
    if (GDALPolygonize(band, band, layer, 0, nullptr, nullptr, nullptr) != CE_None)
        throw std::runtime_error("polygonize: " + gdal_last_error());
    const transformer to_metric(grid.srs, metric);
    layer->ResetReading();
    for (feature_ptr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
        std::unique_ptr<OGRGeometry> g(f->StealGeometry());
        to_metric.apply(*g, grid.path);
        out->addGeometryDirectly(g.release());
    }
    return out;
}

void write_coverage_gpkg(const analysis& a, const std::string& path, const std::function<void(GDALDataset&)>& more) {
    atomic_output out(path);
    {
        dataset_ptr ds = create_vector("GPKG", out.temp_path());
        ds->StartTransaction();
        if (a.writes_demand_points()) write_demand_layer(a, *ds);
        std::vector<std::pair<std::string, OGRFieldType>> facility_fields = {
            {"id", OFTString},           {"name", OFTString},           {"type", OFTString},
            {"pop_within_limit", OFTReal}, {"pop_sole", OFTReal},      {"pop_nearest", OFTReal},
            {"units_required", OFTInteger},
            {"units_present", OFTReal},  {"on_network", OFTInteger},    {"snap_m", OFTReal}};
        if (a.capacitated)
            for (const char* name : {"capacity", "capacity_used", "capacity_residual"}) facility_fields.emplace_back(name, OFTReal);
        OGRLayer& fac = create_layer(*ds, "facilities", wkbPoint, &a.crs, facility_fields);
        feature_ptr f(OGRFeature::CreateFeature(fac.GetLayerDefn()));
        for (std::size_t i = 0; i < a.facilities.size(); ++i) {
            f->SetField("id", a.facilities.id[i].c_str());
            f->SetField("name", a.facilities.name[i].c_str());
            f->SetField("type", a.facilities.type[i].c_str());
            f->SetField("pop_within_limit", a.pop_within_limit[i]);
            f->SetField("pop_sole", a.pop_sole[i]);
            f->SetField("pop_nearest", a.pop_nearest[i]);
            const double req = a.units_required(a.pop_nearest[i]);
            if (req >= 0) f->SetField("units_required", static_cast<GIntBig>(req));
            else f->SetFieldNull(f->GetFieldIndex("units_required"));
            f->SetField("units_present", a.units_present[i]);
            f->SetField("on_network", a.site_of_facility[i] != invalid_id ? 1 : 0);
            f->SetField("snap_m", a.facility_snap_m[i]);
            if (a.capacitated) {
                f->SetField("capacity", a.capacity[i]);
                f->SetField("capacity_used", a.capacity_used[i]);
                f->SetField("capacity_residual", a.capacity[i] - a.capacity_used[i]);
            }
            OGRPoint p(a.facilities.x[i], a.facilities.y[i]);
            f->SetGeometry(&p);
            add_feature(fac, *f);
        }

        OGRLayer& areas = create_layer(*ds, "service_areas", wkbMultiPolygon, &a.crs,
                                       {{"id", OFTString}, {"name", OFTString}, {"pop_within_limit", OFTReal}});
        f.reset(OGRFeature::CreateFeature(areas.GetLayerDefn()));
        for (std::size_t s = 0; s < a.sites.size(); ++s) {
            const std::size_t i = a.facility_of_site[s];
            f->SetField("id", a.facilities.id[i].c_str());
            f->SetField("name", a.facilities.name[i].c_str());
            f->SetField("pop_within_limit", a.pop_within_limit[i]);
            std::vector<std::uint64_t> cells;
            if (!a.cells_within.empty())
                for (const reached_point& c : a.cells_within[s]) cells.push_back(a.cell_index[c.point]);
            f->SetGeometryDirectly(polygonize_cells(a.pop.grid, a.crs, cells).release());
            add_feature(areas, *f);
        }

        OGRLayer& uncovered = create_layer(*ds, "uncovered", wkbMultiPolygon, &a.crs, {{"pop", OFTReal}});
        f.reset(OGRFeature::CreateFeature(uncovered.GetLayerDefn()));
        std::vector<std::uint64_t> cells;
        for (std::size_t i = 0; i < a.pop.size(); ++i)
            if (a.status[a.demand_of_cell[i]] == demand_status::uncovered) cells.push_back(a.pop.cell[i]);
        f->SetField("pop", a.total.uncovered);
        f->SetGeometryDirectly(polygonize_cells(a.pop.grid, a.crs, cells).release());
        add_feature(uncovered, *f);
        if (!a.options.bands.empty()) write_bands_layer(a, *ds);

        OGRLayer& summary = create_layer(*ds, "summary", wkbNone, nullptr,
                                         {{"name", OFTString}, {"population", OFTReal}, {"covered", OFTReal},
                                          {"uncovered", OFTReal}, {"off_network", OFTReal}, {"not_applicable", OFTReal},
                                          {"coverage_ratio", OFTReal}, {"urban_population", OFTReal},
                                          {"urban_covered", OFTReal}, {"rural_population", OFTReal},
                                          {"rural_covered", OFTReal}, {"units_required", OFTInteger},
                                          {"units_present", OFTReal}});
        f.reset(OGRFeature::CreateFeature(summary.GetLayerDefn()));
        auto row = [&](const std::string& name, const population_split& all, const std::array<population_split, 2>& cls,
                       double units_present) {
            f->SetField("name", name.c_str());
            f->SetField("population", all.population);
            f->SetField("covered", all.covered);
            f->SetField("uncovered", all.uncovered);
            f->SetField("off_network", all.off_network);
            f->SetField("not_applicable", all.not_applicable);
            set_or_null(*f, "coverage_ratio", ratio(all.covered, all));
            f->SetField("urban_population", cls[0].population);
            f->SetField("urban_covered", cls[0].covered);
            f->SetField("rural_population", cls[1].population);
            f->SetField("rural_covered", cls[1].covered);
            const double req = a.units_required(all.population);
            if (req >= 0) f->SetField("units_required", static_cast<GIntBig>(req));
            else f->SetFieldNull(f->GetFieldIndex("units_required"));
            f->SetField("units_present", units_present);
            add_feature(summary, *f);
        };
        const std::vector<unit_totals> units = admin_totals(a);
        for (std::size_t u = 0; u + 1 < units.size(); ++u) row(a.admin->name[u], units[u].all, units[u].by_class, units[u].units_present);
        if (a.admin && units.back().all.population > 0)
            row("(outside every unit)", units.back().all, units.back().by_class, units.back().units_present);
        double present = 0;
        for (double u : a.units_present) present += u;
        row("total", a.total, a.by_class, present);
        add_coverage_styles(a, *ds);
        if (more) more(*ds);

        if (ds->CommitTransaction() != OGRERR_NONE) throw std::runtime_error(path + ": " + gdal_last_error());
    }
    out.commit();
}

void write_cell_raster(const raster_grid& g, const std::vector<float>& values, float nodata, const char* description,
                       const std::string& path) {
    atomic_output out(path);
    {
        GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
        const char* opts[] = {"COMPRESS=DEFLATE", "TILED=YES", nullptr};
        CPLErrorReset();
        dataset_ptr ds(gtiff->Create(out.temp_path().c_str(), g.cols, g.rows, 1, GDT_Float32, const_cast<char**>(opts)));
        if (!ds) throw input_error(path + ": cannot create: " + gdal_last_error());
        double gt[6];
        std::copy(g.gt.begin(), g.gt.end(), gt);
        ds->SetGeoTransform(gt);
        ds->SetSpatialRef(&g.srs);
        GDALRasterBand* band = ds->GetRasterBand(1);
        band->SetNoDataValue(nodata);
        band->SetDescription(description);
        if (band->RasterIO(GF_Write, 0, 0, g.cols, g.rows, const_cast<float*>(values.data()), g.cols, g.rows, GDT_Float32, 0, 0) != CE_None)
            throw std::runtime_error(path + ": " + gdal_last_error());
        // The tiles reach the disk when the dataset closes; GDAL 3.6's close returns nothing, so a
        // full disk shows only in its error state.
        CPLErrorReset();
        ds.reset();
        if (CPLGetLastErrorType() >= CE_Failure) throw std::runtime_error(path + ": write failed: " + gdal_last_error());
    }
    out.commit();
}

void write_travel_raster(const analysis& a, const std::string& path) {
    const raster_grid& g = a.pop.grid;
    const float nodata = -1;
    std::vector<float> values(g.cell_count(), nodata);
    const double largest = a.max_limit();
    for (std::size_t c = 0; c < a.cell_nearest.site.size(); ++c) {
        const std::uint32_t s = a.cell_nearest.site[c];
        if (s != invalid_id && a.cell_nearest.cost[c] <= largest) values[a.cell_index[c]] = static_cast<float>(a.cell_nearest.cost[c]);
    }
    write_cell_raster(g, values, nodata, a.svc->cost_metric == metric::length ? "cost_m" : "cost_s", path);
}

void write_inputs_and_warnings_json(const analysis& a, json_writer& j) { write_inputs_and_warnings_json(a.inputs, a.warnings, j); }

void write_inputs_and_warnings_json(const std::vector<input_summary>& inputs, const std::vector<std::string>& warnings, json_writer& j) {
    j.key("inputs").begin_object();
    for (const input_summary& in : inputs) {
        j.key(in.role).begin_object().field("file", in.file);
        if (!in.layer.empty()) j.field("layer", in.layer);
        if (!in.fields.empty()) {
            j.key("fields").begin_object();
            for (const auto& [purpose, field] : in.fields) {
                if (field.empty()) j.key(purpose).null();
                else j.field(purpose, field);
            }
            j.end_object();
        }
        for (const auto& [what, n] : in.counts) j.field(what, n);
        if (!in.notes.empty()) {
            j.key("notes").begin_array();
            for (const std::string& note : in.notes) j.value(note);
            j.end_array();
        }
        j.end_object();
    }
    j.end_object();
    j.key("warnings").begin_array();
    for (const std::string& w : warnings) j.value(w);
    j.end_array();
}

void write_coverage_json(const analysis& a, json_writer& j, const std::string& version) {
    j.field("service", a.svc->name);
    j.field("metric", a.svc->cost_metric == metric::length ? "distance" : "time");
    j.field("direction", direction_name(a.svc->cost_direction));
    j.field("population_total", a.total.population);
    j.field("population_covered", a.total.covered);
    j.field("population_uncovered", a.total.uncovered);
    j.field("population_off_network", a.total.off_network);
    j.field("population_not_applicable", a.total.not_applicable);
    j.field("coverage_ratio", ratio(a.total.covered, a.total));
    if (a.capacitated) {
        j.field("population_served", a.population_served);
        j.field("population_unserved_for_capacity", a.population_unserved_for_capacity);
    }
    j.field("facilities_used", a.sites.size());
    j.field("facilities_matching", a.facilities.size());
    const std::vector<breakdown> extra = breakdown_by_unit(a);
    write_bands_and_groups_json(a, extra.back(), j);
    j.key("facilities").begin_array();
    for (std::size_t i : facilities_by_criticality(a))
        j.begin_object()
            .field("id", a.facilities.id[i])
            .field("name", a.facilities.name[i])
            .field("pop_within_limit", a.pop_within_limit[i])
            .field("pop_sole", a.pop_sole[i])
            .end_object();
    j.end_array();
    j.key("limits").begin_object();
    for (area_class c : {area_class::urban, area_class::rural}) {
        const double l = a.limit_of(c);
        j.field(area_class_name(c), l == no_limit ? nan : l);
    }
    j.end_object();

    j.key("cost_percentiles").begin_object();
    for (demand_status s : {demand_status::covered, demand_status::uncovered}) {
        std::vector<std::pair<double, double>> costs;
        for (std::size_t d = 0; d < a.demand_pop.size(); ++d)
            if (a.status[d] == s && a.nearest.site[d] != invalid_id) costs.emplace_back(a.nearest.cost[d], a.demand_pop[d]);
        j.key(demand_status_name(s)).begin_object();
        const std::vector<double> q = weighted_percentiles(std::move(costs), {0.5, 0.9, 1.0});
        j.field("p50", q[0]);
        j.field("p90", q[1]);
        j.field("max", q[2]);
        j.end_object();
    }
    j.end_object();

    j.key("by_area_class").begin_object();
    for (area_class c : {area_class::urban, area_class::rural}) {
        const population_split& s = a.by_class[static_cast<int>(c)];
        j.key(area_class_name(c)).begin_object();
        j.field("population", s.population);
        j.field("covered", s.covered);
        j.field("uncovered", s.uncovered);
        j.field("off_network", s.off_network);
        j.field("not_applicable", s.not_applicable);
        j.end_object();
    }
    j.end_object();

    // How the urban/rural split was made and what it gave: it decides which limit applies.
    j.key("urbanisation").begin_object();
    if (a.urbanisation) {
        j.field("method", "degree of urbanisation");
        j.field("source", a.rules.urbanisation.source);
        j.field("clusters_are", a.rules.urbanisation.clusters_urban ? "urban" : "rural");
        j.key("population").begin_object();
        j.field("urban_centre", a.urban_split.urban_centre);
        j.field("urban_cluster", a.urban_split.urban_cluster);
        j.field("rural", a.urban_split.rural);
        j.end_object();
    } else {
        j.field("method", "polygons");
        j.field("source", a.options.urban);
        j.key("population").begin_object();
        j.field("urban", a.urban_split.urban_centre);
        j.field("rural", a.urban_split.rural);
        j.end_object();
    }
    j.end_object();

    j.key("by_admin").begin_array();
    if (a.admin) {
        const std::vector<unit_totals> units = admin_totals(a);
        for (std::size_t u = 0; u + 1 < units.size(); ++u) {
            const population_split& s = units[u].all;
            j.begin_object();
            j.field("name", a.admin->name[u]);
            j.field("population", s.population);
            j.field("covered", s.covered);
            j.field("coverage_ratio", ratio(s.covered, s));
            const double req = a.units_required(s.population);
            if (req >= 0) j.field("units_required", req);
            else j.key("units_required").null();
            j.field("units_present", units[u].units_present);
            j.key("urban").begin_object().field("population", units[u].by_class[0].population).field("covered", units[u].by_class[0].covered).end_object();
            j.key("rural").begin_object().field("population", units[u].by_class[1].population).field("covered", units[u].by_class[1].covered).end_object();
            write_bands_and_groups_json(a, extra[u], j);
            j.end_object();
        }
    }
    j.end_array();

    j.key("provenance").begin_object();
    j.field("version", version);
    j.field("crs", crs_label(a.crs));
    j.key("standards").begin_object();
    j.field("origin", a.rules.origin);
    for (area_class c : {area_class::urban, area_class::rural}) {
        const int i = static_cast<int>(c);
        if (a.limit[i]) j.field(area_class_name(c), a.limit_source[i]);
        else j.field(area_class_name(c), "no limit in the plans: not applicable");
    }
    j.end_object();
    j.field("urban_method", a.urban_method);
    j.key("inputs").begin_object();  // the files, as given (the top-level `inputs` says what each gave)
    j.field("roads", a.options.roads);
    j.field("population", a.options.population);
    if (!a.options.facilities.empty()) j.field("facilities", a.options.facilities);
    if (!a.options.urban.empty()) j.field("urban", a.options.urban);
    if (!a.options.admin.empty()) j.field("admin", a.options.admin);
    if (!a.options.standards_file.empty()) j.field("standards", a.options.standards_file);
    j.end_object();
    j.end_object();
    write_inputs_and_warnings_json(a, j);
}

}  // namespace healthreach::geo
