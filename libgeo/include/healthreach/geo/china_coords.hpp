#pragma once
// Chinese web-map coordinates: GCJ-02 (Amap, Tencent; the "Mars" offset every map published in China
// carries) and BD-09 (Baidu, an offset on top of GCJ-02), back to WGS 84. Pure arithmetic on
// degrees: no GDAL, no datum library.
//
// The forward transforms are the published ones (the Krasovsky-ellipsoid polynomial offset of GCJ-02
// and Baidu's rotation-and-shift of BD-09), as in the open libraries that reproduce them
// (eviltransform, coordtransform). GCJ-02 is the identity outside China's rough bounding rectangle,
// as those algorithms define it; BD-09's own offset applies everywhere, as they define it too.
// There is no closed-form inverse: it is found by fixed-point iteration on the forward transform.
#include <string>

namespace healthreach::geo {

enum class lonlat_system { wgs84, gcj02, bd09 };

// "wgs84", "gcj02" or "bd09"; input_error naming --coords otherwise.
lonlat_system parse_lonlat_system(const std::string& text);
const char* lonlat_system_name(lonlat_system s);  // "WGS 84", "GCJ-02", "BD-09"

// The published rough test (longitude 72.004-137.8347, latitude 0.8293-55.8271): outside it GCJ-02
// leaves coordinates as they are. It is a rectangle, so it also holds parts of Mongolia, Korea,
// Japan and South-East Asia, where the published transform (and the maps using it) offsets too.
bool outside_china(double lon, double lat);

// Forward transforms (degrees).
void wgs84_to_gcj02(double& lon, double& lat);
void gcj02_to_bd09(double& lon, double& lat);
void wgs84_to_bd09(double& lon, double& lat);

// Inverses: the WGS 84 point whose forward transform gives (lon, lat), to 1e-9 degrees (0.1 mm)
// of the forward image, by iteration. Returns false when (lon, lat) is left as it was (GCJ-02 points
// outside China).
bool gcj02_to_wgs84(double& lon, double& lat);
bool bd09_to_wgs84(double& lon, double& lat);
// `from` to WGS 84 (wgs84: nothing to do, false).
bool to_wgs84(lonlat_system from, double& lon, double& lat);

}  // namespace healthreach::geo
