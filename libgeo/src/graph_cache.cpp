#include "healthreach/geo/graph_cache.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"

#include <cpl_conv.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <type_traits>

namespace healthreach::geo {

namespace {

// Bumped whenever the layout below or the way graphs are built changes.
constexpr char magic[] = "healthreach graph cache 2";

// A fast 64-bit content hash (multiply-rotate over 8-byte words): a changed road file changes it.
std::uint64_t hash_file(const std::filesystem::path& path, std::uint64_t h) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return h;
    // Blocks of 1 MiB, or the whole file and a byte: a small file costs no zeroed megabyte.
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    std::vector<char> block(ec ? 1 << 20 : std::min<std::uintmax_t>(size + 1, 1 << 20));
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        const std::size_t n = static_cast<std::size_t>(in.gcount());
        std::size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, block.data() + i, 8);
            h = (h ^ w) * 0x9E3779B97F4A7C15ull;
            h ^= h >> 29;
        }
        for (; i < n; ++i) h = (h ^ static_cast<unsigned char>(block[i])) * 0x100000001B3ull;
        h ^= n;
    }
    return h;
}

// A file and its side files (a shapefile's .dbf and .shx, a .prj): size and content hash.
std::string file_fingerprint(const char* role, const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    std::error_code ec;
    std::ostringstream s;
    s << role << ' ' << fs::absolute(p, ec).string() << " size " << fs::file_size(p, ec);
    std::uint64_t h = hash_file(p, 0xcbf29ce484222325ull);
    for (const char* ext : {".dbf", ".shx", ".prj", ".cpg"}) {
        fs::path side = p;
        side.replace_extension(ext);
        if (side != p && fs::exists(side, ec)) h = hash_file(side, h ^ fs::file_size(side, ec));
    }
    s << " hash " << std::hex << h;
    return s.str();
}

std::string settings_fingerprint(const graph_inputs& in) {
    std::ostringstream s;
    s.precision(17);
    const road_fields& f = in.read.fields;
    s << "layer " << in.read.layer << " fields " << f.highway << ',' << f.maxspeed << ',' << f.oneway << ','
      << f.junction << ',' << f.access << ',' << f.foot << ',' << f.tunnel << ',' << f.bridge;
    s << " profile " << in.prof.name << ' ' << static_cast<int>(in.prof.mode) << ' ' << in.prof.walk_speed_kmh;
    for (const auto& [cls, kmh] : in.prof.speed_kmh) s << ' ' << cls << '=' << kmh;
    for (const auto& cls : in.prof.excluded) s << " -" << cls;
    s << " junctions " << static_cast<int>(in.build.junctions) << ' ' << in.build.junction_tolerance_m;
    s << " crs " << in.crs;
    s << " grades";
    for (const auto& [grade, factor] : in.prof.grade_factors) s << ' ' << grade << ':' << factor;
    // The scenario files by content, like the roads: an edited DEM or closure layer rebuilds.
    if (!in.build.dem.empty()) s << ' ' << file_fingerprint("dem", in.build.dem);
    if (!in.build.speed_factors.empty()) s << ' ' << file_fingerprint("speed-factors", in.build.speed_factors);
    if (!in.build.closures.empty()) s << ' ' << file_fingerprint("closures", in.build.closures);
    if (!in.read.clip.empty()) s << ' ' << file_fingerprint("clip", in.read.clip) << " buffer " << in.read.clip_buffer_m.value_or(0);
    return s.str();
}

class writer {
public:
    explicit writer(std::ofstream& out) : out_(out) {}
    template <class T>
    void value(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        out_.write(reinterpret_cast<const char*>(&v), sizeof v);
    }
    template <class T>
    void array(const std::vector<T>& v) {
        value<std::uint64_t>(v.size());
        out_.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
    }
    void text(const std::string& s) {
        value<std::uint64_t>(s.size());
        out_.write(s.data(), static_cast<std::streamsize>(s.size()));
    }

private:
    std::ofstream& out_;
};

// Reading fails softly: a damaged cache is rebuilt, never trusted.
class reader {
public:
    reader(std::ifstream& in, std::uint64_t file_size) : in_(in), left_(file_size) {}
    template <class T>
    bool value(T& v) {
        if (left_ < sizeof v) return false;
        left_ -= sizeof v;
        return static_cast<bool>(in_.read(reinterpret_cast<char*>(&v), sizeof v));
    }
    template <class T>
    bool array(std::vector<T>& v) {
        std::uint64_t n = 0;
        if (!value(n) || n > left_ / sizeof(T)) return false;
        v.resize(n);
        left_ -= n * sizeof(T);
        return static_cast<bool>(in_.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T))));
    }
    bool text(std::string& s) {
        std::uint64_t n = 0;
        if (!value(n) || n > left_) return false;
        s.resize(n);
        left_ -= n;
        return static_cast<bool>(in_.read(s.data(), static_cast<std::streamsize>(n)));
    }

