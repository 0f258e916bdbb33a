#include "healthreach/geo/qgis_project.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/qgis_style.hpp"

#include <cpl_conv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

namespace healthreach::geo {

namespace {

const auto& escape = qgis::xml_escape;

// Drawing order, top first: sites and points above areas; layers not listed come last.
int draw_rank(const std::string& layer) {
    static const std::vector<std::string> order = {"proposed_sites", "candidates", "facilities", "demand", "newly_covered",
                                                   "uncovered", "service_areas", "bands", "compliance_units"};
    const auto it = std::find(order.begin(), order.end(), layer);
    return static_cast<int>(it - order.begin());
}

// The children of a QML document's <qgis> element: what a project's <maplayer> holds.
std::string style_body(const std::string& qml) {
    const auto open = qml.find("<qgis");
    if (open == std::string::npos) return "";
    const auto start = qml.find('>', open);
    const auto end = qml.rfind("</qgis>");
    if (start == std::string::npos || end == std::string::npos || end < start) return "";
    return qml.substr(start + 1, end - start - 1);
}

std::string srs_xml(const OGRSpatialReference* srs) {
    if (!srs) return "<spatialrefsys/>";
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2018", nullptr};
    srs->exportToWkt(&wkt, options);
    std::ostringstream o;
    o << "<spatialrefsys><wkt>" << escape(wkt ? wkt : "") << "</wkt>";
    CPLFree(wkt);
    const char* auth = srs->GetAuthorityName(nullptr);
    const char* code = srs->GetAuthorityCode(nullptr);
    if (auth && code) o << "<authid>" << auth << ':' << code << "</authid><srid>" << code << "</srid>";
    o << "<description>" << escape(srs->GetName() ? srs->GetName() : "") << "</description></spatialrefsys>";
    return o.str();
}

const char* geometry_name(OGRwkbGeometryType t) {
    switch (wkbFlatten(t)) {
    case wkbPoint:
    case wkbMultiPoint: return "Point";
    case wkbLineString:
    case wkbMultiLineString: return "Line";
    default: return "Polygon";
    }
}

// Stored default styles of a GeoPackage, by layer.
std::map<std::string, std::string> stored_styles(GDALDataset& ds) {
    std::map<std::string, std::string> out;
    OGRLayer* styles = ds.GetLayerByName("layer_styles");
    if (!styles) return out;
    styles->ResetReading();
    while (OGRFeature* f = styles->GetNextFeature()) {
        out[f->GetFieldAsString("f_table_name")] = f->GetFieldAsString("styleQML");
        OGRFeature::DestroyFeature(f);
    }
    return out;
}

}  // namespace

std::vector<project_layer> output_layers(const std::string& gpkg) {
    dataset_ptr ds = open_vector(output_transaction::readable_path(gpkg));
    std::map<std::string, std::string> styles = stored_styles(*ds);
    std::vector<project_layer> out;
    for (int i = 0; i < ds->GetLayerCount(); ++i) {
        OGRLayer* l = ds->GetLayer(i);
        if (l->GetGeomType() == wkbNone) continue;
        out.push_back({gpkg, l->GetName(), l->GetName(), styles[l->GetName()]});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const project_layer& a, const project_layer& b) { return draw_rank(a.layer) < draw_rank(b.layer); });
    return out;
}

