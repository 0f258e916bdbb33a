#include "healthreach/geo/map_render.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/symbology.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

namespace healthreach::geo {

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr char font[] = "Noto Sans CJK SC";

struct rgba {
    double r, g, b, a;
};

rgba rgba_of(const symbology::colour& c) { return {c.r / 255.0, c.g / 255.0, c.b / 255.0, c.a / 255.0}; }

char shape_code(symbology::shape s) {
    switch (s) {
    case symbology::shape::square: return 's';
    case symbology::shape::triangle: return 't';
    case symbology::shape::star: return '*';
    default: return 'o';
    }
}

// Geometries of one layer, already in the map's CRS.
struct layer_shapes {
    std::vector<std::unique_ptr<OGRGeometry>> shapes;
    std::vector<double> value;  // an attribute per shape (compliance: unmet rules), or empty
};

layer_shapes read_shapes(GDALDataset& ds, const char* name, const OGRSpatialReference* target, const char* field = nullptr) {
    layer_shapes out;
    OGRLayer* layer = ds.GetLayerByName(name);
    if (!layer) return out;
    std::unique_ptr<OGRCoordinateTransformation> to_map;
    const OGRSpatialReference* srs = layer->GetSpatialRef();
    if (target && srs && !srs->IsSame(target)) {
        OGRSpatialReference from(*srs), to(*target);
        from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        to_map.reset(OGRCreateCoordinateTransformation(&from, &to));
    }
    layer->ResetReading();
    while (OGRFeature* f = layer->GetNextFeature()) {
        if (OGRGeometry* g = f->StealGeometry()) {
            if (to_map) g->transform(to_map.get());
            out.shapes.emplace_back(g);
            if (field) out.value.push_back(f->GetFieldAsDouble(field));
        }
        OGRFeature::DestroyFeature(f);
    }
    return out;
}

// Page layout in millimetres (A4 landscape); `unit` converts to device units.
struct page {
    double unit;  // device units per millimetre
    double width = 297, height = 210;
    double map_x = 10, map_y = 24, map_w = 212, map_h = 176;  // the map frame
    double legend_x = 228;
};

class map_painter {
public:
    map_painter(cairo_t* cr, const page& p, const OGREnvelope& extent) : cr_(cr), p_(p) {
        const double w = extent.MaxX - extent.MinX, h = extent.MaxY - extent.MinY;
        scale_ = std::min(p.map_w / std::max(w, 1.0), p.map_h / std::max(h, 1.0));  // mm per metre
        ox_ = p.map_x + (p.map_w - w * scale_) / 2 - extent.MinX * scale_;
        oy_ = p.map_y + (p.map_h - h * scale_) / 2 + extent.MaxY * scale_;
    }
    double mm_per_metre() const { return scale_; }
    double x(double e) const { return (ox_ + e * scale_) * p_.unit; }
    double y(double n) const { return (oy_ - n * scale_) * p_.unit; }

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
    // Point markers: square, circle, triangle or star, size in mm.
    void markers(const layer_shapes& l, const symbology::style& st) {
        for (const auto& g : l.shapes) {
            if (wkbFlatten(g->getGeometryType()) != wkbPoint) continue;
            const OGRPoint* pt = g->toPoint();
            marker(x(pt->getX()), y(pt->getY()), st);
        }
    }
    void marker(double cx, double cy, const symbology::style& st) {
        const char shape = shape_code(st.marker);
        const double size = st.size_mm;
        const double r = size / 2 * p_.unit;
        cairo_new_path(cr_);
        if (shape == 's') cairo_rectangle(cr_, cx - r, cy - r, 2 * r, 2 * r);
        else if (shape == 'o') cairo_arc(cr_, cx, cy, r, 0, 2 * pi);
        else if (shape == 't') {
            cairo_move_to(cr_, cx, cy - r);
            cairo_line_to(cr_, cx + r, cy + r * 0.8);
            cairo_line_to(cr_, cx - r, cy + r * 0.8);
            cairo_close_path(cr_);
        } else {  // five-pointed star
            for (int k = 0; k < 10; ++k) {
                const double a = -pi / 2 + k * pi / 5, rr = k % 2 ? r * 0.45 : r * 1.2;
                if (k == 0) cairo_move_to(cr_, cx + rr * std::cos(a), cy + rr * std::sin(a));
                else cairo_line_to(cr_, cx + rr * std::cos(a), cy + rr * std::sin(a));
            }
            cairo_close_path(cr_);
        }
        const rgba fill = rgba_of(st.fill), line = rgba_of(st.outline);
        cairo_set_source_rgba(cr_, fill.r, fill.g, fill.b, fill.a);
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
    double scale_, ox_, oy_;
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

void draw(cairo_t* cr, const page& p, const map_request& r) {
    const bool zh = r.lang != "en";
    dataset_ptr ds = open_vector(output_transaction::readable_path(r.gpkg));
    const OGRSpatialReference* crs = nullptr;
    for (int i = 0; i < ds->GetLayerCount() && !crs; ++i) crs = ds->GetLayer(i)->GetSpatialRef();
    layer_shapes areas = read_shapes(*ds, "service_areas", crs);
    layer_shapes uncovered = read_shapes(*ds, "uncovered", crs);
    layer_shapes units = read_shapes(*ds, "compliance_units", crs, "unmet");
    layer_shapes facilities = read_shapes(*ds, "facilities", crs);
    layer_shapes proposed = read_shapes(*ds, "proposed_sites", crs);
    layer_shapes candidates = read_shapes(*ds, "candidates", crs);
    layer_shapes admin;
    if (!r.admin.empty()) {
        dataset_ptr a = open_vector(r.admin);
        OGRLayer* l = r.admin_layer.empty() ? a->GetLayer(0) : a->GetLayerByName(r.admin_layer.c_str());
        if (l) admin = read_shapes(*a, l->GetName(), crs);
    }

    OGREnvelope extent;
    bool any = false;
    for (const layer_shapes* l : {&admin, &units, &areas, &uncovered, &facilities, &proposed, &candidates})
        for (const auto& g : l->shapes) {
            OGREnvelope e;
            g->getEnvelope(&e);
            if (any) extent.Merge(e);
            else extent = e, any = true;
        }
    if (!any) throw input_error(r.gpkg + ": nothing to map");
    const double pad = 0.03 * std::max(extent.MaxX - extent.MinX, extent.MaxY - extent.MinY) + 1;
    extent.MinX -= pad, extent.MinY -= pad, extent.MaxX += pad, extent.MaxY += pad;

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    map_painter m(cr, p, extent);
    cairo_save(cr);
    cairo_rectangle(cr, p.map_x * p.unit, p.map_y * p.unit, p.map_w * p.unit, p.map_h * p.unit);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    namespace sym = symbology;
    const sym::style &area_style = sym::of("service_areas"), &uncovered_style = sym::of("uncovered"), &admin_style = sym::of("admin");
    const rgba border = rgba_of(admin_style.outline), paper = rgba_of(sym::paper);
    const rgba unit_fill[] = {rgba_of(sym::compliance_unmet[0]), rgba_of(sym::compliance_unmet[1]), rgba_of(sym::compliance_unmet[2])};
    auto fill_layer = [&](const layer_shapes& l, const sym::style& st) {
        m.fill_and_stroke(l, [&](std::size_t) { return rgba_of(st.fill); }, rgba_of(st.outline), st.outline_mm);
    };
    auto marker_layer = [&](const layer_shapes& l, const char* name) { m.markers(l, sym::of(name)); };
    m.fill_and_stroke(admin, [&](std::size_t) { return paper; }, border, 0);
    m.fill_and_stroke(units, [&](std::size_t i) { return unit_fill[units.value[i] < 0.5 ? 0 : units.value[i] < 2.5 ? 1 : 2]; },
                      border, 0.2);
    fill_layer(areas, area_style);
    fill_layer(uncovered, uncovered_style);
    fill_layer(admin, admin_style);
    marker_layer(facilities, "facilities");
    marker_layer(candidates, "candidates");
    marker_layer(proposed, "proposed_sites");
    cairo_restore(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 0.3 * p.unit);
    cairo_rectangle(cr, p.map_x * p.unit, p.map_y * p.unit, p.map_w * p.unit, p.map_h * p.unit);
    cairo_stroke(cr);

    // Title and subtitle.
    text(cr, p, p.map_x, 12, r.title, 7, true);
    text(cr, p, p.map_x, 19, r.subtitle, 3.6, false, {0.3, 0.3, 0.3, 1});

    // Legend.
    double ly = p.map_y + 4;
    const double lx = p.legend_x;
    text(cr, p, lx, ly, zh ? "图例" : "Legend", 4.5, true);
    ly += 8;
    auto swatch = [&](rgba fill, rgba line, const std::string& label) {
        cairo_rectangle(cr, lx * p.unit, (ly - 3.2) * p.unit, 7 * p.unit, 4 * p.unit);
        cairo_set_source_rgba(cr, fill.r, fill.g, fill.b, fill.a);
        cairo_fill_preserve(cr);
        cairo_set_source_rgba(cr, line.r, line.g, line.b, line.a);
        cairo_set_line_width(cr, 0.3 * p.unit);
        cairo_stroke(cr);
        text(cr, p, lx + 10, ly, label, 3.2);
        ly += 7;
    };
    auto layer_symbol = [&](const char* name, const std::string& label) {
        m.marker((lx + 3.5) * p.unit, (ly - 1.2) * p.unit, sym::of(name));
        text(cr, p, lx + 10, ly, label, 3.2);
        ly += 7;
    };
    if (!areas.shapes.empty()) swatch(rgba_of(area_style.fill), rgba_of(area_style.outline), zh ? "服务范围（达标）" : "Service areas (within limit)");
    if (!uncovered.shapes.empty()) swatch(rgba_of(uncovered_style.fill), rgba_of(uncovered_style.outline), zh ? "未覆盖人口" : "Uncovered population");
    if (!units.shapes.empty()) {
        swatch(unit_fill[0], border, zh ? "全部达标" : "All rules met");
        swatch(unit_fill[1], border, zh ? "1–2 项未达标" : "1-2 rules unmet");
        swatch(unit_fill[2], border, zh ? "3 项及以上未达标" : "3 or more unmet");
    }
    if (!admin.shapes.empty()) swatch(paper, border, zh ? "行政区界" : "Admin borders");
    if (!facilities.shapes.empty()) layer_symbol("facilities", zh ? "现有设施" : "Existing facilities");
    if (!proposed.shapes.empty()) layer_symbol("proposed_sites", zh ? "建议新址" : "Proposed sites");
    if (!candidates.shapes.empty()) layer_symbol("candidates", zh ? "候选点" : "Candidates");

    // Scale bar: a round length near a fifth of the frame, in two halves.
    const double target = p.map_w / 5 / m.mm_per_metre();
    const double base = std::pow(10.0, std::floor(std::log10(target)));
    double length = base;
    for (double k : {1.0, 2.0, 5.0, 10.0})
        if (k * base <= target) length = k * base;
    const double bar_mm = length * m.mm_per_metre(), bx = p.map_x + 5, by = p.map_y + p.map_h - 8;
    for (int half = 0; half < 2; ++half) {
        cairo_rectangle(cr, (bx + half * bar_mm / 2) * p.unit, by * p.unit, bar_mm / 2 * p.unit, 1.6 * p.unit);
        cairo_set_source_rgb(cr, half ? 1 : 0.15, half ? 1 : 0.15, half ? 1 : 0.15);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_set_line_width(cr, 0.25 * p.unit);
        cairo_stroke(cr);
    }
    text(cr, p, bx - 1, by - 1.2, "0", 2.8);
    text(cr, p, bx + bar_mm - text_width_mm(cr, p, format_km(length), 2.8) / 2, by - 1.2, format_km(length), 2.8);

    // North arrow (the maps are drawn in a projected CRS with north up).
    const double nx = p.map_x + p.map_w - 9, ny = p.map_y + 6;
    cairo_move_to(cr, nx * p.unit, ny * p.unit);
    cairo_line_to(cr, (nx + 3) * p.unit, (ny + 9) * p.unit);
    cairo_line_to(cr, nx * p.unit, (ny + 7) * p.unit);
    cairo_line_to(cr, (nx - 3) * p.unit, (ny + 9) * p.unit);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_fill(cr);
    const std::string north = zh ? "北" : "N";
    text(cr, p, nx - text_width_mm(cr, p, north, 3.6) / 2, ny + 14, north, 3.6, true);

    // Footer: CRS and source.
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
