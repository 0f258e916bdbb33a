#include "healthreach/geo/qgis_style.hpp"

#include "healthreach/geo/gdal.hpp"

#include <cstdio>
#include <sstream>

namespace healthreach::geo::qgis {

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

namespace {

const auto& escape = xml_escape;

std::string prop(const std::string& k, const std::string& v) {
    return "<prop k=\"" + k + "\" v=\"" + escape(v) + "\"/>";
}

const char* shape_name(symbology::shape s) {
    switch (s) {
    case symbology::shape::square: return "square";
    case symbology::shape::triangle: return "triangle";
    case symbology::shape::star: return "star";
    default: return "circle";
    }
}

std::string symbol_xml(const symbology::style& s, const std::string& name) {
    std::ostringstream o;
    const bool marker = s.marker != symbology::shape::none;
    const std::string outline_width = std::to_string(s.outline_mm);
    o << "<symbol type=\"" << (marker ? "marker" : "fill") << "\" name=\"" << name
      << "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">";
    if (marker) {
        o << "<layer class=\"SimpleMarker\" enabled=\"1\" pass=\"0\" locked=\"0\">" << prop("color", s.fill.qgis())
          << prop("name", shape_name(s.marker)) << prop("size", std::to_string(s.size_mm))
          << prop("outline_color", s.outline.qgis()) << prop("outline_width", outline_width)
          << prop("outline_style", s.outline_mm > 0 ? "solid" : "no") << "</layer>";
    } else {
        o << "<layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">" << prop("color", s.fill.qgis())
          << prop("style", s.fill.a > 0 ? "solid" : "no") << prop("outline_color", s.outline.qgis())
          << prop("outline_width", outline_width) << prop("outline_style", s.outline_mm > 0 ? "solid" : "no") << "</layer>";
    }
    o << "</symbol>";
    return o.str();
}

int geometry_type(const symbology::style& s) { return s.marker != symbology::shape::none ? 0 : 2; }

// `min_scale`: the most zoomed-out scale (denominator) at which the layer draws; 0 for every scale.
std::string document(const std::string& renderer, const std::string& label_field, int geometry, double min_scale = 0) {
    std::ostringstream o;
    o << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\""
      << " hasScaleBasedVisibilityFlag=\"" << (min_scale > 0 ? 1 : 0) << "\" minScale=\"" << min_scale << "\" maxScale=\"0\">"
      << renderer;
    if (!label_field.empty())
        o << "<labeling type=\"simple\"><settings calloutType=\"simple\"><text-style fieldName=\"" << escape(label_field)
          << "\" fontSize=\"8\" textColor=\"20,20,20,255\" fontFamily=\"Noto Sans CJK SC\"/>"
          << "<text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferColor=\"255,255,255,255\"/>"
          // Points: the cartographic positions around the marker, never over it; areas: at their centre.
          << "<placement placement=\"" << (geometry == 0 ? 6 : 1) << "\" dist=\"1\"/></settings></labeling>";
    o << "<layerGeometryType>" << geometry << "</layerGeometryType></qgis>\n";
    return o.str();
}

}  // namespace

std::string single(const symbology::style& s) {
    return document("<renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"><symbols>" +
                        symbol_xml(s, "0") + "</symbols></renderer-v2>",
                    s.label_field, geometry_type(s));
}

std::string layer_style(const std::string& layer) { return single(symbology::of(layer)); }

std::string graduated(const std::string& field,
                      const std::vector<std::tuple<double, double, std::string, symbology::style>>& classes) {
    std::ostringstream ranges, syms;
    ranges.precision(17);  // class edges are data values (band edges): exact, never rounded to 6 digits
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const auto& [lower, upper, label, sym] = classes[i];
        ranges << "<range render=\"true\" symbol=\"" << i << "\" lower=\"" << lower << "\" upper=\"" << upper
               << "\" label=\"" << escape(label) << "\"/>";
        syms << symbol_xml(sym, std::to_string(i));
    }
    return document("<renderer-v2 type=\"graduatedSymbol\" attr=\"" + escape(field) +
                        "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"><ranges>" +
                        ranges.str() + "</ranges><symbols>" + syms.str() + "</symbols></renderer-v2>",
                    "", classes.empty() ? 0 : geometry_type(std::get<3>(classes[0])));
}

std::string rule_based(const std::vector<std::tuple<std::string, std::string, symbology::style>>& rules, double min_scale) {
    std::ostringstream rs, syms;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto& [label, expression, sym] = rules[i];
        rs << "<rule key=\"r" << i << "\" symbol=\"" << i << "\" label=\"" << escape(label) << "\" filter=\"" << escape(expression)
           << "\"/>";
        syms << symbol_xml(sym, std::to_string(i));
    }
    return document("<renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"><rules key=\"root\">" +
                        rs.str() + "</rules><symbols>" + syms.str() + "</symbols></renderer-v2>",
                    "", rules.empty() ? 0 : geometry_type(std::get<2>(rules[0])), min_scale);
}

