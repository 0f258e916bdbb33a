// Compliance rules on tiny admin layouts, boundary cases included.
#include "support.hpp"

#include "healthreach/geo/compliance.hpp"
#include "healthreach/geo/gdal.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

// Writes a GeoPackage of box layers: each layer a list of (name, kind, box).
struct box_unit {
    std::string name, kind;
    std::array<double, 4> box;
};
void write_admin(const std::string& path, const std::vector<std::pair<std::string, std::vector<box_unit>>>& layers) {
    dataset_ptr ds = create_vector("GPKG", path);
    OGRSpatialReference srs;
    srs.importFromEPSG(32650);
    for (const auto& [name, units] : layers) {
        OGRLayer& layer = create_layer(*ds, name, wkbPolygon, &srs, {{"name", OFTString}, {"kind", OFTString}});
        feature_ptr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
        for (const box_unit& u : units) {
            f->SetField("name", u.name.c_str());
            f->SetField("kind", u.kind.c_str());
            OGRLinearRing ring;
            const auto& b = u.box;
            for (auto [x, y] : {std::pair{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}) ring.addPoint(x, y);
            OGRPolygon poly;
            poly.addRing(&ring);
            f->SetGeometry(&poly);
            add_feature(layer, *f);
        }
    }
}

const compliance_row& row_of(const compliance_report& rep, const std::string& rule, const std::string& admin) {
    for (const compliance_row& r : rep.rows)
        if (r.rule == rule && r.admin == admin) return r;
    FAIL("no row " << rule << " for " << admin);
    return rep.rows.front();
}

// Two counties side by side: A (x 0..1000) with exactly 30,000 residents, B (x 1000..2000) with 30,001.
struct layout {
    std::string dir = test::scratch_dir("compliance");
    compliance_options o;
    layout() {
        test::write_raster(dir + "/pop.tif", 20, 1, 0, 100, 100,
                           {3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000,
                            3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3001});
        write_admin(dir + "/admin.gpkg", {{"counties", {{"A", "county", {0, -500, 1000, 500}}, {"B", "county", {1000, -500, 2000, 500}}}},
                                          {"townships", {{"A1", "township", {0, -500, 1000, 500}},
                                                         {"B1", "township", {1000, -500, 1500, 500}},
                                                         {"B2", "township", {1500, -500, 2000, 500}}}}});
        o.population = dir + "/pop.tif";
        o.admin = dir + "/admin.gpkg";
        o.facilities = dir + "/fac.geojson";
        o.crs = "EPSG:32650";
    }
};

}  // namespace

TEST_CASE("ambulances per 30,000 residents: exactly 30,000 need one", "[compliance]") {
    layout l;
    test::write_points(l.o.facilities, {{500, 0, "\"type\":\"ambulance-station\",\"ambulances\":1"},
                                        {1500, 0, "\"type\":\"ambulance-station\",\"ambulances\":1"}});
    const compliance_report rep = run_compliance(l.o);
    const compliance_row& a = row_of(rep, "ambulances-per-30000", "A");
    CHECK(a.required == 1);
    CHECK(a.present == 1);
    CHECK(a.status == rule_status::meets);
    const compliance_row& b = row_of(rep, "ambulances-per-30000", "B");  // 30,001 residents
    CHECK(b.required == 2);
    CHECK(b.status == rule_status::short_of);
    CHECK(b.reason == "short by 1");
    CHECK(row_of(rep, "ambulances-per-30000-city", "city").required == 3);  // 60,001 residents
    CHECK(row_of(rep, "ambulances-0.2-per-10000", "B").status == rule_status::meets);  // 1 per 50,000
}

TEST_CASE("township centres per township, and missing fields and layers cannot be checked", "[compliance]") {
    layout l;
    test::write_points(l.o.facilities, {{500, 0, "\"type\":\"township-centre\""}, {1200, 0, "\"type\":\"sub-centre\""}});
    compliance_report rep = run_compliance(l.o);
    CHECK(row_of(rep, "township-centre-per-township", "A1").status == rule_status::meets);
    CHECK(row_of(rep, "township-centre-per-township", "B1").status == rule_status::meets);  // a sub-centre counts
    CHECK(row_of(rep, "township-centre-per-township", "B2").status == rule_status::short_of);
    const compliance_row& beds = row_of(rep, "beds-per-1000", "A");
    CHECK(beds.status == rule_status::cannot_check);
    CHECK(beds.reason.find("'beds'") != std::string::npos);
    const compliance_row& villages = row_of(rep, "village-clinic-every-village", "A");
    CHECK(villages.status == rule_status::cannot_check);
    CHECK(villages.reason.find("--villages") != std::string::npos);
    CHECK(row_of(rep, "sub-centre-share", "city").required == 1);  // 15 % of 2, rounded up

    l.o.townships_layer = "wards";
    rep = run_compliance(l.o);
    const compliance_row& none = row_of(rep, "township-centre-per-township", "city");
    CHECK(none.status == rule_status::cannot_check);
    CHECK(none.reason.find("wards") != std::string::npos);
}

TEST_CASE("village clinics: a village of exactly 800 is not over 800", "[compliance]") {
    layout l;
    test::write_points(l.o.facilities, {{100, 0, "\"type\":\"village-clinic\",\"doctors\":2"},
                                        {1100, 0, "\"type\":\"village-clinic\",\"doctors\":1"}});
    test::write_points(l.dir + "/villages.geojson", {{100, 10, "\"name\":\"v800\",\"population\":800"},
                                                     {900, 0, "\"name\":\"v801\",\"population\":801"},
                                                     {1100, 0, "\"name\":\"big\",\"population\":1500"}});
    l.o.villages = l.dir + "/villages.geojson";
    const compliance_report rep = run_compliance(l.o);
    const compliance_row& every = row_of(rep, "village-clinic-every-village", "A");
    CHECK(every.required == 2);
    CHECK(every.present == 1);  // v801 is 800 m from the nearest clinic
    const compliance_row& over800 = row_of(rep, "village-clinic-over-800", "A");
    CHECK(over800.required == 1);  // v801 only
    CHECK(over800.status == rule_status::short_of);
    CHECK(over800.reason.find("v801") != std::string::npos);
    const compliance_row& demo = row_of(rep, "demonstration-clinic-over-1000", "B");
    CHECK(demo.required == 1);
    CHECK(demo.present == 0);  // one doctor only
    CHECK(demo.reason.find("big") != std::string::npos);
}

TEST_CASE("county hospitals: three categories, merged below 100,000", "[compliance]") {
    layout l;
    test::write_points(l.o.facilities, {{500, 0, "\"type\":\"county-hospital\",\"category\":\"general\""}});
    compliance_options o = l.o;
    compliance_report rep = run_compliance(o);
    CHECK(row_of(rep, "county-hospitals", "A").status == rule_status::meets);  // 30,000 residents: merged
    std::ofstream(l.dir + "/std.toml") << "[[rules]]\nid = \"county-hospitals\"\nkind = \"categories_per_unit\"\n"
                                          "facility_types = [\"county-hospital\"]\nfield = \"category\"\n"
                                          "categories = [\"general\", \"tcm\"]\nsource = \"test\"\n";
    o.standards_file = l.dir + "/std.toml";
    rep = run_compliance(o);
    const compliance_row& a = row_of(rep, "county-hospitals", "A");
    CHECK(a.status == rule_status::short_of);
    CHECK(a.reason.find("tcm") != std::string::npos);
}