void write_qgis_project(const std::vector<project_layer>& layers, const std::string& path, const std::string& title,
                        const ground_box* zoom) {
    namespace fs = std::filesystem;
    const fs::path project_dir = fs::absolute(fs::path(path)).parent_path();
    std::ostringstream tree, maplayers, order;
    std::string project_srs = "<spatialrefsys/>";
    OGREnvelope extent;
    bool have_extent = false;
    int n = 0;
    std::map<std::string, dataset_ptr> files;  // each file opened once
    if (zoom) extent.MinX = zoom->min_x, extent.MinY = zoom->min_y, extent.MaxX = zoom->max_x, extent.MaxY = zoom->max_y;
    have_extent = zoom != nullptr;
    for (const project_layer& pl : layers) {
        std::error_code ec;
        fs::path source = fs::relative(fs::absolute(pl.path), project_dir, ec);
        if (ec || source.empty()) source = fs::absolute(pl.path);
        std::string datasource = (source.is_relative() ? "./" : "") + source.string();
        // QGIS keeps a stored layer id only when it is longer than 10 characters.
        const std::string id = "healthreach_" + (pl.raster ? std::string("raster") : pl.layer) + "_" + std::to_string(n++);
        std::string srs, head;
        OGREnvelope e;
        bool have_e = false;
        if (pl.raster) {
            dataset_ptr r = open_raster(output_transaction::readable_path(pl.path));
            srs = srs_xml(r->GetSpatialRef());
            head = "<maplayer type=\"raster\" hasScaleBasedVisibilityFlag=\"0\" autoRefreshEnabled=\"0\">";
        } else {
            dataset_ptr& ds = files[pl.path];
            if (!ds) ds = open_vector(output_transaction::readable_path(pl.path));
            OGRLayer* l = ds->GetLayerByName(pl.layer.c_str());
            if (!l) throw input_error(pl.path + ": no layer '" + pl.layer + "'");
            datasource += "|layername=" + pl.layer;
            srs = srs_xml(l->GetSpatialRef());
            have_e = !pl.context && l->GetExtent(&e, true) == OGRERR_NONE;
            head = std::string("<maplayer type=\"vector\" geometry=\"") + geometry_name(l->GetGeomType()) +
                   "\" hasScaleBasedVisibilityFlag=\"0\" autoRefreshEnabled=\"0\" readOnly=\"0\">";
        }
        if (project_srs == "<spatialrefsys/>") project_srs = srs;
        if (have_e && !zoom) {
            if (have_extent) extent.Merge(e);
            else extent = e, have_extent = true;
        }
        const char* provider = pl.raster ? "gdal" : "ogr";
        tree << "<layer-tree-layer id=\"" << id << "\" name=\"" << escape(pl.title) << "\" source=\"" << escape(datasource)
             << "\" providerKey=\"" << provider << "\" checked=\"" << (pl.visible ? "Qt::Checked" : "Qt::Unchecked")
             << "\" expanded=\"1\"><customproperties/></layer-tree-layer>";
        maplayers << head << "<id>" << id << "</id><datasource>" << escape(datasource) << "</datasource><layername>"
                  << escape(pl.title) << "</layername><srs>" << srs << "</srs><provider encoding=\"UTF-8\">" << provider
                  << "</provider>" << style_body(pl.qml) << "</maplayer>";
        order << "<layer id=\"" << id << "\"/>";
    }
    std::ostringstream qgs;
    qgs.precision(15);
    qgs << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        << "<qgis projectname=\"" << escape(title) << "\" version=\"3.22.16-Białowieża\">"
        << "<homePath path=\"\"/><title>" << escape(title) << "</title>"
        << "<projectCrs>" << project_srs << "</projectCrs>"
        << "<layer-tree-group><customproperties/>" << tree.str() << "</layer-tree-group>"
        << "<mapcanvas annotationsVisible=\"1\" name=\"theMapCanvas\"><units>meters</units><extent>"
        << "<xmin>" << extent.MinX << "</xmin><ymin>" << extent.MinY << "</ymin><xmax>" << extent.MaxX
        << "</xmax><ymax>" << extent.MaxY << "</ymax></extent><rotation>0</rotation><destinationsrs>" << project_srs
        << "</destinationsrs></mapcanvas>"
        // Where the project opens (QGIS 3.18+), and what scripts rendering it read as the view.
        << "<ProjectViewSettings UseProjectScales=\"0\"><Scales/><DefaultViewExtent xmin=\"" << extent.MinX << "\" ymin=\""
        << extent.MinY << "\" xmax=\"" << extent.MaxX << "\" ymax=\"" << extent.MaxY << "\">" << project_srs
        << "</DefaultViewExtent></ProjectViewSettings>"
        << "<projectlayers>" << maplayers.str() << "</projectlayers>"
        << "<layerorder>" << order.str() << "</layerorder>"
        << "<properties><Paths><Absolute type=\"bool\">false</Absolute></Paths>"
        // QGIS reads <projectCrs> only with this flag set.
        << "<SpatialRefSys><ProjectionsEnabled type=\"int\">1</ProjectionsEnabled></SpatialRefSys></properties>"
        << "</qgis>\n";
    const std::string text = qgs.str();

    atomic_output out(path);
    void* zip = CPLCreateZip(out.temp_path().c_str(), nullptr);
    if (!zip) throw input_error(path + ": cannot create");
    const std::string inner = fs::path(path).stem().string() + ".qgs";
    bool ok = CPLCreateFileInZip(zip, inner.c_str(), nullptr) == CE_None &&
              CPLWriteFileInZip(zip, text.data(), static_cast<int>(text.size())) == CE_None &&
              CPLCloseFileInZip(zip) == CE_None;
    ok = CPLCloseZip(zip) == CE_None && ok;
    if (!ok) throw std::runtime_error(path + ": cannot write the project");
    out.commit();
}

}  // namespace healthreach::geo
