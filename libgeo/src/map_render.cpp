#include "healthreach/geo/map_render.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/symbology.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/text.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace healthreach::geo {

std::string demand_status_sql(double snap_limit_m) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "(CASE WHEN covered IS NULL THEN 'not_applicable' WHEN covered = 1 THEN 'covered' WHEN snap_m > %.17g "
                  "THEN 'off_network' ELSE 'uncovered' END)",
                  snap_limit_m);
    return buf;
}

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr char font[] = "Noto Sans CJK SC";
namespace sym = symbology;

struct rgba {
    double r, g, b, a;
};

rgba rgba_of(const sym::colour& c) { return {c.r / 255.0, c.g / 255.0, c.b / 255.0, c.a / 255.0}; }

// Cairo objects released however the drawing ends.
struct surface_release {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using surface_ptr = std::unique_ptr<cairo_surface_t, surface_release>;

// Page layout in millimetres; `unit` converts to device units. Landscape pages keep the legend in a
// right margin; portrait ones below the data frame, in columns. The north arrow and the scale bar
// stand at the foot of the legend's last column.
struct page {
    double unit = 1;  // device units per millimetre
    double width = 297, height = 210;
    double map_x = 10, map_y = 24, map_w = 212, map_h = 176;  // the data frame
    double legend_x = 228, legend_y = 24, legend_w = 59, legend_h = 176;
    int legend_columns = 1;
    double column_w() const { return legend_w / legend_columns; }
    double last_column_x() const { return legend_x + (legend_columns - 1) * column_w(); }
};

page page_of(const std::string& size) {
    const auto& sizes = map_sizes();
    if (std::find(sizes.begin(), sizes.end(), size) == sizes.end())
        throw input_error("--map-size " + size + ": must be one of a4-landscape, a4-portrait, a3-landscape, a3-portrait");
    const bool a3 = size.rfind("a3", 0) == 0, portrait = size.find("portrait") != std::string::npos;
    const double long_side = a3 ? 420 : 297, short_side = a3 ? 297 : 210;
    page p;
    p.width = portrait ? short_side : long_side;
    p.height = portrait ? long_side : short_side;
    if (portrait) {
        p.map_w = p.width - 20;
        p.legend_h = a3 ? 78 : 62;
        p.map_h = p.height - p.map_y - p.legend_h - 14;
        p.legend_x = p.map_x;
        p.legend_y = p.map_y + p.map_h + 6;
        p.legend_w = p.map_w;
        p.legend_columns = 3;
    } else {
        p.legend_w = a3 ? 70 : 59;
        p.map_w = p.width - 10 - 6 - p.legend_w - 10;
        p.map_h = p.height - p.map_y - 10;
        p.legend_x = p.map_x + p.map_w + 6;
        p.legend_h = p.map_h;
    }
    return p;
}

// Geometries of one layer, already in the map's CRS; empty geometries are left out (an empty
// service area has the envelope (0,0,0,0), which would pull the frame to the CRS's origin).
struct layer_shapes {
    std::vector<std::unique_ptr<OGRGeometry>> shapes;
    std::vector<double> value;  // an attribute per shape (compliance: unmet rules), or empty
    std::vector<std::string> name;  // a name per shape (admin units), or empty
};

// A point feature with the text drawn beside it ("" for none).
struct mark {
    double x, y;
    std::string label;
};

std::unique_ptr<OGRCoordinateTransformation> transformation(const OGRSpatialReference* from_srs,
                                                            const OGRSpatialReference* to_srs) {
    if (!from_srs || !to_srs || from_srs->IsSame(to_srs)) return nullptr;
    OGRSpatialReference from(*from_srs), to(*to_srs);
    from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return std::unique_ptr<OGRCoordinateTransformation>(OGRCreateCoordinateTransformation(&from, &to));
}

layer_shapes read_shapes(OGRLayer* layer, const OGRSpatialReference* target, const char* field = nullptr,
                         const std::string& name_field = "") {
    layer_shapes out;
    if (!layer) return out;
    const auto to_map = transformation(layer->GetSpatialRef(), target);
    const int name_index = name_field.empty() ? -1 : layer->GetLayerDefn()->GetFieldIndex(name_field.c_str());
    layer->ResetReading();
    for (feature_ptr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
        std::unique_ptr<OGRGeometry> g(f->StealGeometry());
        if (!g || g->IsEmpty()) continue;
        if (to_map) g->transform(to_map.get());
        out.shapes.push_back(std::move(g));
        if (field) out.value.push_back(f->GetFieldAsDouble(field));
        if (name_index >= 0) out.name.push_back(f->GetFieldAsString(name_index));
    }
    return out;
}

// Point features of a layer (optionally filtered by an OGR SQL condition), labelled by a field.
std::vector<mark> read_marks(GDALDataset& ds, const char* name, const std::string& where = "", const char* label = nullptr) {
    std::vector<mark> out;
    OGRLayer* layer = ds.GetLayerByName(name);
    if (!layer) return out;
    if (layer->SetAttributeFilter(where.empty() ? nullptr : where.c_str()) != OGRERR_NONE)
        throw std::runtime_error(std::string("map: layer ") + name + ": " + gdal_last_error());
    const int label_index = label ? layer->GetLayerDefn()->GetFieldIndex(label) : -1;
    layer->ResetReading();
    for (feature_ptr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty() || wkbFlatten(g->getGeometryType()) != wkbPoint) continue;
        const OGRPoint* p = g->toPoint();
        out.push_back({p->getX(), p->getY(), label_index >= 0 && f->IsFieldSetAndNotNull(label_index) ? f->GetFieldAsString(label_index) : ""});
    }
    layer->SetAttributeFilter(nullptr);
    return out;
}

