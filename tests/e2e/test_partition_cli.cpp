// End-to-end: `healthreach coverage --partition` equals the whole run exactly (JSON, every layer's
// attributes and geometry, the travel raster's pixels) on the sample region, the prefecture region
// and a real area; bad partition layers; healthreach-mpi on 1, 2 and 3 ranks when it is built.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/gdal.hpp"

#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <chrono>
#include <regex>
#include <sstream>

using namespace healthreach;

namespace {

const std::string exe = HEALTHREACH_BINARY;
const std::string sample = HEALTHREACH_SAMPLE_DATA;

// Every layer of a GeoPackage as text: per feature, every field and the geometry's WKT.
std::string dump_layers(const std::string& path) {
    geo::init_gdal();
    geo::dataset_ptr ds(static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
    REQUIRE(ds);
    std::ostringstream out;
    for (int l = 0; l < ds->GetLayerCount(); ++l) {
        OGRLayer* layer = ds->GetLayer(l);
        out << "layer " << layer->GetName() << "\n";
        for (geo::feature_ptr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
            for (int i = 0; i < f->GetFieldCount(); ++i)
                out << f->GetFieldDefnRef(i)->GetNameRef() << "=" << (f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "NULL") << ";";
            if (const OGRGeometry* g = f->GetGeometryRef()) out << g->exportToWkt();
            out << "\n";
        }
    }
    return out.str();
}

std::vector<float> pixels(const std::string& path) {
    geo::init_gdal();
    geo::dataset_ptr ds(static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_RASTER, nullptr, nullptr, nullptr)));
    REQUIRE(ds);
    std::vector<float> v(static_cast<std::size_t>(ds->GetRasterXSize()) * ds->GetRasterYSize());
    REQUIRE(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(), v.data(),
                                           ds->GetRasterXSize(), ds->GetRasterYSize(), GDT_Float32, 0, 0) == CE_None);
    return v;
}

// The JSON summary without the partition's own input entry (the only key a partitioned run adds).
std::string without_partition(std::string json) {
    return std::regex_replace(json, std::regex(R"(,"partition":\{[^{}]*\})"), "");
}

std::string without_warnings(const std::string& json) {
    return std::regex_replace(json, std::regex(R"("warnings":\[[^\]]*\])"), "");
}

// Runs `args` whole and with --partition `partition`, and checks the outputs are identical (but for
// the partition's own warnings when `warned`).
void check_same(const std::string& dir, const std::string& args, const std::string& partition, bool warned = false) {
    REQUIRE(test::run(exe + " coverage " + args + " --quiet --json --travel-raster " + dir + "/whole.tif --out " + dir +
                      "/whole.gpkg > " + dir + "/whole.json") == 0);
    std::string err;
    REQUIRE(test::run(exe + " coverage " + args + " --partition " + partition + " --quiet --json --travel-raster " + dir +
                      "/part.tif --out " + dir + "/part.gpkg > " + dir + "/part.json", &err) == 0);
    const std::string whole = test::read_text(dir + "/whole.json"), part = test::read_text(dir + "/part.json");
    CHECK(part.find("\"partition\":{") != std::string::npos);
    if (warned) CHECK(without_warnings(without_partition(part)) == without_warnings(whole));
    else CHECK(without_partition(part) == whole);
    CHECK(dump_layers(dir + "/part.gpkg") == dump_layers(dir + "/whole.gpkg"));
    CHECK(pixels(dir + "/part.tif") == pixels(dir + "/whole.tif"));
}

std::string sample_args(const std::string& service) {
    return "--roads " + sample + "/roads.gpkg --population " + sample + "/population.tif --facilities " + sample +
           "/facilities.gpkg --admin " + sample + "/admin.gpkg --service " + service;
}

}  // namespace

TEST_CASE("coverage --partition equals the whole run on the sample region, by townships and by counties", "[e2e][partition]") {
    const std::string dir = test::scratch_dir("e2e-partition-sample");
    for (const std::string service : {"ambulance", "community-station"}) {
        INFO(service);
        check_same(dir, sample_args(service), sample + "/admin.gpkg --partition-layer townships");
        check_same(dir, sample_args(service), sample + "/admin.gpkg --partition-layer counties");
    }
    // Ambulance at the plans' 5 km urban and 20 km rural limits.
    check_same(dir, sample_args("ambulance") + " --rural-limit 20000", sample + "/admin.gpkg --partition-layer townships");
}