std::string demand_by_status(double snap_limit_m, const std::string& lang) {
    const bool zh = lang == "zh";
    std::ostringstream limit;
    limit.precision(17);
    limit << snap_limit_m;
    // The same statuses, in the same order, as demand_status_sql (the map's) and the JSON.
    return rule_based({{zh ? "无标准（不适用）" : "no limit in the plans (n/a)", "\"covered\" IS NULL", symbology::of("demand_not_applicable")},
                       {zh ? "覆盖" : "covered", "\"covered\" = 1", symbology::of("demand_covered")},
                       {zh ? "路网外" : "off the road network", "\"snap_m\" > " + limit.str(), symbology::of("demand_off_network")},
                       {zh ? "未覆盖" : "uncovered", "ELSE", symbology::of("demand_uncovered")}},
                      symbology::demand_points_min_scale);
}

std::string roads_by_class(const std::string& highway_field) {
    std::ostringstream rs, syms;
    const std::string field = "\"" + highway_field + "\"";
    for (int k = 0; k < 3; ++k) {
        std::string filter;
        if (k < 2) {
            for (const char* c : symbology::road_classes[k])
                if (*c) filter += std::string(filter.empty() ? "" : ",") + "'" + c + "'";
            filter = field + " IN (" + filter + ")";
        } else {
            filter = "ELSE";
        }
        const symbology::road_look look = symbology::road_of(k < 2 ? symbology::road_classes[k][0] : "");
        rs << "<rule key=\"r" << k << "\" symbol=\"" << k << "\" filter=\"" << escape(filter) << "\"/>";
        syms << "<symbol type=\"line\" name=\"" << k << "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">"
             << "<layer class=\"SimpleLine\" enabled=\"1\" pass=\"0\" locked=\"0\">" << prop("line_color", look.line.qgis())
             << prop("line_width", std::to_string(look.width_mm)) << prop("line_width_unit", "MM") << prop("capstyle", "round")
             << prop("joinstyle", "round") << "</layer></symbol>";
    }
    return document("<renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\"><rules key=\"root\">" +
                        rs.str() + "</rules><symbols>" + syms.str() + "</symbols></renderer-v2>",
                    "", 1);
}

std::string cost_band_areas(const std::vector<double>& edges, bool by_length) {
    auto text = [by_length](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", by_length ? v / 1000 : v / 60);
        return std::string(buf);
    };
    std::vector<std::tuple<double, double, std::string, symbology::style>> classes;
    for (std::size_t k = 0; k < edges.size(); ++k) {
        const symbology::colour c = symbology::cost_ramp(k, edges.size());
        // A band's features hold band_max = its upper edge: each class spans (previous edge, edge].
        classes.emplace_back(k ? edges[k - 1] : 0.0, edges[k],
                             (k ? text(edges[k - 1]) : std::string("0")) + "\u2013" + text(edges[k]) + (by_length ? " km" : " min"),
                             symbology::style{c, c, 0, symbology::shape::none, 0, ""});
    }
    return graduated("band_max", classes);
}

std::string cost_bands(const std::vector<double>& edges, const std::vector<std::string>& labels) {
    std::ostringstream items;
    items.precision(17);
    for (std::size_t k = 0; k < edges.size() && k < symbology::cost_band_count; ++k) {
        const symbology::colour& c = symbology::cost_band[k];
        char hex[8];
        std::snprintf(hex, sizeof hex, "#%02x%02x%02x", c.r, c.g, c.b);
        items << "<item alpha=\"" << c.a << "\" value=\"" << edges[k] << "\" label=\"" << escape(k < labels.size() ? labels[k] : "")
              << "\" color=\"" << hex << "\"/>";
    }
    std::ostringstream o;
    o << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\">"
      << "<pipe><rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" classificationMin=\"0\""
      << " classificationMax=\"" << (edges.empty() ? 0 : edges.back()) << "\" nodataColor=\"\">"
      << "<rastershader><colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"1\" clip=\"1\">" << items.str()
      << "</colorrampshader></rastershader></rasterrenderer>"
      << "<brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>"
      << "<huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\"/><rasterresampler maxOversampling=\"2\"/></pipe>"
      << "<blendMode>0</blendMode></qgis>\n";
    return o.str();
}

void add_default_style(GDALDataset& ds, const std::string& layer, const std::string& qml) {
    OGRLayer* styles = ds.GetLayerByName("layer_styles");
    if (!styles) {
        // Created through OGR so that it is registered in gpkg_contents, where QGIS looks for it.
        styles = &create_layer(ds, "layer_styles", wkbNone, nullptr,
                               {{"f_table_catalog", OFTString}, {"f_table_schema", OFTString}, {"f_table_name", OFTString},
                                {"f_geometry_column", OFTString}, {"styleName", OFTString}, {"styleQML", OFTString},
                                {"styleSLD", OFTString}, {"useAsDefault", OFTInteger}, {"description", OFTString},
                                {"owner", OFTString}, {"ui", OFTString}, {"update_time", OFTDateTime}});
    }
    feature_ptr f(OGRFeature::CreateFeature(styles->GetLayerDefn()));
    f->SetField("f_table_catalog", "");
    f->SetField("f_table_schema", "");
    f->SetField("f_table_name", layer.c_str());
    f->SetField("f_geometry_column", "geom");
    f->SetField("styleName", layer.c_str());
    f->SetField("styleQML", qml.c_str());
    f->SetField("styleSLD", "");
    f->SetField("useAsDefault", 1);
    f->SetField("description", "healthreach default style");
    f->SetField("owner", "");
    f->SetField("update_time", 2026, 1, 1, 0, 0, 0, 100);
    add_feature(*styles, *f);
}

}  // namespace healthreach::geo::qgis
