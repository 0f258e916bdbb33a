#pragma once
// Coordinate reference systems: one metric CRS per run, and transformations into it.
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <memory>
#include <string>
#include <vector>

namespace healthreach::geo {

// A spatial reference with x = easting/longitude, y = northing/latitude, whatever the authority says.
OGRSpatialReference traditional(const OGRSpatialReference& srs);

// Parses a user CRS ("EPSG:32649", WKT, PROJ string); input_error naming the value when invalid.
OGRSpatialReference parse_crs(const std::string& text);

// The WGS 84 UTM zone (EPSG 326xx/327xx) containing a lon/lat point.
OGRSpatialReference utm_zone_for(double lon, double lat);

// The metric CRS for a run: --crs if given (must be projected), else the UTM zone of `center_lonlat`.
OGRSpatialReference choose_metric_crs(const std::string& user_crs, double center_lon, double center_lat);

// "EPSG:NNNN" when the CRS has an EPSG code, else its WKT.
std::string crs_label(const OGRSpatialReference& srs);

// Transforms coordinate arrays between two CRSs (lon/lat order on geographic ones).
class transformer {
public:
    transformer(const OGRSpatialReference& from, const OGRSpatialReference& to);
    // In place; input_error naming `what` if any point cannot be transformed.
    void apply(double* x, double* y, std::size_t n, const std::string& what) const;
    void apply(std::vector<double>& x, std::vector<double>& y, const std::string& what) const {
        apply(x.data(), y.data(), x.size(), what);
    }
    // In place on a geometry.
    void apply(OGRGeometry& geometry, const std::string& what) const;

private:
    struct deleter {
        void operator()(OGRCoordinateTransformation* ct) const { OGRCoordinateTransformation::DestroyCT(ct); }
    };
    std::unique_ptr<OGRCoordinateTransformation, deleter> ct_;
};

// Centre (lon, lat) of an envelope given in `srs`.
void envelope_center_lonlat(const OGREnvelope& env, const OGRSpatialReference& srs, double& lon, double& lat);

}  // namespace healthreach::geo
