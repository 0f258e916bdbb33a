#pragma once
// A thin RAII layer over GDAL/OGR handles.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace healthreach::geo {

struct dataset_closer {
    void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using dataset_ptr = std::unique_ptr<GDALDataset, dataset_closer>;

struct feature_deleter {
    void operator()(OGRFeature* f) const { OGRFeature::DestroyFeature(f); }
};
using feature_ptr = std::unique_ptr<OGRFeature, feature_deleter>;

// Registers drivers once and routes GDAL's own messages away from stderr; the libraries
// report failures as exceptions carrying GDAL's last message instead.
void init_gdal();

// The last message GDAL recorded, or "" when there is none.
std::string gdal_last_error();

// Opens a vector dataset read-only; input_error naming the file when it is missing or not vector data.
dataset_ptr open_vector(const std::string& path);
// Opens a raster dataset read-only; input_error naming the file when it is missing or not a raster.
dataset_ptr open_raster(const std::string& path);

// The named layer, or the first layer when name is empty; input_error naming file and layer otherwise.
OGRLayer& find_layer(GDALDataset& ds, const std::string& path, const std::string& name);

// The layer an input reads: the one named; else the source's only layer; else its only layer of
// the geometry `kind` asks for (`note` then says which was picked). Several candidates, or none:
// input_error listing the layers (name, geometry, features) and the `option` that names one.
enum class geometry_kind { point, line, polygon };
OGRLayer& choose_layer(GDALDataset& ds, const std::string& path, const std::string& named, geometry_kind kind,
                       const std::string& option, std::string& note);

// Index of a field in a layer definition, or -1.
int field_index(OGRFeatureDefn& defn, const std::string& name);

// input_error naming the path when its directory does not exist (checked before long work).
void check_output_path(const std::string& path);

// Creates a new dataset with the named driver ("GPKG", "GTiff", ...) for writing vectors.
dataset_ptr create_vector(const std::string& driver, const std::string& path);

// Creates a layer with the given fields (integers are stored as 64-bit); srs may be null for tables.
OGRLayer& create_layer(GDALDataset& ds, const std::string& name, OGRwkbGeometryType type,
                       const OGRSpatialReference* srs, const std::vector<std::pair<std::string, OGRFieldType>>& fields);

// Adds a feature (a new FID is assigned); throws with GDAL's message on failure.
void add_feature(OGRLayer& layer, OGRFeature& feature);

}  // namespace healthreach::geo
