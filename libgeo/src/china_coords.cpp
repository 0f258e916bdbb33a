#include "healthreach/geo/china_coords.hpp"

#include "healthreach/error.hpp"

#include <cmath>

namespace healthreach::geo {

namespace {

constexpr double pi = 3.14159265358979323846;
// Krasovsky 1940, the ellipsoid of the published GCJ-02 offset.
constexpr double krasovsky_a = 6378245.0;
constexpr double krasovsky_ee = 0.00669342162296594323;
// Baidu's constant (pi * 3000 / 180).
constexpr double baidu_pi = pi * 3000.0 / 180.0;

double offset_lat(double x, double y) {
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::fabs(x));
    r += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(y * pi) + 40.0 * std::sin(y / 3.0 * pi)) * 2.0 / 3.0;
    r += (160.0 * std::sin(y / 12.0 * pi) + 320.0 * std::sin(y * pi / 30.0)) * 2.0 / 3.0;
    return r;
}

double offset_lon(double x, double y) {
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::fabs(x));
    r += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(x * pi) + 40.0 * std::sin(x / 3.0 * pi)) * 2.0 / 3.0;
    r += (150.0 * std::sin(x / 12.0 * pi) + 300.0 * std::sin(x / 30.0 * pi)) * 2.0 / 3.0;
    return r;
}

// Fixed-point inverse of a forward transform f close to the identity: w <- w + (target - f(w)).
// The offsets vary slowly (their derivatives are far below 1), so each step gains digits; 1e-9
// degrees is about 0.1 mm.
template <class Forward>
void invert(double& lon, double& lat, Forward f) {
    const double target_lon = lon, target_lat = lat;
    for (int i = 0; i < 30; ++i) {
        double flon = lon, flat = lat;
        f(flon, flat);
        const double dlon = target_lon - flon, dlat = target_lat - flat;
        lon += dlon;
        lat += dlat;
        if (std::fabs(dlon) < 1e-10 && std::fabs(dlat) < 1e-10) break;
    }
}

}  // namespace

lonlat_system parse_lonlat_system(const std::string& text) {
    if (text == "wgs84") return lonlat_system::wgs84;
    if (text == "gcj02") return lonlat_system::gcj02;
    if (text == "bd09") return lonlat_system::bd09;
    throw input_error("--coords: unknown value '" + text + "' (wgs84, gcj02 or bd09)");
}

const char* lonlat_system_name(lonlat_system s) {
    switch (s) {
    case lonlat_system::wgs84: return "WGS 84";
    case lonlat_system::gcj02: return "GCJ-02";
    case lonlat_system::bd09: return "BD-09";
    }
    return "";
}

bool outside_china(double lon, double lat) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; }

void wgs84_to_gcj02(double& lon, double& lat) {
    if (outside_china(lon, lat)) return;
    double dlat = offset_lat(lon - 105.0, lat - 35.0), dlon = offset_lon(lon - 105.0, lat - 35.0);
    const double rad = lat / 180.0 * pi;
    const double s = std::sin(rad);
    const double magic = 1 - krasovsky_ee * s * s, root = std::sqrt(magic);
    dlat = dlat * 180.0 / ((krasovsky_a * (1 - krasovsky_ee)) / (magic * root) * pi);
    dlon = dlon * 180.0 / (krasovsky_a / root * std::cos(rad) * pi);
    lat += dlat;
    lon += dlon;
}

void gcj02_to_bd09(double& lon, double& lat) {
    const double z = std::sqrt(lon * lon + lat * lat) + 0.00002 * std::sin(lat * baidu_pi);
    const double theta = std::atan2(lat, lon) + 0.000003 * std::cos(lon * baidu_pi);
    lon = z * std::cos(theta) + 0.0065;
    lat = z * std::sin(theta) + 0.006;
}

void wgs84_to_bd09(double& lon, double& lat) {
    wgs84_to_gcj02(lon, lat);
    gcj02_to_bd09(lon, lat);
}

bool gcj02_to_wgs84(double& lon, double& lat) {
    if (outside_china(lon, lat)) return false;
    invert(lon, lat, wgs84_to_gcj02);
    return true;
}

bool bd09_to_wgs84(double& lon, double& lat) {
    invert(lon, lat, wgs84_to_bd09);
    return true;
}

bool to_wgs84(lonlat_system from, double& lon, double& lat) {
    switch (from) {
    case lonlat_system::wgs84: return false;
    case lonlat_system::gcj02: return gcj02_to_wgs84(lon, lat);
    case lonlat_system::bd09: return bd09_to_wgs84(lon, lat);
    }
    return false;
}

}  // namespace healthreach::geo