private:
    std::ifstream& in_;
    std::uint64_t left_;
};

void save(const std::string& path, const std::string& roads_key, const std::string& settings_key, const graph_result& g) {
    atomic_output out(path);
    {
        std::ofstream f(out.temp_path(), std::ios::binary | std::ios::trunc);
        if (!f) throw input_error(path + ": cannot write the graph cache");
        writer w(f);
        w.text(magic);
        w.text(roads_key);
        w.text(settings_key);
        char* wkt = nullptr;
        g.crs.exportToWkt(&wkt);
        w.text(wkt ? wkt : "");
        CPLFree(wkt);
        w.value<std::uint64_t>(g.road_features);
        w.value<std::uint64_t>(g.road_lines);
        const network_build& b = g.built;
        w.value<std::uint64_t>(b.lines_routable);
        w.value<std::uint64_t>(b.lines_skipped);
        w.value<std::uint64_t>(b.components.components);
        w.value<std::uint64_t>(b.components.kept_nodes);
        w.value<std::uint64_t>(b.components.dropped_edges);
        std::vector<std::uint64_t> dropped(b.components.dropped.begin(), b.components.dropped.end());
        w.array(dropped);
        w.value(b.adjusted);
        const network& n = b.net;
        w.array(n.node_x);
        w.array(n.node_y);
        w.array(n.edge_source);
        w.array(n.edge_target);
        w.array(n.edge_length_m);
        w.array(n.edge_time_s);
        w.array(n.edge_reverse_time_s);
        w.array(n.edge_class);
        w.value<std::uint64_t>(n.classes.size());
        for (const std::string& c : n.classes) w.text(c);
        w.array(n.geom_first);
        w.array(n.geom_x);
        w.array(n.geom_y);
        f.flush();
        if (!f) throw input_error(path + ": cannot write the graph cache");
    }
    out.commit();
}

// Loads the cache if it was built from the same inputs; otherwise says why not in `why`.
bool load(const std::string& path, const std::string& roads_key, const std::string& settings_key, graph_result& g,
          std::string& why) {
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) {
        why = "no cache yet";
        return false;
    }
    std::ifstream f(path, std::ios::binary);
    reader r(f, size);
    std::string text;
    if (!r.text(text) || text != magic) {
        why = "not a graph cache of this version";
        return false;
    }
    if (!r.text(text) || text != roads_key) {
        why = "the road file changed";
        return false;
    }
    if (!r.text(text) || text != settings_key) {
        why = "the profile or road options changed";
        return false;
    }
    why = "damaged cache";
    if (!r.text(text) || g.crs.importFromWkt(text.c_str()) != OGRERR_NONE) return false;
    g.crs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::uint64_t v[7];
    for (std::uint64_t& x : v)
        if (!r.value(x)) return false;
    g.road_features = v[0];
    g.road_lines = v[1];
    network_build& b = g.built;
    b.lines_routable = v[2];
    b.lines_skipped = v[3];
    b.components.components = v[4];
    b.components.kept_nodes = v[5];
    b.components.dropped_edges = v[6];
    std::vector<std::uint64_t> dropped;
    if (!r.array(dropped)) return false;
    b.components.dropped.assign(dropped.begin(), dropped.end());
    if (!r.value(b.adjusted)) return false;
    network& n = b.net;
    std::uint64_t classes = 0;
    if (!(r.array(n.node_x) && r.array(n.node_y) && r.array(n.edge_source) && r.array(n.edge_target) &&
          r.array(n.edge_length_m) && r.array(n.edge_time_s) && r.array(n.edge_reverse_time_s) &&
          r.array(n.edge_class) && r.value(classes)))
        return false;
    n.classes.resize(classes < 65536 ? classes : 0);
    for (std::string& c : n.classes)
        if (!r.text(c)) return false;
    if (!(r.array(n.geom_first) && r.array(n.geom_x) && r.array(n.geom_y))) return false;
    const std::size_t nodes = n.node_x.size(), edges = n.edge_source.size();
    bool consistent = n.node_y.size() == nodes && n.edge_target.size() == edges && n.edge_length_m.size() == edges &&
                      n.edge_time_s.size() == edges && n.edge_reverse_time_s.size() == edges &&
                      n.edge_class.size() == edges && n.geom_first.size() == edges + 1 &&
                      n.geom_y.size() == n.geom_x.size() && n.geom_first.back() == n.geom_x.size();
    // Costs the searches can order (finite and not negative; a closed reverse direction is negative)
    // and finite coordinates, or the file is damaged.
    auto cost = [](double c) { return std::isfinite(c) && c >= 0; };
    auto finite = [](const std::vector<double>& v) {
        return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
    };
    for (std::size_t e = 0; consistent && e < edges; ++e)
        consistent = n.edge_source[e] < nodes && n.edge_target[e] < nodes && n.edge_class[e] < n.classes.size() &&
                     n.geom_first[e] <= n.geom_first[e + 1] && cost(n.edge_length_m[e]) && cost(n.edge_time_s[e]) &&
                     (n.edge_reverse_time_s[e] < 0 || cost(n.edge_reverse_time_s[e]));
    if (!consistent || !finite(n.node_x) || !finite(n.node_y) || !finite(n.geom_x) || !finite(n.geom_y)) return false;
    n.srs = g.crs;
    return true;
}