// People by status over the whole run (the summary's total row, the figures of the JSON).
struct people {
    double covered = 0, uncovered = 0, off_network = 0, not_applicable = 0;
};

std::optional<people> total_people(GDALDataset& ds) {
    OGRLayer* summary = ds.GetLayerByName("summary");
    if (!summary) return std::nullopt;
    summary->ResetReading();
    for (feature_ptr f(summary->GetNextFeature()); f; f.reset(summary->GetNextFeature()))
        if (std::string(f->GetFieldAsString("name")) == "total")
            return people{f->GetFieldAsDouble("covered"), f->GetFieldAsDouble("uncovered"), f->GetFieldAsDouble("off_network"),
                          f->GetFieldAsDouble("not_applicable")};
    return std::nullopt;
}

// Everything the map draws, in the map's CRS (the output's).
struct map_data {
    std::unique_ptr<OGRSpatialReference> crs;
    layer_shapes admin, units, areas, uncovered, newly_covered;
    std::vector<mark> facilities, facilities_off, proposed, candidates, demand_off, demand_na;
    std::optional<people> total;
    double newly_covered_people = 0;
    ground_box study_area{};
};

bool merge(ground_box& box, bool any, const OGREnvelope& e) {
    if (!any) box = {e.MinX, e.MinY, e.MaxX, e.MaxY};
    else box = {std::min(box.min_x, e.MinX), std::min(box.min_y, e.MinY), std::max(box.max_x, e.MaxX), std::max(box.max_y, e.MaxY)};
    return true;
}

bool merge(ground_box& box, bool any, const layer_shapes& l) {
    for (const auto& g : l.shapes) {
        OGREnvelope e;
        g->getEnvelope(&e);
        any = merge(box, any, e);
    }
    return any;
}

bool merge(ground_box& box, bool any, const std::vector<mark>& marks) {
    for (const mark& m : marks) {
        OGREnvelope e;
        e.MinX = e.MaxX = m.x, e.MinY = e.MaxY = m.y;
        any = merge(box, any, e);
    }
    return any;
}

map_data read_map(const map_request& r) {
    map_data d;
    dataset_ptr ds = open_vector(output_transaction::readable_path(r.gpkg));
    for (int i = 0; i < ds->GetLayerCount() && !d.crs; ++i)
        if (const OGRSpatialReference* s = ds->GetLayer(i)->GetSpatialRef()) d.crs.reset(s->Clone());
    const OGRSpatialReference* crs = d.crs.get();
    d.areas = read_shapes(ds->GetLayerByName("service_areas"), crs);
    d.uncovered = read_shapes(ds->GetLayerByName("uncovered"), crs);
    d.newly_covered = read_shapes(ds->GetLayerByName("newly_covered"), crs, "pop");
    for (double people : d.newly_covered.value) d.newly_covered_people += people;
    d.units = read_shapes(ds->GetLayerByName("compliance_units"), crs, "unmet");
    if (!r.admin.empty()) {
        dataset_ptr a = open_vector(r.admin);
        d.admin = read_shapes(r.admin_layer.empty() ? a->GetLayer(0) : a->GetLayerByName(r.admin_layer.c_str()), crs, nullptr,
                              r.admin_field);
    }
    OGRLayer* facilities = ds->GetLayerByName("facilities");
    if (facilities && facilities->GetLayerDefn()->GetFieldIndex("on_network") >= 0) {
        d.facilities = read_marks(*ds, "facilities", "on_network = 1");
        d.facilities_off = read_marks(*ds, "facilities", "on_network = 0");
    } else {
        d.facilities = read_marks(*ds, "facilities");
    }
    d.proposed = read_marks(*ds, "proposed_sites", "", "rank");
    d.candidates = read_marks(*ds, "candidates");
    const std::string status = demand_status_sql(r.snap_limit_m);
    OGRLayer* demand = ds->GetLayerByName("demand");
    if (demand) {
        d.demand_off = read_marks(*ds, "demand", status + " = 'off_network'");
        d.demand_na = read_marks(*ds, "demand", status + " = 'not_applicable'");
    } else if (r.demand) {
        for (std::size_t i = 0; i < r.demand->off_x.size(); ++i) d.demand_off.push_back({r.demand->off_x[i], r.demand->off_y[i], ""});
        for (std::size_t i = 0; i < r.demand->na_x.size(); ++i) d.demand_na.push_back({r.demand->na_x[i], r.demand->na_y[i], ""});
    }
    d.total = total_people(*ds);

    // The study area: admin units, else compliance units, else the populated cells; only when none
    // of these exists do the drawn features themselves decide.
    bool any = merge(d.study_area, false, d.admin);
    if (!any) any = merge(d.study_area, false, d.units);
    OGREnvelope e;
    if (!any && demand && demand->GetFeatureCount() > 0 && demand->GetExtent(&e, TRUE) == OGRERR_NONE)
        any = merge(d.study_area, false, e);
    if (!any && !demand && r.demand && r.demand->any) {
        e.MinX = r.demand->min_x, e.MinY = r.demand->min_y, e.MaxX = r.demand->max_x, e.MaxY = r.demand->max_y;
        any = merge(d.study_area, false, e);
    }
    if (!any) {
        for (const layer_shapes* l : {&d.areas, &d.uncovered}) any = merge(d.study_area, any, *l);
        for (const std::vector<mark>* m : {&d.facilities, &d.facilities_off, &d.proposed, &d.candidates})
            any = merge(d.study_area, any, *m);
    }
    if (!any) throw input_error(r.gpkg + ": nothing to map");
    return d;
}

