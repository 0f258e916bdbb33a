// The graph cache reader: any bytes after a matching header (the cache's version and the
// fingerprints of its inputs) load a graph the searches can use, or are rejected as a damaged
// cache. A loaded graph is searched: a damaged cache must never be trusted.
#include "healthreach/geo/graph_cache.hpp"
#include "healthreach/geo/reach.hpp"
#include "healthreach/geo/standards.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace healthreach::geo;

// A two-line road file and the header of its cache, made once per process.
struct fixture {
    fs::path dir;
    graph_inputs inputs;
    std::string header;

    fixture() {
        char name[] = "/tmp/healthreach-fuzz-XXXXXX";
        dir = ::mkdtemp(name);
        inputs.roads = (dir / "roads.geojson").string();
        std::ofstream(inputs.roads)
            << R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32650"}},)"
               R"("features":[{"type":"Feature","properties":{"highway":"primary","oneway":"yes"},)"
               R"("geometry":{"type":"LineString","coordinates":[[0,0],[100,0]]}},)"
               R"({"type":"Feature","properties":{"highway":"tertiary"},)"
               R"("geometry":{"type":"LineString","coordinates":[[100,0],[60,70],[0,0]]}}]})";
        inputs.prof = load_standards().profile_named("drive");
        const std::string cache = (dir / "seed.cache").string();
        load_or_build_graph(inputs, cache);
        // The header is three texts, each a 64-bit length and its bytes: version, roads, settings.
        std::ifstream in(cache, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::size_t at = 0;
        for (int i = 0; i < 3; ++i) {
            std::uint64_t n = 0;
            bytes.copy(reinterpret_cast<char*>(&n), sizeof n, at);
            at += sizeof n + n;
        }
        header = bytes.substr(0, at);
    }
    ~fixture() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fixture f;
    const std::string path = (f.dir / "fuzz.cache").string();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << f.header;
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    std::string why;
    const std::optional<graph_result> g = read_graph_cache(f.inputs, path, why);
    if (!g || g->built.net.node_count() == 0) return 0;
    for (const metric m : {metric::length, metric::time}) {
        const router r(g->built.net, m);
        bounded_search search(r);
        search.run({seed{0, 0.0, 0}}, 1e12);
    }
    return 0;
}