// What a loaded graph must say again as a built one does: the roads taken as flat off the DEM.
void add_adjustment_warnings(const graph_inputs& in, graph_result& g) {
    const network_adjustments& a = g.built.adjusted;
    if (in.build.dem.empty() || !(a.off_dem_km > 0)) return;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%.1f km of the %.1f km of routable roads (%.1f %%) lie off the DEM (outside it or on nodata cells): taken as flat",
                  a.off_dem_km, a.dem_km, 100 * a.off_dem_km / a.dem_km);
    g.warnings.push_back(in.build.dem + ": " + buf);
}

// What a cache must have been built from: the road file's and the settings' fingerprints.
struct fingerprints {
    std::string roads, settings;
};

// The cache at `path` when it was built from `in`, else nullopt and the reason in `why`; the
// fingerprints of `in` are left in `keys` (empty when the road file is missing) for a rewrite.
std::optional<graph_result> load_matching(const graph_inputs& in, const std::string& path, std::string& why,
                                          fingerprints& keys) {
    why = "no cache yet";
    // A missing road file has no fingerprint; read_roads reports it.
    if (!std::filesystem::is_regular_file(in.roads)) return std::nullopt;
    keys = {file_fingerprint("roads", in.roads), settings_fingerprint(in)};
    graph_result cached;
    if (!load(path, keys.roads, keys.settings, cached, why)) return std::nullopt;
    cached.cache_status = "loaded";
    // The cache holds the graph, not the run's record of its input: the layer and any remark on
    // its choice come from the file, as a built run reports them.
    std::string note;
    cached.road_layer = road_layer_name(in.roads, in.read, &note);
    if (!note.empty()) cached.warnings.push_back(note);
    add_adjustment_warnings(in, cached);
    return cached;
}

}  // namespace

std::optional<graph_result> read_graph_cache(const graph_inputs& in, const std::string& cache_path, std::string& why) {
    fingerprints keys;
    return load_matching(in, cache_path, why, keys);
}

graph_result load_or_build_graph(const graph_inputs& in, const std::string& cache_path) {
    graph_result g;
    fingerprints keys;
    if (!cache_path.empty()) {
        check_output_path(cache_path);
        std::string why;
        if (std::optional<graph_result> cached = load_matching(in, cache_path, why, keys)) return std::move(*cached);
        g.cache_status = why == "no cache yet" ? "written" : "rebuilt: " + why;
    }
    const road_set roads = read_roads(in.roads, in.read);
    double lon = 0, lat = 0;
    roads.center_lonlat(lon, lat);
    g.crs = choose_metric_crs(in.crs, lon, lat);
    g.road_features = roads.features_read;
    g.road_lines = roads.lines.size();
    g.road_layer = roads.layer;
    if (!roads.layer_note.empty()) g.warnings.push_back(roads.layer_note);
    if (roads.speeds_ignored)
        g.warnings.push_back(in.roads + ": " + std::to_string(roads.speeds_ignored) + " road lines have a maxspeed that is not a speed between 0 and " +
                             std::to_string(static_cast<int>(max_road_speed_kmh)) + " km/h (negative, NaN, infinite or huge); their class speed is used");
    g.built = build_network(roads, in.prof, g.crs, in.build);
    add_adjustment_warnings(in, g);
    if (!cache_path.empty()) save(cache_path, keys.roads, keys.settings, g);
    return g;
}

}  // namespace healthreach::geo
