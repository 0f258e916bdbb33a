#include "support.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/features.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

OGRSpatialReference utm50() {
    OGRSpatialReference srs;
    srs.importFromEPSG(32650);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

}  // namespace

TEST_CASE("points from CSV: lon/lat columns in WGS 84, fields by name", "[features]") {
    const std::string path = test::scratch_dir("features-csv") + "/f.csv";
    std::ofstream(path) << "id,name,type,lon,lat\n1,A,clinic,117,36\n";
    const point_set pts = read_points(path, utm50());
    REQUIRE(pts.size() == 1);
    CHECK(pts.id[0] == "1");
    CHECK(pts.type[0] == "clinic");
    CHECK(pts.x[0] == Approx(500000).margin(0.01));  // 117 E is zone 50's central meridian
    CHECK(pts.y[0] == Approx(3983948.45).margin(0.01));
}

// Regression (bench/fuzz.sh, points_csv): GDAL 3.6 crashed reading a CSV file with two columns for
// one coordinate when asked to drop the coordinate columns.
TEST_CASE("points from CSV: two columns for one coordinate are an input error, not a crash", "[features]") {
    const std::string dir = test::scratch_dir("features-two-lon");
    const std::string fuzzed =
        "id/vsicurl_streasicurl_streami,lon,TIPOIN\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9"
        "\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xcex\x9e"
        "7.1 72.1))ami,lon,lat\n1,400,95\n2pmi,lon,lat\n1,400,95\n2p,95\n2p,300";
    for (const std::string& text : {fuzzed, std::string("id,lon,x,lat\n1,117,500000,36\n"),
                                    std::string("id,lon,lat,LATITUDE\n1,117,36,36\n")}) {
        INFO(text);
        std::ofstream(dir + "/p.csv", std::ios::binary | std::ios::trunc) << text;
        CHECK_THROWS_AS(read_points(dir + "/p.csv", utm50()), input_error);
    }
    std::ofstream(dir + "/p.csv", std::ios::binary | std::ios::trunc) << "id,lon,x,lat\n1,117,500000,36\n";
    CHECK_THROWS_WITH(read_points(dir + "/p.csv", utm50()), Catch::Contains("'lon' and 'x'"));
}
