#include "support.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/roads.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace healthreach;
using namespace healthreach::geo;

TEST_CASE("maxspeed and oneway values", "[roads]") {
    CHECK(parse_maxspeed("50") == 50);
    CHECK(parse_maxspeed("30 mph") == Approx(48.28032));
    CHECK(parse_maxspeed("RU:urban") == 0);
    CHECK(parse_maxspeed("") == 0);
    CHECK(parse_maxspeed("-50") == -50);  // read_roads refuses it, with a warning
    CHECK(std::isinf(parse_maxspeed("1e308")));
    CHECK(parse_oneway("yes") == oneway_kind::forward);
    CHECK(parse_oneway("1") == oneway_kind::forward);
    CHECK(parse_oneway("-1") == oneway_kind::backward);
    CHECK(parse_oneway("no") == oneway_kind::both);
}

// Regression (bench/fuzz.sh, osm_tags): a maxspeed beyond a float was cast to float (undefined);
// it is infinite now, and read_roads refuses it with a warning.
TEST_CASE("a maxspeed no float holds is infinite", "[roads]") {
    CHECK(std::isinf(parse_maxspeed("1e39")));
    CHECK(std::isinf(parse_maxspeed("3e38 mph")));
    CHECK(std::isinf(parse_maxspeed("211111111111111111111111111111111111111111111111111111111111111111m[\"\\\xff")));
    CHECK(parse_other_tags("\"maxspeed\"=>\"1e300\",\"oneway\"=>\"yes\"").maxspeed == "1e300");
    CHECK(parse_maxspeed("3e38") == Approx(3e38));
}

TEST_CASE("renamed fields of a generic road layer", "[roads]") {
    const std::string dir = test::scratch_dir("roads");
    const std::string path = test::write_lines(dir + "/r.geojson",
                                               {{{{0, 0}, {100, 0}}, "\"cls\":\"primary\",\"v\":\"90\",\"ow\":\"yes\""}});
    road_options options;
    options.fields.highway = "cls";
    options.fields.maxspeed = "v";
    options.fields.oneway = "ow";
    const road_set roads = read_roads(path, options);
    REQUIRE(roads.lines.size() == 1);
    CHECK(roads.classes[roads.lines[0].highway] == "primary");
    CHECK(roads.lines[0].maxspeed_kmh == 90);
    CHECK(roads.lines[0].oneway == oneway_kind::forward);
    CHECK_THROWS_AS(read_roads(path), input_error);  // no `highway` field
}

TEST_CASE("OSM files: tags from other_tags", "[roads][real]") {
    const std::string path = test::shared_data("andorra-2021.osm.pbf");
    if (path.empty()) return;
    const road_set roads = read_roads(path);
    CHECK(roads.lines.size() == 4962);  // highway lines of the `lines` layer (data README)
    std::size_t roundabouts = 0, oneways = 0, with_speed = 0;
    for (const road_line& l : roads.lines) {
        roundabouts += l.roundabout;
        oneways += l.oneway != oneway_kind::both;
        with_speed += l.maxspeed_kmh > 0;
    }
    CHECK(roundabouts == 95);
    CHECK(oneways >= roundabouts);
    CHECK(with_speed > 100);
}

// A GeoPackage made from an OSM file by ogr2ogr keeps oneway, maxspeed and access in other_tags;
// reading them only from OSM files made such a copy a different network (30,552 edges from the PBF,
// 31,216 from its copy, on a Porto square).
TEST_CASE("other_tags of a non-OSM layer copied from OSM", "[roads]") {
    const std::string dir = test::scratch_dir("roads-other-tags");
    const std::string path = test::write_lines(
        dir + "/r.geojson",
        {{{{0, 0}, {100, 0}}, "\"highway\":\"primary\",\"other_tags\":\"\\\"oneway\\\"=>\\\"yes\\\",\\\"maxspeed\\\"=>\\\"70\\\"\""},
         {{{0, 0}, {0, 100}}, "\"highway\":\"service\",\"other_tags\":\"\\\"access\\\"=>\\\"private\\\"\""},
         {{{0, 0}, {-100, 0}}, "\"highway\":\"primary\",\"oneway\":\"-1\",\"other_tags\":\"\\\"oneway\\\"=>\\\"yes\\\"\""}});
    const road_set roads = read_roads(path);
    REQUIRE(roads.lines.size() == 3);
    CHECK(roads.lines[0].oneway == oneway_kind::forward);
    CHECK(roads.lines[0].maxspeed_kmh == 70);
    CHECK(roads.lines[1].access_private);
    CHECK(roads.lines[2].oneway == oneway_kind::backward);  // a field of its own wins over other_tags
}