map_layout layout_of(const map_data& d, const page& p) {
    map_layout l{};
    l.study_area = d.study_area;
    // A margin of 3 % around the study area, and never less than a kilometre across (one populated cell).
    const double cx = (d.study_area.min_x + d.study_area.max_x) / 2, cy = (d.study_area.min_y + d.study_area.max_y) / 2;
    const double pad = 0.03 * std::max(d.study_area.width(), d.study_area.height());
    const double half_w = std::max(d.study_area.width() / 2 + pad, 500.0), half_h = std::max(d.study_area.height() / 2 + pad, 500.0);
    l.mm_per_metre = std::min(p.map_w / (2 * half_w), p.map_h / (2 * half_h));
    const double ground_w = p.map_w / l.mm_per_metre, ground_h = p.map_h / l.mm_per_metre;
    l.frame = {cx - ground_w / 2, cy - ground_h / 2, cx + ground_w / 2, cy + ground_h / 2};
    // The scale bar: the longest round length (1, 2 or 5 × 10^k m) that fits the legend's column.
    const double longest = (p.column_w() - 10) / l.mm_per_metre;
    const double base = std::pow(10.0, std::floor(std::log10(longest)));
    l.scale_bar_m = base;
    for (double k : {2.0, 5.0})
        if (k * base <= longest) l.scale_bar_m = k * base;
    l.scale_bar_mm = l.scale_bar_m * l.mm_per_metre;
    return l;
}

bool inside(const ground_box& b, const mark& m) { return m.x >= b.min_x && m.x <= b.max_x && m.y >= b.min_y && m.y <= b.max_y; }

// Existing sites and candidates drawn smaller where so many share the frame that full-size markers
// would merge into one blot; proposed sites keep their size, they are the news.
double site_marker_scale(const map_data& d, const map_layout& l) {
    std::size_t n = 0;
    for (const std::vector<mark>* marks : {&d.facilities, &d.facilities_off, &d.candidates})
        n += static_cast<std::size_t>(std::count_if(marks->begin(), marks->end(), [&](const mark& m) { return inside(l.frame, m); }));
    return n > sym::crowded_markers ? sym::crowded_marker_scale : 1.0;
}

sym::style scaled(const sym::style& st, double k) {
    sym::style out = st;
    out.size_mm *= k;
    return out;
}

// People of a class drawn per cell (off the network, without a limit): on a WorldPop-like raster a
// marker per cell tiles the whole countryside, however few live there, and hides what lies below.
// Where a cell is smaller on paper than the marker, the cells themselves are drawn, translucent, and
// the legend shows them as an area.
bool people_as_cells(const map_request& r, const map_layout& l, const char* style_name) {
    return r.costs && r.costs->cell_w > 0 && r.costs->cell_h > 0 &&
           std::min(r.costs->cell_w, r.costs->cell_h) * l.mm_per_metre < sym::of(style_name).size_mm;
}

sym::style people_cell_look(const char* style_name) {
    sym::style st = sym::of(style_name);
    st.fill.a = 96;
    st.outline_mm = 0;
    st.marker = sym::shape::none;
    return st;
}

// One line of the legend: an area swatch (fill and outline) or a point marker.
struct legend_entry {
    bool area;
    sym::style look;
    std::string label;
    bool line = false;  // a road swatch
};

std::vector<legend_entry> legend_of(const map_request& r, const map_data& d, const map_layout& l, bool zh) {
    std::vector<legend_entry> out;
    auto people_label = [&](const char* zh_text, const char* en_text, double n) {
        return zh ? std::string(zh_text) + "（" + format_number(n) + " 人）" : std::string(en_text) + " (" + format_number(n) + ")";
    };
    // Sites: their count, and how many of them lie outside the frame (far outside the study area).
    auto sites_label = [&](const char* zh_text, const char* en_text, const std::vector<mark>& marks) {
        const auto outside = std::count_if(marks.begin(), marks.end(), [&](const mark& m) { return !inside(l.frame, m); });
        std::string s = zh ? std::string(zh_text) + "（" + format_number(static_cast<double>(marks.size())) + " 个"
                           : std::string(en_text) + " (" + format_number(static_cast<double>(marks.size()));
        if (outside > 0)
            s += zh ? "，" + format_number(static_cast<double>(outside)) + " 个在图外"
                    : ", " + format_number(static_cast<double>(outside)) + " outside the map";
        return s + (zh ? "）" : ")");
    };
    auto area = [&](const sym::style& st, std::string label) { out.push_back({true, st, std::move(label)}); };
    auto point = [&](const char* name, std::string label, double k = 1) {
        out.push_back({false, scaled(sym::of(name), k), std::move(label)});
    };
    const double site_k = site_marker_scale(d, l);
    const sym::style& admin_style = sym::of("admin");

    // Coverage figures come from the summary (the run's totals), so the legend and the JSON agree;
    // uncovered is listed even when nobody is, since "0" is the answer a planner looks for.
    for (std::size_t k = 0; k < r.bands.size() && k < sym::cost_band_count; ++k) {
        sym::style st = sym::of("service_areas");
        st.fill = sym::cost_band[k];
        st.outline_mm = 0;
        area(st, zh ? r.bands[k].label + "（" + format_number(r.bands[k].people) + " 人）"
                    : r.bands[k].label + " (" + format_number(r.bands[k].people) + ")");
    }
    if (d.total) {
        if (r.bands.empty() && !d.areas.shapes.empty())
            area(sym::of("service_areas"), people_label("服务范围：覆盖", "Service areas: covered", d.total->covered));
        area(sym::of("uncovered"), people_label(d.newly_covered.shapes.empty() ? "未覆盖人口" : "现状未覆盖人口",
                                                d.newly_covered.shapes.empty() ? "Uncovered population" : "Uncovered today",
                                                d.total->uncovered));
        if (!d.newly_covered.shapes.empty())
            area(sym::of("newly_covered"), people_label("新址新增覆盖", "Newly covered by the proposed sites", d.newly_covered_people));
        auto people = [&](const char* style_name, std::string label) {
            if (people_as_cells(r, l, style_name)) area(people_cell_look(style_name), std::move(label));
            else point(style_name, std::move(label));
        };
        if (d.total->off_network > 0) people("demand_off_network", people_label("路网外人口", "Off the road network", d.total->off_network));
        if (d.total->not_applicable > 0)
            people("demand_not_applicable", people_label("无标准（不适用）", "No limit in the plans (n/a)", d.total->not_applicable));
    } else if (!d.areas.shapes.empty()) {
        area(sym::of("service_areas"), zh ? "服务范围（达标）" : "Service areas (within limit)");
    }
    if (!d.units.shapes.empty()) {
        int count[3] = {0, 0, 0};
        for (double v : d.units.value) ++count[v < 0.5 ? 0 : v < 2.5 ? 1 : 2];
        const char* zh_text[] = {"全部达标", "1–2 项未达标", "3 项及以上未达标"};
        const char* en_text[] = {"All rules met", "1-2 rules unmet", "3 or more unmet"};
        for (int k = 0; k < 3; ++k) {
            sym::style st = admin_style;
            st.fill = sym::compliance_unmet[k];
            area(st, zh ? std::string(zh_text[k]) + "（" + std::to_string(count[k]) + " 个行政区）"
                        : std::string(en_text[k]) + " (" + std::to_string(count[k]) + " units)");
        }
    }
    if (!d.admin.shapes.empty()) {
        sym::style st = admin_style;
        st.fill = sym::paper;
        area(st, zh ? "行政区界" : "Admin borders");
    }
    if (r.roads) {
        const sym::road_look look = sym::road_of("primary");
        out.push_back({false, {look.line, look.line, look.width_mm, sym::shape::none, 0, ""},
                       zh ? "道路（分析路网，按等级）" : "Roads (the analysis network, by class)", true});
    }
    if (!d.facilities.empty()) point("facilities", sites_label("现有设施", "Existing facilities", d.facilities), site_k);
    if (!d.facilities_off.empty())
        point("facilities_off_network", sites_label("路网外设施，未计入", "Facilities off the network, unused", d.facilities_off),
              site_k);
    if (!d.proposed.empty()) point("proposed_sites", sites_label("建议新址，按排序编号", "Proposed sites, numbered by rank", d.proposed));
    if (!d.candidates.empty()) point("candidates", sites_label("候选点", "Candidates", d.candidates), site_k);
    return out;
}

