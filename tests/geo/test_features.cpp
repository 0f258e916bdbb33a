#include "support.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/china_coords.hpp"
#include "healthreach/geo/features.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/standards.hpp"

#include <catch2/catch.hpp>

#include <cmath>
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

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// An XLSX workbook written through GDAL: one sheet per entry, each a header and rows of cells
// (numbers where `numeric` says so, else text).
void write_xlsx(const std::string& path, const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>>& sheets,
                const std::vector<std::string>& numeric = {}) {
    geo::init_gdal();
    geo::dataset_ptr ds = geo::create_vector("XLSX", path);
    for (const auto& [name, rows] : sheets) {
        std::vector<std::pair<std::string, OGRFieldType>> fields;
        for (const std::string& h : rows.front())
            fields.emplace_back(h, std::find(numeric.begin(), numeric.end(), h) != numeric.end() ? OFTReal : OFTString);
        OGRLayer& layer = geo::create_layer(*ds, name, wkbNone, nullptr, fields);
        for (std::size_t r = 1; r < rows.size(); ++r) {
            OGRFeature f(layer.GetLayerDefn());
            for (std::size_t c = 0; c < rows[r].size(); ++c)
                if (!rows[r][c].empty()) f.SetField(static_cast<int>(c), rows[r][c].c_str());
            geo::add_feature(layer, f);
        }
    }
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

TEST_CASE("points from tables: 经度/纬度 columns, UTF-8 and GBK give the same points and names", "[features]") {
    const std::string dir = test::scratch_dir("features-gbk");
    // "急救站" (ambulance station) and "经度/纬度" in UTF-8 and in GBK (CP936).
    const std::string utf8 = "id,名称,type,经度,纬度\n1,急救站,ambulance-station,117,36\n2,卫生院,township-centre,117.01,36.02\n";
    const std::string gbk = "id,\xC3\xFB\xB3\xC6,type,\xBE\xAD\xB6\xC8,\xCE\xB3\xB6\xC8\n1,\xBC\xB1\xBE\xC8\xD5\xBE,ambulance-station,117,36\n"
                            "2,\xCE\xC0\xC9\xFA\xD4\xBA,township-centre,117.01,36.02\n";
    write_bytes(dir + "/utf8.csv", utf8);
    write_bytes(dir + "/gbk.csv", gbk);
    write_bytes(dir + "/bom.csv", "\xEF\xBB\xBF" + utf8);  // Excel's "CSV UTF-8"
    const point_set a = read_points(dir + "/utf8.csv", utm50());
    REQUIRE(a.size() == 2);
    CHECK(a.lon_field == "经度");
    CHECK(a.lat_field == "纬度");
    CHECK(a.name_field == "名称");  // guessed
    CHECK(a.name[0] == "急救站");
    for (const char* other : {"/gbk.csv", "/bom.csv"}) {
        INFO(other);
        const point_set b = read_points(dir + other, utm50());
        REQUIRE(b.size() == 2);
        CHECK(b.name == a.name);
        CHECK(b.x == a.x);
        CHECK(b.y == a.y);
        CHECK(b.type == a.type);
    }
    const point_set g = read_points(dir + "/gbk.csv", utm50());
    CHECK(std::find(g.notes.begin(), g.notes.end(), "text read as GBK (not UTF-8)") != g.notes.end());
    CHECK(a.notes.end() == std::find(a.notes.begin(), a.notes.end(), "text read as GBK (not UTF-8)"));
}

TEST_CASE("points from tables: text in another encoding is an error naming the row, never a silent misreading", "[features]") {
    const std::string dir = test::scratch_dir("features-latin1");
    // Latin-1 (Porto Alegre's clinics): "Clínica São José" is not UTF-8, and read as GBK its
    // "ín", "ão", "é " would be rare characters or invalid.
    write_bytes(dir + "/latin1.csv", "id,name,lon,lat\n1,Posto Central,-51.2,-30.0\n2,Cl\xEDnica S\xE3o Jos\xE9 II,-51.21,-30.01\n");
    CHECK_THROWS_WITH(read_points(dir + "/latin1.csv", utm50()),
                      Catch::Contains("latin1.csv") && Catch::Contains("row 3") && Catch::Contains("UTF-8"));
    // Invalid as GBK too (a Latin-1 letter before a comma).
    write_bytes(dir + "/latin1b.csv", "id,name,lon,lat\n1,Jos\xE9,-51.2,-30.0\n");
    CHECK_THROWS_WITH(read_points(dir + "/latin1b.csv", utm50()), Catch::Contains("row 2") && Catch::Contains("neither UTF-8 nor GBK"));
    // Latin-1 "çã" is a valid GB2312 pair, but inside a Latin word.
    write_bytes(dir + "/latin1c.csv", "id,name,lon,lat\n1,Esta\xE7\xE3o Central,-51.2,-30.0\n");
    CHECK_THROWS_WITH(read_points(dir + "/latin1c.csv", utm50()), Catch::Contains("row 2") && Catch::Contains("inside Latin words"));
    // Big5 "台北醫院" (Taipei hospital): trail bytes below 0xA1 are rare in GBK.
    write_bytes(dir + "/big5.csv", "id,name,lon,lat\n1,\xA5\x78\xA5\x5F\xC2\xE5\xB0\x7C,121.5,25.0\n");
    CHECK_THROWS_WITH(read_points(dir + "/big5.csv", utm50()), Catch::Contains("big5.csv") && Catch::Contains("row 2"));
}

TEST_CASE("points from tables: a missing or unparsable coordinate names the file, row, column and value", "[features]") {
    const std::string dir = test::scratch_dir("features-bad-rows");
    struct bad {
        std::string text, needle;
    };
    const bad cases[] = {
        {"id,lon,lat\n1,117,36\n2,,36\n", "row 3: column 'lon' is empty"},
        {"id,lon,lat\n1,117,36\n2,117.5,\n", "row 3: column 'lat' is empty"},
        {"id,lon,lat\n1,\"117,5\",36\n", "row 2: column 'lon' holds '117,5', not a number"},
        {"id,lon,lat\n1,117.5E,36\n", "holds '117.5E', not a number"},
        {"id,lon,lat\n1,117,NaN\n", "row 2: column 'lat' holds 'NaN', not a finite number"},
        {"id,lon,lat\n1,117,inf\n", "not a finite number"},
        {"id,lon,lat\n1,435790,3968750\n", "is no longitude and latitude: give their CRS with --points-crs"},
        {"id,name\n1,a\n", "no coordinate columns"},
        {"id,lon,lng,lat\n1,117,117,36\n", "columns 'lon' and 'lng' both name a coordinate"},
    };
    for (const bad& c : cases) {
        INFO(c.text);
        write_bytes(dir + "/p.csv", c.text);
        CHECK_THROWS_WITH(read_points(dir + "/p.csv", utm50()), Catch::Contains("p.csv") && Catch::Contains(c.needle));
    }
    // Entirely empty rows (Excel leaves them) are not facilities.
    write_bytes(dir + "/p.csv", "id,lon,lat\n1,117,36\n,,\n2,117.1,36.1\n");
    CHECK(read_points(dir + "/p.csv", utm50()).size() == 2);
}

TEST_CASE("points from tables: x/y in --points-crs, named columns, XLSX sheets", "[features]") {
    const std::string dir = test::scratch_dir("features-xlsx");
    point_options utm;
    utm.points_crs = "EPSG:32650";
    write_bytes(dir + "/xy.csv", "id,X,Y\n1,500000,3983948.45\n");
    const point_set xy = read_points(dir + "/xy.csv", utm50(), utm);
    REQUIRE(xy.size() == 1);
    CHECK(xy.x[0] == Approx(500000).margin(1e-6));
    CHECK(xy.y[0] == Approx(3983948.45).margin(1e-6));
    CHECK_THROWS_WITH(read_points(dir + "/xy.csv", utm50(), [] {
                          point_options o;
                          o.points_crs = "EPSG:nonsense";
                          return o;
                      }()),
                      Catch::Contains("--points-crs"));

    point_options named;
    named.lon_field = "E";
    named.lat_field = "N";
    write_bytes(dir + "/en.csv", "id,E,N,lon\n1,117,36,999\n");
    CHECK(read_points(dir + "/en.csv", utm50(), named).x[0] == Approx(500000).margin(0.01));
    named.lat_field = "North";
    CHECK_THROWS_WITH(read_points(dir + "/en.csv", utm50(), named), Catch::Contains("'North'") && Catch::Contains("--lat-field"));

    // A workbook: a notes sheet and the facilities sheet; numbers as numbers and as text.
    write_xlsx(dir + "/f.xlsx",
               {{"notes", {{"note"}, {"exported from the county list"}}},
                {"facilities", {{"id", "FacilityName", "Type", "longitude", "latitude"},
                                {"A", "Station A", "Hospital", "117", "36"},
                                {"B", "Station B", "Clinic", "117.01", "36.02"}}}},
               {"longitude", "latitude"});
    const point_set x = read_points(dir + "/f.xlsx", utm50());
    REQUIRE(x.size() == 2);
    CHECK(x.layer == "facilities");
    CHECK(x.name_field == "FacilityName");
    CHECK(x.name[1] == "Station B");
    CHECK(x.x[0] == Approx(500000).margin(0.01));
    REQUIRE(!x.warnings.empty());
    CHECK_THAT(x.warnings.front(), Catch::Contains("2 sheets") && Catch::Contains("'facilities'"));
    write_xlsx(dir + "/bad.xlsx", {{"sites", {{"id", "lon", "lat"}, {"A", "117", "36"}, {"B", "117.1", "north"}}}});
    CHECK_THROWS_WITH(read_points(dir + "/bad.xlsx", utm50()),
                      Catch::Contains("bad.xlsx") && Catch::Contains("row 3") && Catch::Contains("'north'"));
    write_xlsx(dir + "/two.xlsx", {{"a", {{"id", "lon", "lat"}, {"A", "117", "36"}}}, {"b", {{"id", "lon", "lat"}, {"B", "117", "36"}}}});
    CHECK_THROWS_WITH(read_points(dir + "/two.xlsx", utm50()), Catch::Contains("2 sheets") && Catch::Contains("a, b"));
    point_options sheet;
    sheet.layer = "b";
    CHECK(read_points(dir + "/two.xlsx", utm50(), sheet).id[0] == "B");
}

TEST_CASE("facility vocabularies: the name field guessed, the type field named, the type map applied", "[features]") {
    const std::string dir = test::scratch_dir("features-vocabulary");
    write_bytes(dir + "/ghana.csv",
                "Region,FacilityName,Type,lon,lat\nGreater Accra,Korle Bu,Teaching Hospital,-0.22,5.54\n"
                "Greater Accra,Mamprobi,Polyclinic,-0.23,5.53\nGreater Accra,Adabraka, clinic ,-0.21,5.56\n"
                "Greater Accra,Dodowa,Maternity Home,-0.1,5.88\n");
    const point_set plain = read_points(dir + "/ghana.csv", utm50());
    CHECK(plain.name_field == "FacilityName");
    CHECK(plain.name[0] == "Korle Bu");
    REQUIRE(!plain.notes.empty());
    CHECK_THAT(plain.notes.front(), Catch::Contains("name field 'FacilityName' guessed"));
    CHECK(plain.type_field == "Type");  // `type` in any case
    CHECK(plain.source_type[2] == "clinic");  // trimmed
    CHECK(plain.type_mapped == 0);

    point_options o;
    o.types = parse_type_map("Teaching Hospital=city-hospital, polyclinic = community-centre,CLINIC=community-station");
    const point_set mapped = read_points(dir + "/ghana.csv", utm50(), o);
    CHECK(mapped.type == std::vector<std::string>{"city-hospital", "community-centre", "community-station", "Maternity Home"});
    CHECK(mapped.source_type[1] == "Polyclinic");
    CHECK(mapped.type_mapped == 3);

    o.type_field = "Region";
    CHECK(read_points(dir + "/ghana.csv", utm50(), o).type_field == "Region");
    o.type_field = "kind";
    CHECK_THROWS_WITH(read_points(dir + "/ghana.csv", utm50(), o),
                      Catch::Contains("no field 'kind'") && Catch::Contains("--type-field") && Catch::Contains("FacilityName"));
    o.type_field.clear();
    o.name_field = "Region";
    CHECK(read_points(dir + "/ghana.csv", utm50(), o).name[0] == "Greater Accra");
    CHECK(read_points(dir + "/ghana.csv", utm50(), o).notes.empty());  // named, not guessed
}

TEST_CASE("type map parsing (--type-map): entries, spaces, errors", "[features]") {
    const type_map m = parse_type_map(" Hospital = ambulance-station ,名称医院=county-hospital");
    REQUIRE(m.size() == 2);
    CHECK(m[0] == std::pair<std::string, std::string>{"Hospital", "ambulance-station"});
    CHECK(m[1].first == "名称医院");
    CHECK(type_key("  HosPital ") == "hospital");
    CHECK(type_key("Ünï") == "Ünï");  // only ASCII letters fold
    CHECK_THROWS_WITH(parse_type_map("A=b,,C=d"), Catch::Contains("entry 2 is empty"));
    CHECK_THROWS_WITH(parse_type_map("A=b,"), Catch::Contains("entry 2 is empty"));
    CHECK_THROWS_WITH(parse_type_map(""), Catch::Contains("entry 1 is empty"));
    CHECK_THROWS_WITH(parse_type_map("Hospital"), Catch::Contains("'Hospital' has no '='"));
    CHECK_THROWS_WITH(parse_type_map("=ambulance-station"), Catch::Contains("left of '='"));
    CHECK_THROWS_WITH(parse_type_map("Hospital="), Catch::Contains("right of '='"));
    CHECK_THROWS_WITH(parse_type_map("Hospital=a,HOSPITAL=b"), Catch::Contains("already mapped to 'a'"));
    CHECK(parse_type_map("Hospital=a,HOSPITAL=a").size() == 2);  // the same twice: harmless
}

TEST_CASE("[facility_types] in the standards file, and --type-map over it", "[features][standards]") {
    const standards s = parse_standards("[facility_types]\n\"Hospital\" = \"ambulance-station\"\n\"CHPS\" = \"village-clinic\"\n",
                                        "user.toml");
    REQUIRE(s.facility_type_map.size() == 2);
    CHECK(s.known_facility_types().count("community-station") == 1);
    const type_map merged = s.merged_type_map(parse_type_map("hospital=county-hospital,Clinic=community-station"));
    // The command line's entries first and winning (same key in another case), then the file's others.
    CHECK(merged == type_map{{"hospital", "county-hospital"}, {"Clinic", "community-station"}, {"CHPS", "village-clinic"}});
    CHECK_THROWS_WITH(s.merged_type_map(parse_type_map("Hospital=ambulanse-station")),
                      Catch::Contains("--type-map: 'Hospital=ambulanse-station'") && Catch::Contains("ambulance-station"));
    CHECK_THROWS_WITH(parse_standards("[facility_types]\nHospital = \"hospital\"\n", "user.toml"),
                      Catch::Contains("user.toml: facility_types.Hospital") && Catch::Contains("'hospital'"));
    CHECK_THROWS_WITH(parse_standards("[facility_types]\nHospital = \"county-hospital\"\nHOSPITAL = \"city-hospital\"\n", "u.toml"),
                      Catch::Contains("already mapped"));
    CHECK(load_standards().facility_type_map.empty());
}

TEST_CASE("web-map coordinates (--coords gcj02, bd09) back to WGS 84, CGCS2000 read as WGS 84", "[features][china_coords]") {
    const std::string dir = test::scratch_dir("features-coords");
    // Three points in Changzhi (Shanxi), as WGS 84 and as a web map shows them.
    const double wgs[3][2] = {{113.1163, 36.1954}, {113.05, 36.3}, {112.9, 35.9}};
    std::string plain = "id,lon,lat\n", gcj = plain, bd = plain;
    char row[128];
    for (int i = 0; i < 3; ++i) {
        double lon = wgs[i][0], lat = wgs[i][1];
        std::snprintf(row, sizeof row, "%d,%.17g,%.17g\n", i, lon, lat);
        plain += row;
        wgs84_to_gcj02(lon, lat);
        std::snprintf(row, sizeof row, "%d,%.17g,%.17g\n", i, lon, lat);
        gcj += row;
        lon = wgs[i][0];
        lat = wgs[i][1];
        wgs84_to_bd09(lon, lat);
        std::snprintf(row, sizeof row, "%d,%.17g,%.17g\n", i, lon, lat);
        bd += row;
    }
    write_bytes(dir + "/wgs.csv", plain);
    write_bytes(dir + "/gcj.csv", gcj);
    write_bytes(dir + "/bd.csv", bd);
    const point_set truth = read_points(dir + "/wgs.csv", utm50());
    point_options o;
    for (lonlat_system sys : {lonlat_system::gcj02, lonlat_system::bd09}) {
        o.coords = sys;
        const point_set p = read_points(dir + (sys == lonlat_system::gcj02 ? "/gcj.csv" : "/bd.csv"), utm50(), o);
        const point_set raw = read_points(dir + (sys == lonlat_system::gcj02 ? "/gcj.csv" : "/bd.csv"), utm50());
        REQUIRE(p.size() == 3);
        CHECK(p.coords_converted == 3);
        for (int i = 0; i < 3; ++i) {
            CHECK(std::hypot(p.x[i] - truth.x[i], p.y[i] - truth.y[i]) < 0.5);
            CHECK(std::hypot(raw.x[i] - truth.x[i], raw.y[i] - truth.y[i]) > 100);  // the offset the option removes
        }
        CHECK_THAT(p.notes.back(), Catch::Contains("converted to WGS 84") && Catch::Contains("3 points"));
    }
    // Outside China GCJ-02 is the identity: said, and warned.
    write_bytes(dir + "/accra.csv", "id,lon,lat\n1,-0.2,5.6\n");
    o.coords = lonlat_system::gcj02;
    const point_set accra = read_points(dir + "/accra.csv", utm50(), o);
    CHECK(accra.coords_converted == 0);
    CHECK(accra.coords_outside_china == 1);
    REQUIRE(!accra.warnings.empty());
    CHECK_THAT(accra.warnings.front(), Catch::Contains("outside China"));
    // Projected coordinates are not a web map's.
    o.points_crs = "EPSG:32650";
    write_bytes(dir + "/xy.csv", "id,x,y\n1,500000,3983948\n");
    CHECK_THROWS_WITH(read_points(dir + "/xy.csv", utm50(), o), Catch::Contains("--coords GCJ-02") && Catch::Contains("EPSG:32650"));
    // CGCS2000 is taken as WGS 84.
    point_options cgcs;
    cgcs.points_crs = "EPSG:4490";
    const point_set c = read_points(dir + "/wgs.csv", utm50(), cgcs);
    CHECK(c.x == truth.x);
    CHECK(c.y == truth.y);
    CHECK(std::find(c.notes.begin(), c.notes.end(), "EPSG:4490 (CGCS2000) taken as WGS 84") != c.notes.end());
}
