#include "support.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/snap.hpp"

#include <catch2/catch.hpp>

using namespace healthreach;
using namespace healthreach::geo;

TEST_CASE("points snap to edge interiors, with offset along the edge", "[snap]") {
    const std::string path = test::write_lines(test::scratch_dir("snap") + "/r.geojson",
                                               {{{{0, 0}, {100, 0}, {100, 100}}, "\"highway\":\"residential\""},
                                                {{{0, 0}, {0, 100}, {100, 100}}, "\"highway\":\"residential\""}});
    const auto built = build_network(read_roads(path), profile::builtin("drive"), parse_crs("EPSG:32650"));
    const network& net = built.net;
    const snapper snap(net);

    const snap_result r = snap.nearest(130, 60);  // nearest to the second segment of the first line
    REQUIRE(r.edge != invalid_id);
    CHECK(r.x == Approx(100));
    CHECK(r.y == Approx(60));
    CHECK(r.distance_m == Approx(30));
    const bool from_origin = net.node_x[net.edge_source[r.edge]] == 0;
    CHECK(r.offset_m == Approx(from_origin ? 160 : 40));

    const snap_result mid = snap.nearest(50, -7);
    CHECK(mid.x == Approx(50));
    CHECK(mid.y == Approx(0));
    CHECK(mid.distance_m == Approx(7));

    const snap_result corner = snap.nearest(-3, -4);  // nearest at a node
    CHECK(corner.distance_m == Approx(5));
}