class map_painter {
public:
    map_painter(cairo_t* cr, const page& p, const map_layout& l) : cr_(cr), p_(p), l_(l) {}
    double x(double e) const { return (p_.map_x + (e - l_.frame.min_x) * l_.mm_per_metre) * p_.unit; }
    double y(double n) const { return (p_.map_y + (l_.frame.max_y - n) * l_.mm_per_metre) * p_.unit; }

    void path(const OGRGeometry& g) {
        switch (wkbFlatten(g.getGeometryType())) {
        case wkbPolygon:
            for (const OGRLinearRing* ring : *g.toPolygon()) ring_path(*ring, true);
            break;
        case wkbLineString:
            ring_path(*g.toLineString(), false);
            break;
        case wkbMultiPolygon:
        case wkbMultiLineString:
        case wkbGeometryCollection:
            for (const OGRGeometry* part : *g.toGeometryCollection()) path(*part);
            break;
        default:
            break;
        }
    }
    void fill_and_stroke(const layer_shapes& l, const std::function<rgba(std::size_t)>& fill, rgba line, double width_mm) {
        for (std::size_t i = 0; i < l.shapes.size(); ++i) {
            cairo_new_path(cr_);
            path(*l.shapes[i]);
            const rgba f = fill(i);
            if (f.a > 0) {
                cairo_set_source_rgba(cr_, f.r, f.g, f.b, f.a);
                cairo_set_fill_rule(cr_, CAIRO_FILL_RULE_EVEN_ODD);
                cairo_fill_preserve(cr_);
            }
            if (width_mm > 0) {
                cairo_set_source_rgba(cr_, line.r, line.g, line.b, line.a);
                cairo_set_line_width(cr_, width_mm * p_.unit);
                cairo_stroke(cr_);
            }
            cairo_new_path(cr_);
        }
    }
    // Overlapping translucent areas would darken where they overlap, reading as a gradient that is not
    // in the data: the union is drawn opaque off-screen, then laid on the map at the style's opacity.
    // Their outlines are left out for the same reason (hundreds of overlapping rings).
    void fill_union(const layer_shapes& l, const sym::colour& c) {
        const rgba f = rgba_of(c);
        cairo_push_group(cr_);
        cairo_set_source_rgb(cr_, f.r, f.g, f.b);
        cairo_set_fill_rule(cr_, CAIRO_FILL_RULE_EVEN_ODD);
        for (const auto& g : l.shapes) {
            cairo_new_path(cr_);
            path(*g);
            cairo_fill(cr_);
        }
        cairo_pop_group_to_source(cr_);
        cairo_paint_with_alpha(cr_, f.a);
    }
    // Cells in the colour of their cost band, painted into an image over the data frame (one path per
    // cell would be slow at a prefecture's million cells); cells beyond the last band stay clear.
    void cost_cells(const geo::cost_cells& c, const std::vector<cost_band>& bands) {
        if (bands.empty() || c.x.empty()) return;
        std::uint32_t argb[sym::cost_band_count];
        for (std::size_t k = 0; k < sym::cost_band_count; ++k) argb[k] = premultiplied(sym::cost_band[k]);
        paint_cells(c.x.size(), c.cell_w, c.cell_h, [&](std::size_t i, double& x, double& y) {
            x = c.x[i], y = c.y[i];
            std::size_t k = 0;
            while (k < bands.size() && c.cost[i] > bands[k].upper) ++k;
            return k < bands.size() && k < sym::cost_band_count ? argb[k] : 0u;
        });
    }
    // Marks at cell centres drawn as their cells, in one colour (see people_as_cells).
    void mark_cells(const std::vector<mark>& marks, double cell_w, double cell_h, const sym::colour& col) {
        const std::uint32_t argb = premultiplied(col);
        paint_cells(marks.size(), cell_w, cell_h, [&](std::size_t i, double& x, double& y) {
            x = marks[i].x, y = marks[i].y;
            return argb;
        });
    }
    // Cells painted into an image at print resolution, composited once: a million cells draw fast and
    // neighbours meet without the seams of antialiased squares. cell(i, x, y) gives the i-th cell's
    // centre and its premultiplied colour (0: not drawn).
    template <class Cell>
    void paint_cells(std::size_t n, double cell_w, double cell_h, const Cell& cell) {
        if (n == 0) return;
        const double px_per_mm = std::max(p_.unit, 150 / 25.4);
        const int w = static_cast<int>(std::ceil(p_.map_w * px_per_mm)), h = static_cast<int>(std::ceil(p_.map_h * px_per_mm));
        surface_ptr img(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h));
        cairo_surface_flush(img.get());
        unsigned char* data = cairo_image_surface_get_data(img.get());
        const int stride = cairo_image_surface_get_stride(img.get());
        const double px_per_m = l_.mm_per_metre * px_per_mm;
        // Half a cell each side, and never less than half a pixel, so neighbours meet without gaps.
        const double hw = std::max(cell_w * px_per_m / 2, 0.5), hh = std::max(cell_h * px_per_m / 2, 0.5);
        for (std::size_t i = 0; i < n; ++i) {
            double cx = 0, cy = 0;
            const std::uint32_t argb = cell(i, cx, cy);
            if (argb == 0) continue;
            const double px = (cx - l_.frame.min_x) * px_per_m, py = (l_.frame.max_y - cy) * px_per_m;
            const int x0 = std::max(0, static_cast<int>(std::floor(px - hw))), x1 = std::min(w, static_cast<int>(std::ceil(px + hw)));
            const int y0 = std::max(0, static_cast<int>(std::floor(py - hh))), y1 = std::min(h, static_cast<int>(std::ceil(py + hh)));
            for (int yy = y0; yy < y1; ++yy) {
                auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::size_t>(yy) * stride);
                std::fill(row + x0, row + std::max(x0, x1), argb);
            }
        }
        cairo_surface_mark_dirty(img.get());
        cairo_save(cr_);
        cairo_translate(cr_, p_.map_x * p_.unit, p_.map_y * p_.unit);
        cairo_scale(cr_, p_.unit / px_per_mm, p_.unit / px_per_mm);
        cairo_set_source_surface(cr_, img.get(), 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr_), CAIRO_FILTER_NEAREST);
        cairo_paint(cr_);
        cairo_restore(cr_);
    }
    static std::uint32_t premultiplied(const sym::colour& col) {
        const double a = col.a / 255.0;  // Cairo's pixels are premultiplied
        return static_cast<std::uint32_t>(col.a) << 24 | static_cast<std::uint32_t>(std::lround(col.r * a)) << 16 |
               static_cast<std::uint32_t>(std::lround(col.g * a)) << 8 | static_cast<std::uint32_t>(std::lround(col.b * a));
    }
    // The network's edges by road class, minor first so that major roads stay on top; edges outside
    // the frame are skipped.
    void roads(const network& net) {
        for (int pass = 2; pass >= 0; --pass) {
            bool any = false;
            sym::road_look look{};
            cairo_new_path(cr_);
            for (std::size_t e = 0; e < net.edge_count(); ++e) {
                const sym::road_look lk = sym::road_of(net.classes[net.edge_class[e]]);
                const int rank = lk.width_mm >= 0.5 ? 0 : lk.width_mm >= 0.25 ? 1 : 2;
                if (rank != pass) continue;
                const std::uint64_t b = net.geom_first[e], end = net.geom_first[e + 1];
                double x0 = net.geom_x[b], x1 = x0, y0 = net.geom_y[b], y1 = y0;
                for (std::uint64_t i = b; i < end; ++i)
                    x0 = std::min(x0, net.geom_x[i]), x1 = std::max(x1, net.geom_x[i]), y0 = std::min(y0, net.geom_y[i]),
                    y1 = std::max(y1, net.geom_y[i]);
                if (x1 < l_.frame.min_x || x0 > l_.frame.max_x || y1 < l_.frame.min_y || y0 > l_.frame.max_y) continue;
                for (std::uint64_t i = b; i < end; ++i) {
                    if (i == b) cairo_move_to(cr_, x(net.geom_x[i]), y(net.geom_y[i]));
                    else cairo_line_to(cr_, x(net.geom_x[i]), y(net.geom_y[i]));
                }
                look = lk;
                any = true;
            }
            if (!any) continue;
            const rgba c = rgba_of(look.line);
            cairo_set_source_rgba(cr_, c.r, c.g, c.b, c.a);
            cairo_set_line_width(cr_, look.width_mm * p_.unit);
            cairo_set_line_cap(cr_, CAIRO_LINE_CAP_ROUND);
            cairo_stroke(cr_);
        }
    }
    // Each admin unit's name at a point inside it, where the unit is wide enough on the page to hold it.
    void names(const layer_shapes& units) {
        cairo_select_font_face(cr_, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        const double size = 3.0 * p_.unit;
        cairo_set_font_size(cr_, size);
        const rgba text = {0.25, 0.25, 0.25, 1};
        for (std::size_t i = 0; i < units.shapes.size() && i < units.name.size(); ++i) {
            if (units.name[i].empty()) continue;
            OGREnvelope e;
            units.shapes[i]->getEnvelope(&e);
            cairo_text_extents_t te;
            cairo_text_extents(cr_, units.name[i].c_str(), &te);
            if ((e.MaxX - e.MinX) * l_.mm_per_metre * p_.unit < te.width * 1.1) continue;
            const std::unique_ptr<OGRGeometry> inside(
                OGRGeometry::FromHandle(OGR_G_PointOnSurface(OGRGeometry::ToHandle(units.shapes[i].get()))));
            if (!inside || inside->IsEmpty() || wkbFlatten(inside->getGeometryType()) != wkbPoint) continue;
            halo_text(x(inside->toPoint()->getX()) - te.width / 2, y(inside->toPoint()->getY()) + te.height / 2, units.name[i], text);
        }
    }
    // Text at a device point in the current font, over a halo that keeps it legible on any fill.
    void halo_text(double at_x, double at_y, const std::string& s, rgba text) {
        const rgba halo = rgba_of(sym::label_halo);
        cairo_new_path(cr_);
        cairo_move_to(cr_, at_x, at_y);
        cairo_text_path(cr_, s.c_str());
        cairo_set_source_rgba(cr_, halo.r, halo.g, halo.b, halo.a);
        cairo_set_line_width(cr_, sym::label_halo_mm * p_.unit);
        cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke_preserve(cr_);
        cairo_set_source_rgba(cr_, text.r, text.g, text.b, text.a);
        cairo_fill(cr_);
    }
    void markers(const std::vector<mark>& marks, const sym::style& st) {
        for (const mark& m : marks) marker(x(m.x), y(m.y), st);
    }
    // Labels to the right of their markers, with a halo so they stay legible over any fill.
    void labels(const std::vector<mark>& marks, const sym::style& st) {
        cairo_select_font_face(cr_, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr_, sym::label_size_mm * p_.unit);
        const rgba text = rgba_of(sym::label_text);
        for (const mark& m : marks)
            if (!m.label.empty())
                halo_text(x(m.x) + (st.size_mm * 0.6 + 0.6) * p_.unit, y(m.y) + sym::label_size_mm * 0.35 * p_.unit, m.label, text);
    }
    // A square, circle, triangle or star of the style's size (mm) centred on device point (cx, cy).
    void marker(double cx, double cy, const sym::style& st) {
        const double r = st.size_mm / 2 * p_.unit;
        cairo_new_path(cr_);
        switch (st.marker) {
        case sym::shape::square: cairo_rectangle(cr_, cx - r, cy - r, 2 * r, 2 * r); break;
        case sym::shape::triangle:
            cairo_move_to(cr_, cx, cy - r);
            cairo_line_to(cr_, cx + r, cy + r * 0.8);
            cairo_line_to(cr_, cx - r, cy + r * 0.8);
            cairo_close_path(cr_);
            break;
        case sym::shape::star:
            for (int k = 0; k < 10; ++k) {
                const double a = -pi / 2 + k * pi / 5, rr = k % 2 ? r * 0.45 : r * 1.2;
                if (k == 0) cairo_move_to(cr_, cx + rr * std::cos(a), cy + rr * std::sin(a));
                else cairo_line_to(cr_, cx + rr * std::cos(a), cy + rr * std::sin(a));
            }
            cairo_close_path(cr_);
            break;
        default: cairo_arc(cr_, cx, cy, r, 0, 2 * pi); break;
        }
        const rgba fill = rgba_of(st.fill), line = rgba_of(st.outline);
        cairo_set_source_rgba(cr_, fill.r, fill.g, fill.b, fill.a);
        if (st.outline_mm <= 0) {
            cairo_fill(cr_);
            return;
        }
        cairo_fill_preserve(cr_);
        cairo_set_source_rgba(cr_, line.r, line.g, line.b, line.a);
        cairo_set_line_width(cr_, st.outline_mm * p_.unit);
        cairo_stroke(cr_);
    }

private:
    void ring_path(const OGRSimpleCurve& c, bool close) {
        const int n = c.getNumPoints();
        for (int i = 0; i < n; ++i) {
            if (i == 0) cairo_move_to(cr_, x(c.getX(i)), y(c.getY(i)));
            else cairo_line_to(cr_, x(c.getX(i)), y(c.getY(i)));
        }
        if (close && n > 0) cairo_close_path(cr_);
    }
    cairo_t* cr_;
    const page& p_;
    const map_layout& l_;
};

