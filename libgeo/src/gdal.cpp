#include "healthreach/geo/gdal.hpp"

#include "healthreach/error.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

namespace healthreach::geo {

namespace {
void CPL_STDCALL quiet_handler(CPLErr, CPLErrorNum, const char*) {}

// SQLite (GeoPackage) refuses paths over 512 bytes; GDAL's own SQLite VFS takes up to PATH_MAX when
// told so. Only for such paths: the native VFS stays the one every other file goes through.
class long_path_sqlite {
public:
    explicit long_path_sqlite(const std::string& path) : active_(path.size() >= 500) {
        if (!active_) return;
        CPLSetThreadLocalConfigOption("SQLITE_USE_OGR_VFS", "YES");
        CPLSetThreadLocalConfigOption("OGR_SQLITE_VFS_MAXPATHNAME", "4096");
    }
    ~long_path_sqlite() {
        if (!active_) return;
        CPLSetThreadLocalConfigOption("SQLITE_USE_OGR_VFS", nullptr);
        CPLSetThreadLocalConfigOption("OGR_SQLITE_VFS_MAXPATHNAME", nullptr);
    }
    long_path_sqlite(const long_path_sqlite&) = delete;
    long_path_sqlite& operator=(const long_path_sqlite&) = delete;

private:
    bool active_;
};

std::string with_reason(std::string message) {
    const std::string reason = gdal_last_error();
    if (!reason.empty()) message += ": " + reason;
    return message;
}
}  // namespace

void init_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        CPLSetErrorHandler(quiet_handler);
        // Inputs are never modified: no .aux.xml side files next to them.
        CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    });
}

std::string gdal_last_error() {
    const char* msg = CPLGetLastErrorMsg();
    return msg ? std::string(msg) : std::string();
}

dataset_ptr open_vector(const std::string& path) {
    init_gdal();
    CPLErrorReset();
    VSIStatBufL st;
    if (VSIStatL(path.c_str(), &st) != 0) throw input_error(path + ": no such file");
    const long_path_sqlite sqlite(path);
    dataset_ptr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) throw input_error(with_reason(path + ": not a vector dataset GDAL can read"));
    if (ds->GetLayerCount() == 0) throw input_error(path + ": holds no vector layer");
    return ds;
}

dataset_ptr open_raster(const std::string& path) {
    init_gdal();
    CPLErrorReset();
    VSIStatBufL st;
    if (VSIStatL(path.c_str(), &st) != 0) throw input_error(path + ": no such file");
    dataset_ptr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) throw input_error(with_reason(path + ": not a raster GDAL can read"));
    if (ds->GetRasterCount() < 1) throw input_error(path + ": raster has no band");
    return ds;
}

OGRLayer& find_layer(GDALDataset& ds, const std::string& path, const std::string& name) {
    OGRLayer* layer = name.empty() ? ds.GetLayer(0) : ds.GetLayerByName(name.c_str());
    if (!layer) {
        std::string have;
        for (int i = 0; i < ds.GetLayerCount(); ++i)
            have += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
        throw input_error(path + ": no layer '" + name + "' (layers: " + have + ")");
    }
    return *layer;
}

namespace {

bool is_kind(OGRwkbGeometryType t, geometry_kind kind) {
    switch (wkbFlatten(t)) {
    case wkbPoint:
    case wkbMultiPoint: return kind == geometry_kind::point;
    case wkbLineString:
    case wkbMultiLineString: return kind == geometry_kind::line;
    case wkbPolygon:
    case wkbMultiPolygon: return kind == geometry_kind::polygon;
    default: return false;
    }
}

const char* kind_name(geometry_kind kind) {
    return kind == geometry_kind::point ? "point" : kind == geometry_kind::line ? "line" : "polygon";
}

}  // namespace

OGRLayer& choose_layer(GDALDataset& ds, const std::string& path, const std::string& named, geometry_kind kind,
                       const std::string& option, std::string& note) {
    note.clear();
    if (!named.empty() || ds.GetLayerCount() == 1) return find_layer(ds, path, named);
    std::vector<OGRLayer*> fitting;
    std::string listing;
    for (int i = 0; i < ds.GetLayerCount(); ++i) {
        OGRLayer* l = ds.GetLayer(i);
        if (is_kind(l->GetGeomType(), kind)) fitting.push_back(l);
        listing += (i ? ", " : "") + std::string(l->GetName()) + " (" + OGRGeometryTypeToName(l->GetGeomType()) + ", " +
                   std::to_string(l->GetFeatureCount(FALSE)) + " features)";
    }
    if (fitting.size() == 1) {
        note = path + ": " + std::to_string(ds.GetLayerCount()) + " layers; read '" + fitting.front()->GetName() +
               "', its only " + kind_name(kind) + " layer (" + option + " names another)";
        return *fitting.front();
    }
    throw input_error(path + ": " + std::to_string(ds.GetLayerCount()) + " layers and " +
                      (fitting.empty() ? std::string("none") : std::to_string(fitting.size())) + " of " + kind_name(kind) +
                      "s: name the one to read with " + option + " (layers: " + listing + ")");
}

int field_index(OGRFeatureDefn& defn, const std::string& name) {
    return name.empty() ? -1 : defn.GetFieldIndex(name.c_str());
}

void check_output_path(const std::string& path) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        throw input_error(path + ": cannot write: directory " + dir.string() + " does not exist");
}

dataset_ptr create_vector(const std::string& driver_name, const std::string& path) {
    init_gdal();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name.c_str());
    if (!driver) throw std::runtime_error("GDAL driver " + driver_name + " is not available");
    CPLErrorReset();
    const long_path_sqlite sqlite(path);
    dataset_ptr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw input_error(with_reason(path + ": cannot create"));
    return ds;
}

OGRLayer& create_layer(GDALDataset& ds, const std::string& name, OGRwkbGeometryType type,
                       const OGRSpatialReference* srs, const std::vector<std::pair<std::string, OGRFieldType>>& fields) {
    std::unique_ptr<OGRSpatialReference> layer_srs(srs ? srs->Clone() : nullptr);
    OGRLayer* layer = ds.CreateLayer(name.c_str(), layer_srs.get(), type, nullptr);
    if (!layer) throw std::runtime_error("cannot create layer " + name + ": " + gdal_last_error());
    for (const auto& [fname, ftype] : fields) {
        OGRFieldDefn def(fname.c_str(), ftype == OFTInteger ? OFTInteger64 : ftype);
        if (layer->CreateField(&def) != OGRERR_NONE)
            throw std::runtime_error("cannot create field " + fname + " in " + name + ": " + gdal_last_error());
    }
    return *layer;
}

void add_feature(OGRLayer& layer, OGRFeature& feature) {
    feature.SetFID(OGRNullFID);
    if (layer.CreateFeature(&feature) != OGRERR_NONE)
        throw std::runtime_error(std::string("cannot write to layer ") + layer.GetName() + ": " + gdal_last_error());
}

}  // namespace healthreach::geo
