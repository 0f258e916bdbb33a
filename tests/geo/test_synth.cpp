#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/snap.hpp"
#include "healthreach/geo/synth.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

std::size_t feature_count(const std::string& path, const std::string& layer) {
    dataset_ptr ds = open_vector(path);
    OGRLayer& l = find_layer(*ds, path, layer);
    CHECK(crs_label(*l.GetSpatialRef()) == "EPSG:32649");
    return static_cast<std::size_t>(l.GetFeatureCount(TRUE));
}

}  // namespace

TEST_CASE("the synthetic region opens with GDAL and holds what it says", "[synth]") {
    const std::string dir = test::scratch_dir("synth");
    const synth_summary s = write_synthetic_region(dir, synth_scale::small, 1);

    CHECK(feature_count(dir + "/roads.gpkg", "roads") == s.road_lines);
    CHECK(feature_count(dir + "/facilities.gpkg", "facilities") == s.facilities);
    CHECK(feature_count(dir + "/admin.gpkg", "counties") == s.counties);
    CHECK(feature_count(dir + "/admin.gpkg", "townships") == s.townships);
    CHECK(feature_count(dir + "/villages.gpkg", "villages") == s.villages);
    CHECK(feature_count(dir + "/urban.gpkg", "urban") >= 2);
    {
        dataset_ptr admin = open_vector(dir + "/admin.gpkg");
        CHECK(std::string(admin->GetLayer(0)->GetName()) == "counties");  // counties first, then townships
    }
    CHECK(s.counties == 6);  // four districts and two counties
    CHECK(s.population > 250000);
    CHECK(s.population < 350000);

    // The raster holds the population (Float32 cells, so a relative tolerance).
    dataset_ptr pop = open_raster(dir + "/population.tif");
    CHECK(crs_label(*pop->GetSpatialRef()) == "EPSG:32649");
    GDALRasterBand* band = pop->GetRasterBand(1);
    std::vector<float> row(band->GetXSize());
    double total = 0;
    for (int y = 0; y < band->GetYSize(); ++y) {
        REQUIRE(band->RasterIO(GF_Read, 0, y, band->GetXSize(), 1, row.data(), band->GetXSize(), 1, GDT_Float32, 0, 0) ==
                CE_None);
        for (float v : row) {
            REQUIRE(v >= 0);
            total += v;
        }
    }
    CHECK(total == Approx(s.population).epsilon(1e-5));

    // Every facility lies within the snap limit (1,000 m) of the routable drive network.
    const road_set roads = read_roads(dir + "/roads.gpkg");
    const network net = build_network(roads, test::builtin_profile("drive"), roads.srs).net;
    const snapper snap(net);
    dataset_ptr fac = open_vector(dir + "/facilities.gpkg");
    OGRLayer& layer = *fac->GetLayer(0);
    std::size_t typed = 0;
    for (feature_ptr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
        const OGRPoint* p = f->GetGeometryRef()->toPoint();
        CHECK(snap.nearest(p->getX(), p->getY()).distance_m <= 1000);
        typed += std::string(f->GetFieldAsString("type")).empty() ? 0 : 1;
    }
    CHECK(typed == s.facilities);
}

TEST_CASE("the same seed gives the same bytes, and sample-data is the generator's own output", "[synth]") {
    const std::string a = test::scratch_dir("synth-a"), b = test::scratch_dir("synth-b");
    write_synthetic_region(a, synth_scale::small, 1);
    write_synthetic_region(b, synth_scale::small, 1);
    for (const char* f : {"roads.gpkg", "population.tif", "facilities.gpkg", "admin.gpkg", "villages.gpkg", "urban.gpkg",
                          "README.md"}) {
        INFO(f);
        CHECK(test::read_text(a + "/" + f) == test::read_text(b + "/" + f));
        CHECK(test::read_text(a + "/" + f) == test::read_text(std::string(HEALTHREACH_SAMPLE_DATA) + "/" + f));
    }
    const std::string c = test::scratch_dir("synth-c");
    write_synthetic_region(c, synth_scale::small, 2);
    CHECK(test::read_text(a + "/roads.gpkg") != test::read_text(c + "/roads.gpkg"));
}