void text(cairo_t* cr, const page& p, double x_mm, double y_mm, const std::string& s, double size_mm, bool bold = false,
          rgba colour = {0.1, 0.1, 0.1, 1}) {
    cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size_mm * p.unit);
    cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, colour.a);
    cairo_move_to(cr, x_mm * p.unit, y_mm * p.unit);
    cairo_show_text(cr, s.c_str());
}

double text_width_mm(cairo_t* cr, const page& p, const std::string& s, double size_mm) {
    cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size_mm * p.unit);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    return e.x_advance / p.unit;
}

std::string format_km(double metres) {
    char buf[32];
    if (metres >= 1000) std::snprintf(buf, sizeof buf, "%g km", metres / 1000);
    else std::snprintf(buf, sizeof buf, "%g m", metres);
    return buf;
}

// Legend text longer than the margin is set smaller rather than run off the page.
double fitted_size(cairo_t* cr, const page& p, const std::string& s, double size_mm, double width_mm) {
    const double w = text_width_mm(cr, p, s, size_mm);
    return w > width_mm ? size_mm * width_mm / w : size_mm;
}

void draw(cairo_t* cr, const page& p, const map_request& r) {
    const bool zh = r.lang != "en";
    const map_data d = read_map(r);
    const map_layout l = layout_of(d, p);

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    map_painter m(cr, p, l);
    cairo_save(cr);
    cairo_rectangle(cr, p.map_x * p.unit, p.map_y * p.unit, p.map_w * p.unit, p.map_h * p.unit);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    const sym::style& admin_style = sym::of("admin");
    const rgba border = rgba_of(admin_style.outline), paper = rgba_of(sym::paper);
    const rgba unit_fill[] = {rgba_of(sym::compliance_unmet[0]), rgba_of(sym::compliance_unmet[1]), rgba_of(sym::compliance_unmet[2])};
    // Bottom up: land, results by area, roads for orientation, the people the results are about, borders,
    // existing sites, names, proposed sites.
    m.fill_and_stroke(d.admin, [&](std::size_t) { return paper; }, border, 0);
    m.fill_and_stroke(d.units, [&](std::size_t i) { return unit_fill[d.units.value[i] < 0.5 ? 0 : d.units.value[i] < 2.5 ? 1 : 2]; },
                      border, 0.2);
    if (r.costs && !r.bands.empty()) m.cost_cells(*r.costs, r.bands);
    else m.fill_union(d.areas, sym::of("service_areas").fill);
    if (r.roads) m.roads(*r.roads);
    const sym::style& uncovered_style = sym::of("uncovered");
    m.fill_and_stroke(d.uncovered, [&](std::size_t) { return rgba_of(uncovered_style.fill); }, rgba_of(uncovered_style.outline),
                      uncovered_style.outline_mm);
    const sym::style& newly_style = sym::of("newly_covered");
    m.fill_and_stroke(d.newly_covered, [&](std::size_t) { return rgba_of(newly_style.fill); }, rgba_of(newly_style.outline),
                      newly_style.outline_mm);
    for (const auto& [marks, style_name] : {std::pair{&d.demand_na, "demand_not_applicable"}, std::pair{&d.demand_off, "demand_off_network"}}) {
        if (people_as_cells(r, l, style_name)) m.mark_cells(*marks, r.costs->cell_w, r.costs->cell_h, people_cell_look(style_name).fill);
        else m.markers(*marks, sym::of(style_name));
    }
    m.fill_and_stroke(d.admin, [&](std::size_t) { return rgba{0, 0, 0, 0}; }, border, admin_style.outline_mm);
    const double site_k = site_marker_scale(d, l);
    m.markers(d.facilities, scaled(sym::of("facilities"), site_k));
    m.markers(d.facilities_off, scaled(sym::of("facilities_off_network"), site_k));
    m.markers(d.candidates, scaled(sym::of("candidates"), site_k));
    // Names over the existing sites: a unit's name sits inside it, often on its town, where the
    // sites crowd (a prefecture's capital), and a name half hidden is read wrong. The proposed sites,
    // the map's answer, stay on top.
    m.names(d.admin);
    m.markers(d.proposed, sym::of("proposed_sites"));
    m.labels(d.proposed, sym::of("proposed_sites"));
    cairo_restore(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 0.3 * p.unit);
    cairo_rectangle(cr, p.map_x * p.unit, p.map_y * p.unit, p.map_w * p.unit, p.map_h * p.unit);
    cairo_stroke(cr);

    // Title and subtitle.
    text(cr, p, p.map_x, 12, r.title, 7, true);
    text(cr, p, p.map_x, 19, r.subtitle, 3.6, false, {0.3, 0.3, 0.3, 1});

    // Legend: entries flow down the columns; the last column keeps its foot for the north arrow and
    // the scale bar.
    const double label_w = p.column_w() - 10;
    const double foot = p.legend_y + p.legend_h - 36;  // where the north arrow starts
    int column = 0;
    double lx = p.legend_x, ly = p.legend_y + 4;
    text(cr, p, lx, ly, zh ? "图例" : "Legend", 4.5, true);
    ly += 8;
    auto next_line = [&](double step) {
        ly += step;
        const double bottom = column == p.legend_columns - 1 ? foot - 2 : p.legend_y + p.legend_h - 2;
        if (ly > bottom && column + 1 < p.legend_columns) {
            ++column;
            lx = p.legend_x + column * p.column_w();
            ly = p.legend_y + 4;
        }
    };
    if (!r.bands.empty()) {
        text(cr, p, lx, ly, r.bands_title, fitted_size(cr, p, r.bands_title, 3.2, p.column_w() - 2), true);
        next_line(5.5);
    }
    for (const legend_entry& e : legend_of(r, d, l, zh)) {
        if (e.line) {
            const rgba c = rgba_of(e.look.fill);
            cairo_new_path(cr);
            cairo_move_to(cr, lx * p.unit, (ly - 1.2) * p.unit);
            cairo_line_to(cr, (lx + 7) * p.unit, (ly - 1.2) * p.unit);
            cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
            cairo_set_line_width(cr, e.look.outline_mm * p.unit);
            cairo_stroke(cr);
        } else if (e.area) {
            const rgba fill = rgba_of(e.look.fill), line = rgba_of(e.look.outline);
            cairo_rectangle(cr, lx * p.unit, (ly - 3.2) * p.unit, 7 * p.unit, 4 * p.unit);
            cairo_set_source_rgba(cr, fill.r, fill.g, fill.b, fill.a);
            cairo_fill_preserve(cr);
            cairo_set_source_rgba(cr, line.r, line.g, line.b, std::max(line.a, 0.5));
            cairo_set_line_width(cr, 0.3 * p.unit);
            cairo_stroke(cr);
        } else {
            // Dots as small as a populated cell are shown larger in the legend so their colour reads.
            sym::style look = e.look;
            look.size_mm = std::max(look.size_mm, 2.0);
            m.marker((lx + 3.5) * p.unit, (ly - 1.2) * p.unit, look);
        }
        // A label too long for the column breaks before its counts: "name" over "(counts)".
        std::size_t cut = e.label.rfind("（");
        if (cut == std::string::npos) cut = e.label.rfind(" (");
        if (text_width_mm(cr, p, e.label, 3.2) > label_w && cut != std::string::npos && cut > 0) {
            const std::string name = e.label.substr(0, cut), counts = e.label.substr(e.label[cut] == ' ' ? cut + 1 : cut);
            text(cr, p, lx + 10, ly, name, fitted_size(cr, p, name, 3.2, label_w));
            ly += 4.6;
            text(cr, p, lx + 10, ly, counts, fitted_size(cr, p, counts, 3.2, label_w));
        } else {
            text(cr, p, lx + 10, ly, e.label, fitted_size(cr, p, e.label, 3.2, label_w));
        }
        next_line(7);
    }

    // North arrow and scale bar at the foot of the last column, clear of the data (the maps are drawn
    // in a projected CRS with north up).
    const double nx = p.last_column_x() + 3.5, ny = foot + 2;
    cairo_new_path(cr);
    cairo_move_to(cr, nx * p.unit, ny * p.unit);
    cairo_line_to(cr, (nx + 3) * p.unit, (ny + 9) * p.unit);
    cairo_line_to(cr, nx * p.unit, (ny + 7) * p.unit);
    cairo_line_to(cr, (nx - 3) * p.unit, (ny + 9) * p.unit);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_fill(cr);
    const std::string north = zh ? "北" : "N";
    text(cr, p, nx - text_width_mm(cr, p, north, 3.6) / 2, ny + 14, north, 3.6, true);

    const double bx = p.last_column_x(), by = p.legend_y + p.legend_h - 6;
    for (int half = 0; half < 2; ++half) {
        cairo_rectangle(cr, (bx + half * l.scale_bar_mm / 2) * p.unit, by * p.unit, l.scale_bar_mm / 2 * p.unit, 1.6 * p.unit);
        cairo_set_source_rgb(cr, half ? 1 : 0.15, half ? 1 : 0.15, half ? 1 : 0.15);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_set_line_width(cr, 0.25 * p.unit);
        cairo_stroke(cr);
    }
    const std::string length = format_km(l.scale_bar_m);
    text(cr, p, bx - 0.5, by - 1.2, "0", 2.8);
    text(cr, p, bx + l.scale_bar_mm - text_width_mm(cr, p, length, 2.8) / 2, by - 1.2, length, 2.8);

    // Footer: CRS and source.
    const OGRSpatialReference* crs = d.crs.get();
    std::string crs_text = "CRS: ";
    if (crs && crs->GetAuthorityName(nullptr) && crs->GetAuthorityCode(nullptr))
        crs_text += std::string(crs->GetAuthorityName(nullptr)) + ":" + crs->GetAuthorityCode(nullptr);
    else crs_text += crs && crs->GetName() ? crs->GetName() : "unknown";
    text(cr, p, p.map_x, p.height - 4, crs_text + (zh ? "  · 数据：" : "  · data: ") + std::filesystem::path(r.gpkg).filename().string() +
                                          (zh ? "  · healthreach 制图" : "  · made with healthreach"),
         2.8, false, {0.35, 0.35, 0.35, 1});
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

// The page at 150 dpi.
surface_ptr png_surface(page& p) {
    p.unit = 150 / 25.4;
    return surface_ptr(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(std::lround(p.width * p.unit)),
                                                  static_cast<int>(std::lround(p.height * p.unit))));
}

