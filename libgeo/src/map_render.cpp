#include "healthreach/geo/map_render.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/symbology.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/text.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
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

// Page layout in millimetres (A4 landscape); `unit` converts to device units.
struct page {
    double unit = 1;  // device units per millimetre
    double width = 297, height = 210;
    double map_x = 10, map_y = 24, map_w = 212, map_h = 176;  // the data frame
    double legend_x = 228, legend_w = 59;                     // the right margin: legend, north arrow, scale bar
};

// Geometries of one layer, already in the map's CRS; empty geometries are left out (an empty
// service area has the envelope (0,0,0,0), which would pull the frame to the CRS's origin).
struct layer_shapes {
    std::vector<std::unique_ptr<OGRGeometry>> shapes;
    std::vector<double> value;  // an attribute per shape (compliance: unmet rules), or empty
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

layer_shapes read_shapes(OGRLayer* layer, const OGRSpatialReference* target, const char* field = nullptr) {
    layer_shapes out;
    if (!layer) return out;
    const auto to_map = transformation(layer->GetSpatialRef(), target);
    layer->ResetReading();
    for (feature_ptr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
        std::unique_ptr<OGRGeometry> g(f->StealGeometry());
        if (!g || g->IsEmpty()) continue;
        if (to_map) g->transform(to_map.get());
        out.shapes.push_back(std::move(g));
        if (field) out.value.push_back(f->GetFieldAsDouble(field));
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
    layer_shapes admin, units, areas, uncovered;
    std::vector<mark> facilities, facilities_off, proposed, candidates, demand_off, demand_na;
    std::optional<people> total;
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
    d.units = read_shapes(ds->GetLayerByName("compliance_units"), crs, "unmet");
    if (!r.admin.empty()) {
        dataset_ptr a = open_vector(r.admin);
        d.admin = read_shapes(r.admin_layer.empty() ? a->GetLayer(0) : a->GetLayerByName(r.admin_layer.c_str()), crs);
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
    d.demand_off = read_marks(*ds, "demand", status + " = 'off_network'");
    d.demand_na = read_marks(*ds, "demand", status + " = 'not_applicable'");
    d.total = total_people(*ds);

    // The study area: admin units, else compliance units, else the populated cells; only when none
    // of these exists do the drawn features themselves decide.
    bool any = merge(d.study_area, false, d.admin);
    if (!any) any = merge(d.study_area, false, d.units);
    OGRLayer* demand = ds->GetLayerByName("demand");
    OGREnvelope e;
    if (!any && demand && demand->GetFeatureCount() > 0 && demand->GetExtent(&e, TRUE) == OGRERR_NONE)
        any = merge(d.study_area, false, e);
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
    const double longest = (p.legend_w - 10) / l.mm_per_metre;
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

// One line of the legend: an area swatch (fill and outline) or a point marker.
struct legend_entry {
    bool area;
    sym::style look;
    std::string label;
};

std::vector<legend_entry> legend_of(const map_data& d, const map_layout& l, bool zh) {
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
    if (d.total) {
        if (!d.areas.shapes.empty()) area(sym::of("service_areas"), people_label("服务范围：覆盖", "Service areas: covered", d.total->covered));
        area(sym::of("uncovered"), people_label("未覆盖人口", "Uncovered population", d.total->uncovered));
        if (d.total->off_network > 0) point("demand_off_network", people_label("路网外人口", "Off the road network", d.total->off_network));
        if (d.total->not_applicable > 0)
            point("demand_not_applicable", people_label("无标准（不适用）", "No limit in the plans (n/a)", d.total->not_applicable));
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
    void markers(const std::vector<mark>& marks, const sym::style& st) {
        for (const mark& m : marks) marker(x(m.x), y(m.y), st);
    }
    // Labels to the right of their markers, with a halo so they stay legible over any fill.
    void labels(const std::vector<mark>& marks, const sym::style& st) {
        cairo_select_font_face(cr_, font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr_, sym::label_size_mm * p_.unit);
        const rgba text = rgba_of(sym::label_text), halo = rgba_of(sym::label_halo);
        for (const mark& m : marks) {
            if (m.label.empty()) continue;
            cairo_new_path(cr_);
            cairo_move_to(cr_, x(m.x) + (st.size_mm * 0.6 + 0.6) * p_.unit, y(m.y) + sym::label_size_mm * 0.35 * p_.unit);
            cairo_text_path(cr_, m.label.c_str());
            cairo_set_source_rgba(cr_, halo.r, halo.g, halo.b, halo.a);
            cairo_set_line_width(cr_, sym::label_halo_mm * p_.unit);
            cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
            cairo_stroke_preserve(cr_);
            cairo_set_source_rgba(cr_, text.r, text.g, text.b, text.a);
            cairo_fill(cr_);
        }
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
    m.fill_and_stroke(d.admin, [&](std::size_t) { return paper; }, border, 0);
    m.fill_and_stroke(d.units, [&](std::size_t i) { return unit_fill[d.units.value[i] < 0.5 ? 0 : d.units.value[i] < 2.5 ? 1 : 2]; },
                      border, 0.2);
    m.fill_union(d.areas, sym::of("service_areas").fill);
    const sym::style& uncovered_style = sym::of("uncovered");
    m.fill_and_stroke(d.uncovered, [&](std::size_t) { return rgba_of(uncovered_style.fill); }, rgba_of(uncovered_style.outline),
                      uncovered_style.outline_mm);
    m.markers(d.demand_na, sym::of("demand_not_applicable"));
    m.markers(d.demand_off, sym::of("demand_off_network"));
    m.fill_and_stroke(d.admin, [&](std::size_t) { return rgba{0, 0, 0, 0}; }, border, admin_style.outline_mm);
    const double site_k = site_marker_scale(d, l);
    m.markers(d.facilities, scaled(sym::of("facilities"), site_k));
    m.markers(d.facilities_off, scaled(sym::of("facilities_off_network"), site_k));
    m.markers(d.candidates, scaled(sym::of("candidates"), site_k));
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

    // Legend, in the right margin.
    double ly = p.map_y + 4;
    const double lx = p.legend_x, label_w = p.legend_w - 10;
    text(cr, p, lx, ly, zh ? "图例" : "Legend", 4.5, true);
    ly += 8;
    for (const legend_entry& e : legend_of(d, l, zh)) {
        if (e.area) {
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
        // A label too long for the margin breaks before its counts: "name" over "(counts)".
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
        ly += 7;
    }

    // North arrow and scale bar at the foot of the margin, clear of the data (the maps are drawn in a
    // projected CRS with north up).
    const double nx = lx + 3.5, ny = p.map_y + p.map_h - 34;
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

    const double bx = lx, by = p.map_y + p.map_h - 6;
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

// Cairo objects released however the drawing ends.
struct surface_release {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using surface_ptr = std::unique_ptr<cairo_surface_t, surface_release>;

// A4 at 150 dpi.
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

map_layout layout_map(const map_request& r) { return layout_of(read_map(r), page{}); }

std::vector<std::string> map_legend(const map_request& r) {
    const map_data d = read_map(r);
    std::vector<std::string> labels;
    for (const legend_entry& e : legend_of(d, layout_of(d, page{}), r.lang != "en")) labels.push_back(e.label);
    return labels;
}

std::string render_map_png(const map_request& r) {
    page p{};
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
    page p{};
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