TEST_CASE("coverage --partition: people outside every part are a part of their own, overlaps counted once",
          "[e2e][partition]") {
    const std::string dir = test::scratch_dir("e2e-partition-bad");
    // Two overlapping boxes over the west of the sample region (UTM 49N): the east lies in neither.
    geo::init_gdal();
    geo::dataset_ptr admin(static_cast<GDALDataset*>(GDALOpenEx((sample + "/admin.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
    REQUIRE(admin);
    OGREnvelope e;
    REQUIRE(admin->GetLayerByName("counties")->GetExtent(&e) == OGRERR_NONE);
    admin.reset();
    const double mid = (e.MinX + e.MaxX) / 2, third = (e.MaxX - e.MinX) / 3;
    test::write_boxes(dir + "/parts.geojson",
                      {{e.MinX, e.MinY, mid, e.MaxY}, {e.MinX + third, e.MinY, mid + third / 2, e.MaxY}}, {"west", "overlap"}, 32649);
    check_same(dir, sample_args("ambulance"), dir + "/parts.geojson", true);
    const std::string json = test::read_text(dir + "/part.json");
    CHECK(json.find("lie in no polygon of --partition") != std::string::npos);
    CHECK(json.find("(outside every part)") != std::string::npos);
    CHECK(json.find("1 pair(s) of parts overlap") != std::string::npos);
    CHECK(json.find("'west' and 'overlap'") != std::string::npos);
    CHECK(json.find("counted in 'west'") != std::string::npos);

    // A partition file without polygons: exit 2 naming it, nothing written.
    test::write_points(dir + "/points.geojson", {{e.MinX + 10, e.MinY + 10, "\"name\":\"p\""}}, 32649);
    std::string err;
    CHECK(test::run(exe + " coverage " + sample_args("ambulance") + " --partition " + dir + "/points.geojson --out " + dir +
                        "/none.gpkg", &err) == 2);
    CHECK(err.find("points.geojson") != std::string::npos);
    CHECK_FALSE(test::file_exists(dir + "/none.gpkg"));
}

TEST_CASE("coverage --partition equals the whole run on the prefecture region", "[e2e][partition][slow]") {
    const std::string dir = test::scratch_dir("e2e-partition-pref");
    REQUIRE(test::run(exe + " synth --scale prefecture --seed 1 --out " + dir + "/pref > /dev/null 2>&1") == 0);
    const std::string p = dir + "/pref";
    const std::string args = "--roads " + p + "/roads.gpkg --population " + p + "/population.tif --facilities " + p +
                             "/facilities.gpkg --admin " + p + "/admin.gpkg";
    check_same(dir, args + " --service ambulance --rural-limit 20000", p + "/admin.gpkg --partition-layer counties");
    check_same(dir, args + " --service community-station", p + "/admin.gpkg --partition-layer counties");
}

TEST_CASE("coverage --partition equals the whole run on Accra (real roads, population, facilities)", "[e2e][partition][slow]") {
    const std::string roads = test::shared_data("accra-roads.gpkg"), pop = test::shared_data("accra-pop-2015.tif"),
                      health = test::shared_data("accra-health.gpkg");
    if (roads.empty() || pop.empty() || health.empty()) {
        WARN("Accra data absent: skipped");
        return;
    }
    const std::string dir = test::scratch_dir("e2e-partition-accra");
    // Accra has no admin layer in the data: a 3 x 2 grid of boxes over the whole area stands in (in
    // degrees, EPSG:4326), its borders cutting the city.
    std::vector<std::array<double, 4>> boxes;
    std::vector<std::string> names;
    const double x0 = -0.6, x1 = 0.1, y0 = 5.3, y1 = 6.0;  // beyond the population raster: nobody outside
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 2; ++j) {
            boxes.push_back({x0 + i * (x1 - x0) / 3, y0 + j * (y1 - y0) / 2, x0 + (i + 1) * (x1 - x0) / 3, y0 + (j + 1) * (y1 - y0) / 2});
            names.push_back("part " + std::to_string(i) + "," + std::to_string(j));
        }
    test::write_boxes(dir + "/grid.geojson", boxes, names, 4326);
    // Ghana's facility types mapped as bench/real-inputs.sh maps them.
    const std::string args = "--roads " + roads + " --population " + pop + " --facilities " + health;
    check_same(dir, args + " --service ambulance --type-map 'Hospital=ambulance-station,Teaching Hospital=ambulance-station,Polyclinic=ambulance-station'",
               dir + "/grid.geojson");
    check_same(dir, args + " --service community-station --type-map 'Clinic=community-station,CHPS=community-station,Maternity Home=community-station,Health Centre=community-centre,Polyclinic=community-centre'",
               dir + "/grid.geojson");
}

#ifdef HEALTHREACH_MPI_BINARY
TEST_CASE("healthreach-mpi on 1, 2 and 3 ranks write the single process's outputs, and a failing rank fails the run",
          "[e2e][partition][mpi]") {
    const std::string dir = test::scratch_dir("e2e-partition-mpi");
    const std::string mpirun = "mpirun --allow-run-as-root --oversubscribe -np ";
    const std::string args = sample_args("ambulance") + " --partition " + sample + "/admin.gpkg --partition-layer townships";
    REQUIRE(test::run(exe + " coverage " + args + " --quiet --json --travel-raster " + dir + "/one.tif --out " + dir +
                      "/one.gpkg > " + dir + "/one.json") == 0);
    const std::string json = test::read_text(dir + "/one.json"), layers = dump_layers(dir + "/one.gpkg");
    const std::vector<float> raster = pixels(dir + "/one.tif");
    for (int np : {1, 2, 3}) {
        INFO("ranks: " << np);
        const std::string n = std::to_string(np);
        const auto start = std::chrono::steady_clock::now();
        std::string err;
        REQUIRE(test::run(mpirun + n + " " + HEALTHREACH_MPI_BINARY + " coverage " + args + " --quiet --json --travel-raster " +
                          dir + "/np" + n + ".tif --out " + dir + "/np" + n + ".gpkg > " + dir + "/np" + n + ".json", &err) == 0);
        WARN("mpirun -np " << np << ": " << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s");
        CHECK(test::read_text(dir + "/np" + n + ".json") == json);
        CHECK(dump_layers(dir + "/np" + n + ".gpkg") == layers);
        CHECK(pixels(dir + "/np" + n + ".tif") == raster);
    }
    // Rank 2 of 3 is given a population file that does not exist: the run fails, says which rank and
    // which file, and leaves no output (nor a temporary) behind.
    const std::string fail_dir = test::scratch_dir("e2e-partition-mpi-fail");
    const std::string pick = "if [ \"$OMPI_COMM_WORLD_RANK\" = 2 ]; then p=" + fail_dir + "/missing.tif; else p=" + sample +
                             "/population.tif; fi; exec " + HEALTHREACH_MPI_BINARY + " coverage --roads " + sample +
                             "/roads.gpkg --population $p --facilities " + sample + "/facilities.gpkg --service ambulance --partition " +
                             sample + "/admin.gpkg --partition-layer townships --out " + fail_dir + "/out.gpkg";
    std::string err;
    CHECK(test::run(mpirun + "3 sh -c '" + pick + "'", &err) != 0);
    CHECK(err.find("rank 2 of 3") != std::string::npos);
    CHECK(err.find("missing.tif") != std::string::npos);
    CHECK(test::list_dir(fail_dir).empty());

    // Without --partition there is nothing to share out: exit 2 naming the option, nothing written.
    CHECK(test::run(mpirun + "1 " + HEALTHREACH_MPI_BINARY + " coverage " + sample_args("ambulance") + " --out " + fail_dir +
                        "/out.gpkg", &err) == 2);
    CHECK(err.find("--partition") != std::string::npos);
    CHECK(test::list_dir(fail_dir).empty());
}
#endif