// Draws the map on a surface; the surface stays the caller's.
void draw_on(cairo_surface_t* surface, const page& p, const map_request& r) {
    const std::unique_ptr<cairo_t, void (*)(cairo_t*)> cr(cairo_create(surface), cairo_destroy);
    draw(cr.get(), p, r);
}

}  // namespace

const std::vector<std::string>& map_sizes() {
    static const std::vector<std::string> sizes = {"a4-landscape", "a4-portrait", "a3-landscape", "a3-portrait"};
    return sizes;
}

map_layout layout_map(const map_request& r) { return layout_of(read_map(r), page_of(r.size)); }

std::vector<std::string> map_legend(const map_request& r) {
    const map_data d = read_map(r);
    std::vector<std::string> labels;
    for (const legend_entry& e : legend_of(r, d, layout_of(d, page_of(r.size)), r.lang != "en")) labels.push_back(e.label);
    return labels;
}

std::string render_map_png(const map_request& r) {
    page p = page_of(r.size);
    const surface_ptr surface = png_surface(p);
    draw_on(surface.get(), p, r);
    std::string bytes;
    const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), append_bytes, &bytes);
    if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("map: ") + cairo_status_to_string(status));
    return bytes;
}

void render_map(const map_request& r, const std::string& path) {
    if (std::filesystem::path(path).extension() != ".pdf") {
        write_file_atomically(path, render_map_png(r));
        return;
    }
    atomic_output out(path);
    page p = page_of(r.size);
    p.unit = 72 / 25.4;  // points
    surface_ptr surface(cairo_pdf_surface_create(out.temp_path().c_str(), p.width * p.unit, p.height * p.unit));
    draw_on(surface.get(), p, r);
    cairo_surface_finish(surface.get());
    const cairo_status_t status = cairo_surface_status(surface.get());
    surface.reset();  // the file is closed before it takes its name
    if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(path + ": " + cairo_status_to_string(status));
    out.commit();
}

}  // namespace healthreach::geo
