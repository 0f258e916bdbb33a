#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"

#include <catch2/catch.hpp>

using namespace healthreach;
using namespace healthreach::geo;

TEST_CASE("UTM zone of a lon/lat point", "[crs]") {
    CHECK(crs_label(utm_zone_for(113.1, 36.2)) == "EPSG:32649");  // Changzhi
    CHECK(crs_label(utm_zone_for(1.52, 42.5)) == "EPSG:32631");   // Andorra
    CHECK(crs_label(utm_zone_for(-51.2, -30.0)) == "EPSG:32722"); // Porto Alegre
}

TEST_CASE("reprojection round trip keeps lon/lat axis order", "[crs]") {
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);  // latitude-first by authority; the transformer must not care
    const OGRSpatialReference utm = utm_zone_for(113.1, 36.2);
    double x = 113.1, y = 36.2;
    transformer(wgs84, utm).apply(&x, &y, 1, "test");
    CHECK(x == Approx(500000 + (113.1 - 111) * 89950).epsilon(0.01));  // east of the zone's meridian
    CHECK(y == Approx(4007000).epsilon(0.01));
    transformer(utm, wgs84).apply(&x, &y, 1, "test");
    CHECK(x == Approx(113.1).margin(1e-9));
    CHECK(y == Approx(36.2).margin(1e-9));
}

TEST_CASE("a user CRS must be metric", "[crs]") {
    CHECK(crs_label(choose_metric_crs("EPSG:32650", 0, 0)) == "EPSG:32650");
    CHECK_THROWS_AS(choose_metric_crs("EPSG:4326", 0, 0), input_error);
    CHECK_THROWS_AS(choose_metric_crs("not a crs", 0, 0), input_error);
}
