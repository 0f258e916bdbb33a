#include "healthreach/geo/synth.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/standards.hpp"

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace healthreach::geo {

synth_scale parse_synth_scale(const std::string& name) {
    if (name == "small") return synth_scale::small;
    if (name == "prefecture") return synth_scale::prefecture;
    if (name == "province") return synth_scale::province;
    throw input_error("--scale: unknown scale '" + name + "' (small, prefecture or province)");
}

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr int epsg = 32649;                    // UTM 49N: Changzhi lies at 113 E
constexpr double origin_x = 420000, origin_y = 3950000;  // the south-west corner of the region

// splitmix64: the same numbers on every platform, unlike the std distributions.
class rng {
public:
    explicit rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    bool chance(double p) { return uniform() < p; }

private:
    std::uint64_t s_;
};

using pt = synth_point;
double dist(pt a, pt b) { return std::hypot(a.x - b.x, a.y - b.y); }

struct params {
    double size;  // side of the square region, metres
    int counties, subdistricts_per_district, townships_per_county, villages_per_township, expressways, mountain_roads;
    double city_radius, city_pop, town_radius, town_pop, township_pop, street_spacing, town_spacing;
    int missing_township_centres;
    // Local streets of township seats and lanes of villages (0: none): a prefecture's roads are mostly
    // these, and the timings of a prefecture-scale run depend on them.
    double township_street_spacing, village_lane_spacing;
    double lake_radius, river_width;
};

params params_for(synth_scale scale) {
    if (scale != synth_scale::small)
        return {118000, 8, 4, 10, 20, 3, 2, 8000, 1100000, 1500, 50000, 5000, 150, 120, 3, 100, 60, 2500, 250};
    return {37000, 2, 2, 5, 12, 1, 1, 3000, 130000, 900, 25000, 3000, 250, 200, 1, 0, 0, 900, 150};
}

using road = synth_road;

struct facility {
    pt at;
    std::string name, type, category;
    int ambulances = -1;  // -1: not applicable
    int beds = -1;
    int doctors = -1;
    int infectious_beds = -1;
};

struct unit {
    std::string name, name_en, kind;
    pt seat;
    int parent = -1;  // townships: index of their county
};

struct village {
    pt at;
    std::string name;
    int township;
    double population;
};

// A kernel of people around a place; its cells share `population` exactly.
struct settlement {
    pt at;
    double population, scale_m, radius_m;
    bool exponential;  // exp(-r/scale) for towns; Gaussian for villages
    // Share of its people living outside its core, on the township's background (modelled population):
    // dispersed hamlets and farmsteads of the countryside, the built-up fringe of the city and towns.
    double dispersed;
};

// Streets on a square lattice clipped to a circle; vertices shared where streets cross.
struct street_grid {
    pt c;
    double radius, spacing;
    int n() const { return static_cast<int>(radius / spacing); }
    bool has(int i, int j) const { return (i * spacing) * (i * spacing) + (j * spacing) * (j * spacing) <= radius * radius; }
    pt at(int i, int j) const { return {c.x + i * spacing, c.y + j * spacing}; }
    // The grid vertex nearest to the point `fraction` of the radius toward `toward`.
    pt gate(pt toward, double fraction = 0.95, double turn = 0) const {
        const double a = std::atan2(toward.y - c.y, toward.x - c.x) + turn;
        int i = static_cast<int>(std::lround(std::cos(a) * radius * fraction / spacing));
        int j = static_cast<int>(std::lround(std::sin(a) * radius * fraction / spacing));
        while (!has(i, j)) {
            i -= (i > 0) - (i < 0);
            j -= (j > 0) - (j < 0);
        }
        return at(i, j);
    }
};

const char* const syllables[][2] = {
    {"东", "dong"}, {"西", "xi"},     {"南", "nan"},   {"北", "bei"},   {"河", "he"},    {"山", "shan"},
    {"安", "an"},   {"平", "ping"},   {"宁", "ning"},  {"丰", "feng"},  {"家", "jia"},   {"庄", "zhuang"},
    {"王", "wang"}, {"李", "li"},     {"张", "zhang"}, {"石", "shi"},   {"水", "shui"},  {"桥", "qiao"},
    {"沟", "gou"},  {"岭", "ling"},   {"堡", "bao"},   {"泉", "quan"},  {"峪", "yu"},    {"坪", "ping"},
    {"柳", "liu"},  {"杨", "yang"},   {"马", "ma"},    {"龙", "long"},  {"新", "xin"},   {"古", "gu"},
    {"城", "cheng"}, {"关", "guan"},  {"集", "ji"},    {"坡", "po"},    {"店", "dian"},  {"营", "ying"}};

class namer {
public:
    explicit namer(rng& r) : r_(r) {}
    // A unique name of two syllables (three once two grow scarce) plus a suffix: {"东关镇", "Dongguan"}.
    std::pair<std::string, std::string> make(const std::string& suffix) {
        const unsigned n = sizeof syllables / sizeof syllables[0];
        for (int attempt = 0;; ++attempt) {
            std::string zh, en;
            for (int k = 0; k < (attempt < 40 ? 2 : 3); ++k) {
                const unsigned i = static_cast<unsigned>(r_.next() % n);
                zh += syllables[i][0];
                en += syllables[i][1];
            }
            en[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(en[0])));
            if (used_.insert(zh + suffix).second) return {zh + suffix, en};
        }
    }

private:
    rng& r_;
    std::set<std::string> used_;
};

// A road from a to b with smooth bends; its ends are exactly a and b so that it meets what is there.
road link(pt a, pt b, const std::string& highway, double wiggle, double step, rng& r) {
    road out;
    out.highway = highway;
    const double d = dist(a, b);
    const int n = std::max(1, static_cast<int>(d / step));
    const double nx = -(b.y - a.y) / d, ny = (b.x - a.x) / d;
    // Longer roads bend more often; a short village road makes one gentle curve.
    const double phase = r.uniform(0, 2 * pi), waves = std::min(3.0, 1.0 + std::floor(r.uniform(0, d / 4000)));
    out.pts.push_back(a);
    for (int k = 1; k < n; ++k) {
        const double t = static_cast<double>(k) / n;
        const double off = wiggle * std::sin(pi * t) * std::sin(2 * pi * waves * t + phase);
        out.pts.push_back({a.x + (b.x - a.x) * t + nx * off, a.y + (b.y - a.y) * t + ny * off});
    }
    out.pts.push_back(b);
    return out;
}

void add_grid(std::vector<road>& roads, const street_grid& g, bool city) {
    const int n = g.n();
    const double ring = g.spacing / 3;
    // The city's central crossing is a roundabout; the two centre streets end on its ring.
    const pt east{g.c.x + ring, g.c.y}, north{g.c.x, g.c.y + ring}, west{g.c.x - ring, g.c.y},
        south{g.c.x, g.c.y - ring};
    for (int horizontal = 0; horizontal < 2; ++horizontal) {
        for (int j = -n; j <= n; ++j) {
            road street;
            const int m = ((j % 5) + 5) % 5;
            street.highway = city ? (m == 0 ? "primary" : "residential") : (j == 0 ? "tertiary" : "residential");
            if (city && m == 2) street.oneway = "yes";
            if (city && m == 3) street.oneway = "-1";  // drawn one way, driven the other
            auto vertex = [&](int i) { return horizontal ? g.at(i, j) : g.at(j, i); };
            std::vector<pt> pts;
            for (int i = -n; i <= n; ++i) {
                if (!(horizontal ? g.has(i, j) : g.has(j, i))) continue;
                if (city && j == 0 && i == 0) {
                    pts.push_back(horizontal ? west : south);
                    if (pts.size() >= 2) roads.push_back({pts, street.highway, street.oneway, "", ""});
                    pts.assign(1, horizontal ? east : north);
                    continue;
                }
                pts.push_back(vertex(i));
            }
            if (pts.size() >= 2) roads.push_back({pts, street.highway, street.oneway, "", ""});
        }
    }
    if (city) {
        road r{{}, "primary", "", "roundabout", ""};
        for (int k = 0; k <= 8; ++k) {
            const int kk = k % 8;
            if (kk == 0) r.pts.push_back(east);
            else if (kk == 2) r.pts.push_back(north);
            else if (kk == 4) r.pts.push_back(west);
            else if (kk == 6) r.pts.push_back(south);
            else r.pts.push_back({g.c.x + ring * std::cos(kk * pi / 4), g.c.y + ring * std::sin(kk * pi / 4)});
        }
        roads.push_back(r);
    }
}

// --- GEOS: Voronoi cells for admin units ---------------------------------------------------

struct geos {
    GEOSContextHandle_t h = GEOS_init_r();
    ~geos() { GEOS_finish_r(h); }
    GEOSGeometry* point(pt p) const { return GEOSGeom_createPointFromXY_r(h, p.x, p.y); }
    GEOSGeometry* box(double x0, double y0, double x1, double y1) const {
        GEOSCoordSequence* cs = GEOSCoordSeq_create_r(h, 5, 2);
        const double xs[] = {x0, x1, x1, x0, x0}, ys[] = {y0, y0, y1, y1, y0};
        for (unsigned i = 0; i < 5; ++i) GEOSCoordSeq_setXY_r(h, cs, i, xs[i], ys[i]);
        return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, cs), nullptr, 0);
    }
    // Voronoi cells of `seeds`, each clipped to `clip` and returned in the seeds' order.
    std::vector<GEOSGeometry*> cells(const std::vector<pt>& seeds, const GEOSGeometry* clip) const {
        std::vector<GEOSGeometry*> points;
        for (pt p : seeds) points.push_back(point(p));
        GEOSGeometry* multi = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, points.data(),
                                                         static_cast<unsigned>(points.size()));
        GEOSGeometry* diagram = GEOSVoronoiDiagram_r(h, multi, clip, 0, 0);
        std::vector<GEOSGeometry*> out(seeds.size(), nullptr);
        for (int k = 0; k < GEOSGetNumGeometries_r(h, diagram); ++k) {
            const GEOSGeometry* cell = GEOSGetGeometryN_r(h, diagram, k);
            for (std::size_t s = 0; s < seeds.size(); ++s) {
                GEOSGeometry* p = point(seeds[s]);
                const bool inside = GEOSContains_r(h, cell, p) == 1;
                GEOSGeom_destroy_r(h, p);
                if (inside && !out[s]) {
                    out[s] = GEOSIntersection_r(h, cell, clip);
                    break;
                }
            }
        }
        GEOSGeom_destroy_r(h, diagram);
        GEOSGeom_destroy_r(h, multi);
        for (auto* c : out)
            if (!c) throw std::runtime_error("synth: a Voronoi cell is missing");
        return out;
    }
    // As an OGR geometry (MultiPolygon), through WKB.
    std::unique_ptr<OGRGeometry> to_ogr(const GEOSGeometry* g) const {
        GEOSWKBWriter* w = GEOSWKBWriter_create_r(h);
        std::size_t size = 0;
        unsigned char* wkb = GEOSWKBWriter_write_r(h, w, g, &size);
        OGRGeometry* out = nullptr;
        OGRGeometryFactory::createFromWkb(wkb, nullptr, &out, size);
        GEOSFree_r(h, wkb);
        GEOSWKBWriter_destroy_r(h, w);
        return std::unique_ptr<OGRGeometry>(OGRGeometryFactory::forceToMultiPolygon(out));
    }
};

// --- writing ----------------------------------------------------------------------------------

OGRSpatialReference region_srs() {
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    return traditional(srs);
}

template <class Fill>
void write_layer(GDALDataset& ds, const std::string& name, OGRwkbGeometryType type,
                 const std::vector<std::pair<std::string, OGRFieldType>>& fields, std::size_t count, Fill fill) {
    const OGRSpatialReference srs = region_srs();
    OGRLayer& layer = create_layer(ds, name, type, &srs, fields);
    feature_ptr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
    for (std::size_t i = 0; i < count; ++i) {
        f->UnsetField(0);
        for (int k = 0; k < f->GetFieldCount(); ++k) f->SetFieldNull(k);
        fill(i, *f);
        add_feature(layer, *f);
    }
}

template <class Body>
void write_vector_file(const std::string& path, Body body) {
    atomic_output out(path);
    {
        dataset_ptr ds = create_vector("GPKG", out.temp_path());
        ds->StartTransaction();
        body(*ds);
        if (ds->CommitTransaction() != OGRERR_NONE) throw std::runtime_error(path + ": " + gdal_last_error());
    }
    out.commit();
}

OGRPoint ogr_point(pt p) { return OGRPoint(p.x, p.y); }

OGRPolygon circle(pt c, double r) {
    OGRLinearRing ring;
    for (int k = 0; k <= 64; ++k) {
        const double a = 2 * pi * (k % 64) / 64;
        ring.addPoint(c.x + r * std::cos(a), c.y + r * std::sin(a));
    }
    OGRPolygon poly;
    poly.addRing(&ring);
    return poly;
}

// The 100 m population grid; row 0 is the northern edge.
struct grid_frame {
    double x0, y1, cell;
    int cols, rows;
    std::size_t size() const { return static_cast<std::size_t>(cols) * rows; }
    pt centre(std::size_t i) const {
        return {x0 + (static_cast<double>(i % cols) + 0.5) * cell, y1 - (static_cast<double>(i / cols) + 0.5) * cell};
    }
    std::size_t index(pt p) const {
        const int col = std::clamp(static_cast<int>(std::floor((p.x - x0) / cell)), 0, cols - 1);
        const int row = std::clamp(static_cast<int>(std::floor((y1 - p.y) / cell)), 0, rows - 1);
        return static_cast<std::size_t>(row) * cols + col;
    }
};

// Where nobody lives: water (a river from north to south and a reservoir; NoData in the raster, as in
// WorldPop) and the steepest slopes (ridges in the eastern mountains; 0 people).
enum class ground : std::uint8_t { land, steep, water };

struct terrain {
    double region_y0, size, mountains_x;
    double river_x, river_amplitude, river_phase, river_width;
    pt lake;
    double lake_radius, lake_phase, ridge_phase;

    // How far into the mountains, 0 at their foot to 1 some kilometres in.
    double relief(pt p) const { return std::clamp((p.x - mountains_x) / (0.06 * size), 0.0, 1.0); }
    ground at(pt p) const {
        const double t = (p.y - region_y0) / size;
        if (std::abs(p.x - river_x - river_amplitude * std::sin(2 * pi * 1.3 * t + river_phase)) < river_width / 2)
            return ground::water;
        const double a = std::atan2(p.y - lake.y, p.x - lake.x);
        if (dist(p, lake) < lake_radius * (1 + 0.25 * std::sin(3 * a + lake_phase))) return ground::water;
        // Ridges run roughly north-south, 2.5 km apart; their crests are the steep cells.
        const double ridge = 0.5 + 0.5 * std::sin(2 * pi * p.x / 2500 + 1.5 * std::sin(2 * pi * p.y / 7000 + ridge_phase));
        return relief(p) * ridge > 0.8 ? ground::steep : ground::land;
    }
};

// Metres from each cell to the nearest marked cell (two chamfer passes, steps of 1 and sqrt(2) cells;
// within 8 % of the Euclidean distance, enough for a density model).
std::vector<float> distance_to_marked(const std::vector<std::uint8_t>& marked, const grid_frame& g) {
    const float far = 1e9f, straight = static_cast<float>(g.cell), diagonal = static_cast<float>(g.cell * std::sqrt(2.0));
    std::vector<float> d(marked.size());
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = marked[i] ? 0.0f : far;
    const int w = g.cols, h = g.rows;
    auto relax = [&](int row, int col, int dr, int dc, float step) {
        const int r2 = row + dr, c2 = col + dc;
        if (r2 < 0 || r2 >= h || c2 < 0 || c2 >= w) return;
        float& here = d[static_cast<std::size_t>(row) * w + col];
        here = std::min(here, d[static_cast<std::size_t>(r2) * w + c2] + step);
    };
    for (int row = 0; row < h; ++row)
        for (int col = 0; col < w; ++col) {
            relax(row, col, 0, -1, straight);
            relax(row, col, -1, 0, straight);
            relax(row, col, -1, -1, diagonal);
            relax(row, col, -1, 1, diagonal);
        }
    for (int row = h - 1; row >= 0; --row)
        for (int col = w - 1; col >= 0; --col) {
            relax(row, col, 0, 1, straight);
            relax(row, col, 1, 0, straight);
            relax(row, col, 1, 1, diagonal);
            relax(row, col, 1, -1, diagonal);
        }
    return d;
}

// People per county or district, by the unit nearest each populated cell (as the admin polygons).
template <class Nearest>
std::vector<double> people_by_unit(const std::vector<double>& grid, const grid_frame& g, Nearest nearest) {
    std::vector<double> out;
    for (std::size_t i = 0; i < grid.size(); ++i) {
        if (!(grid[i] > 0)) continue;
        const int u = nearest(g.centre(i));
        if (u >= static_cast<int>(out.size())) out.resize(u + 1, 0.0);
        out[u] += grid[i];
    }
    return out;
}

// The township (as its polygon: the nearest seat in the nearest county) of each habitable cell; -1 for
// water, steep cells and counties without townships.
template <class Nearest>
std::vector<int> township_of_cells(const grid_frame& g, const std::vector<ground>& ground_of,
                                   const std::vector<unit>& townships, Nearest nearest_county) {
    std::vector<std::vector<int>> townships_of;
    for (int t = 0; t < static_cast<int>(townships.size()); ++t) {
        if (townships[t].parent >= static_cast<int>(townships_of.size())) townships_of.resize(townships[t].parent + 1);
        townships_of[townships[t].parent].push_back(t);
    }
    std::vector<int> out(g.size(), -1);
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (ground_of[i] != ground::land) continue;
        const pt p = g.centre(i);
        const int c = nearest_county(p);
        if (c < 0 || c >= static_cast<int>(townships_of.size()) || townships_of[c].empty()) continue;
        int best = townships_of[c][0];
        for (int t : townships_of[c])
            if (dist(p, townships[t].seat) < dist(p, townships[best].seat)) best = t;
        out[i] = best;
    }
    return out;
}

// The modelled background, as WorldPop and GHS-POP spread census counts: the people each township's
// settlements disperse (`dispersed`, by township) go on every habitable cell of the township, more of
// them near roads and settlements and fewer in the mountains. Each township keeps its total, so the
// counties' totals and the facilities sized on them are those of the settlements.
void add_background(std::vector<double>& grid, const grid_frame& g, const std::vector<int>& township_of,
                    const std::vector<double>& dispersed, const terrain& land, const std::vector<road>& roads) {
    std::vector<std::uint8_t> marked(g.size(), 0);
    for (const road& rd : roads)
        for (std::size_t k = 1; k < rd.pts.size(); ++k) {
            const pt a = rd.pts[k - 1], b = rd.pts[k];
            const int steps = static_cast<int>(std::ceil(dist(a, b) / (g.cell / 2))) + 1;
            for (int j = 0; j <= steps; ++j)
                marked[g.index({a.x + (b.x - a.x) * j / steps, a.y + (b.y - a.y) * j / steps})] = 1;
        }
    const std::vector<float> to_road = distance_to_marked(marked, g);
    for (std::size_t i = 0; i < g.size(); ++i) marked[i] = grid[i] > 0;
    const std::vector<float> to_settlement = distance_to_marked(marked, g);

    std::vector<float> weight(g.size(), 0.0f);
    std::vector<double> weights(dispersed.size(), 0.0);
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (township_of[i] < 0) continue;
        weight[i] = static_cast<float>((1 - 0.6 * land.relief(g.centre(i))) *
                                       (0.3 + std::exp(-to_road[i] / 300.0) + 1.5 * std::exp(-to_settlement[i] / 800.0)));
        weights[township_of[i]] += weight[i];
    }
    for (std::size_t i = 0; i < g.size(); ++i)
        if (township_of[i] >= 0) grid[i] += dispersed[township_of[i]] * weight[i] / weights[township_of[i]];
}

const compliance_rule& rule_named(const standards& s, const std::string& id) {
    for (const compliance_rule& r : s.rules)
        if (r.id == id) return r;
    throw std::runtime_error("synth: the standards have no rule " + id);
}

// Sizes the facilities from the units' populations so that the region meets the built-in standards'
// count and ratio rules, except for the gaps planted on purpose (README): the easternmost county keeps
// one ambulance, too few beds and no sub-centre; the third county (prefecture scale) has too few
// infectious-disease beds.
template <class Nearest>
void complete_facilities(std::vector<facility>& fac, const std::vector<unit>& counties, std::vector<double> pop,
                         Nearest nearest_county, std::size_t first_county, std::size_t county_count) {
    pop.resize(counties.size(), 0.0);
    const standards s = load_standards();
    const compliance_rule& beds = rule_named(s, "beds-per-1000");
    const compliance_rule& grassroots = rule_named(s, "grassroots-beds-per-1000");
    const compliance_rule& surge = rule_named(s, "infectious-surge-beds");
    const compliance_rule& ambulances = rule_named(s, "ambulances-per-30000");
    std::size_t east = counties.size();
    double east_x = -1e300;
    for (std::size_t c = first_county; c < counties.size(); ++c)
        if (counties[c].seat.x > east_x) east_x = counties[c].seat.x, east = c;

    // Districts get a general hospital of their own.
    for (std::size_t c = 0; c < first_county; ++c)
        fac.push_back({{counties[c].seat.x, counties[c].seat.y}, counties[c].name + "人民医院 " + counties[c].name_en +
                       " District People's Hospital", "county-hospital", "general", -1, 100});
    // Sub-centres: the township centres farthest from their county seat, 15 % of them (1 to 3).
    for (std::size_t c = first_county; c < counties.size(); ++c) {
        if (c == east) continue;
        std::vector<std::size_t> centres;
        for (std::size_t i = 0; i < fac.size(); ++i)
            if (fac[i].type == "township-centre" && nearest_county(fac[i].at) == static_cast<int>(c)) centres.push_back(i);
        std::sort(centres.begin(), centres.end(), [&](std::size_t a, std::size_t b) {
            return dist(fac[a].at, counties[c].seat) > dist(fac[b].at, counties[c].seat);
        });
        const std::size_t n = std::min<std::size_t>({3, centres.size(), static_cast<std::size_t>(std::ceil(0.15 * centres.size()))});
        for (std::size_t k = 0; k < n; ++k) fac[centres[k]].type = "sub-centre";
    }
    std::vector<double> grassroots_beds(counties.size(), 0.0), all_beds(counties.size(), 0.0);
    std::vector<std::vector<std::size_t>> grassroots_of(counties.size());
    std::vector<std::size_t> general(counties.size(), fac.size()), station(counties.size(), fac.size());
    for (std::size_t i = 0; i < fac.size(); ++i) {
        const int c = nearest_county(fac[i].at);
        if (c < 0) continue;
        const facility& f = fac[i];
        if (f.beds > 0) all_beds[c] += f.beds;
        if (std::find(grassroots.facility_types.begin(), grassroots.facility_types.end(), f.type) != grassroots.facility_types.end()) {
            if (f.beds > 0) grassroots_beds[c] += f.beds;
            if (f.beds > 0) grassroots_of[c].push_back(i);
        }
        if (f.type == "county-hospital" && f.category == "general") general[c] = i;
        if (f.type == "ambulance-station") station[c] = i;
    }
    for (std::size_t c = 0; c < counties.size(); ++c) {
        // Grassroots beds first: they count towards all beds too.
        const double need_grassroots = std::ceil(1.05 * grassroots.per_1000 * pop[c] / 1000);
        if (grassroots_beds[c] < need_grassroots && !grassroots_of[c].empty()) {
            const int extra = static_cast<int>(std::ceil((need_grassroots - grassroots_beds[c]) / grassroots_of[c].size()));
            for (std::size_t i : grassroots_of[c]) fac[i].beds += extra, all_beds[c] += extra;
        }
        if (general[c] < fac.size()) {
            auto t = beds.targets.find(counties[c].name);
            const double target = t != beds.targets.end() ? t->second : beds.per_1000;
            const double need = std::ceil(1.05 * target * pop[c] / 1000);
            facility& g = fac[general[c]];
            const double others = all_beds[c] - g.beds;
            g.beds = std::max(g.beds, static_cast<int>(need - others));
            if (c == east) g.beds = std::max(20, static_cast<int>(0.6 * need - others));
            if (counties[c].kind == "county") {
                for (const auto& [upto, value] : surge.bands)
                    if (pop[c] < upto) {
                        g.infectious_beds = static_cast<int>(value);
                        break;
                    }
                if (county_count > 2 && c == first_county + 2) g.infectious_beds -= 10;
            }
        }
        if (station[c] < fac.size()) {
            fac[station[c]].ambulances = c == east ? 1 : static_cast<int>(std::ceil(pop[c] / ambulances.residents));
        }
    }
}


// One prefecture's part of the region, placed on its square.
struct prefecture_plan {
    pt origin;                      // south-west corner of its square
    std::string name, name_en;      // 长治, Changzhi
    bool changzhi_names;            // Changzhi's own district and county names; generated names otherwise
    double city_pop;
    int city_hospitals;             // city-run general hospitals (one per up to 2 million residents)
    std::uint64_t terrain_seed;
};

// Everything a prefecture adds to the region's files, in the order it is written.
struct prefecture_part {
    std::vector<road> roads;
    std::vector<facility> fac;
    std::vector<unit> counties, townships;  // townships' `parent`: index into this part's counties
    std::vector<village> villages;           // `township`: index into this part's townships
    std::vector<std::unique_ptr<OGRGeometry>> county_shapes, township_shapes;  // township shape null: none
    std::unique_ptr<OGRGeometry> square;
    struct urban_area {
        std::string name, kind;
        OGRPolygon shape;
    };
    std::vector<urban_area> urban;
    street_grid city_gates;
    std::vector<street_grid> towns;  // county towns, whose gates the roads across a border start from
    std::vector<pt> road_ends;       // where the mountain roads reach the square's eastern edge
    grid_frame frame;
    std::vector<float> raster;  // people per cell, NoData on water
    double population = 0;
    std::vector<double> township_population;
    std::size_t valid = 0, populated = 0;
};

constexpr float nodata = -9999;

prefecture_part build_prefecture(const params& P, const prefecture_plan& plan, rng& r, namer& names) {
    const double L = P.size, origin_x = plan.origin.x, origin_y = plan.origin.y;
    const pt city{origin_x + 0.42 * L, origin_y + 0.5 * L};
    auto in_mountains = [&](pt p) { return p.x > origin_x + 0.78 * L; };
    auto inside = [&](pt p, double margin) {
        return p.x > origin_x + margin && p.x < origin_x + L - margin && p.y > origin_y + margin &&
               p.y < origin_y + L - margin;
    };

    // Admin seats: four districts around the centre, counties on a ring (one of them in the east).
    const street_grid city_grid{city, P.city_radius, P.street_spacing};
    static const char* const changzhi_districts[][2] = {
        {"潞州区", "Luzhou"}, {"上党区", "Shangdang"}, {"屯留区", "Tunliu"}, {"潞城区", "Lucheng"}};
    static const char* const changzhi_counties[][2] = {{"平顺县", "Pingshun"}, {"襄垣县", "Xiangyuan"},
                                                  {"武乡县", "Wuxiang"},  {"沁县", "Qinxian"},
                                                  {"沁源县", "Qinyuan"},  {"长子县", "Zhangzi"},
                                                  {"壶关县", "Huguan"},   {"黎城县", "Licheng"}};
    auto unit_name = [&](const char* const (&changzhi)[2], const std::string& suffix) {
        return plan.changzhi_names ? std::pair<std::string, std::string>{changzhi[0], changzhi[1]} : names.make(suffix);
    };
    std::vector<unit> counties;
    const int dn = static_cast<int>(0.4 * P.city_radius / P.street_spacing);
    const int dx[] = {-1, 1, -1, 1}, dy[] = {1, 1, -1, -1};
    for (int d = 0; d < 4; ++d) {
        const auto [zh, en] = unit_name(changzhi_districts[d], "区");
        counties.push_back({zh, en, "district", city_grid.at(dx[d] * dn, dy[d] * dn)});
    }
    for (int k = 0; k < P.counties; ++k) {
        const double a = 2 * pi * k / P.counties + r.uniform(-0.15, 0.15);
        const double rad = L * r.uniform(0.28, 0.34);
        pt seat{city.x + rad * std::cos(a), city.y + rad * std::sin(a)};
        seat.x = std::clamp(seat.x, origin_x + 0.08 * L, origin_x + 0.9 * L);
        seat.y = std::clamp(seat.y, origin_y + 0.08 * L, origin_y + 0.92 * L);
        const auto [zh, en] = unit_name(changzhi_counties[k], "县");
        counties.push_back({zh, en, "county", seat});
    }
    // The districts share the zone around the city; the counties share the rest.
    const double zone = 1.8 * P.city_radius;
    auto nearest_county = [&](pt p) {
        const bool urban = dist(p, city) <= zone;
        int best = -1;
        for (int c = 0; c < static_cast<int>(counties.size()); ++c)
            if ((counties[c].kind == "district") == urban && (best < 0 || dist(p, counties[c].seat) < dist(p, counties[best].seat)))
                best = c;
        return best;
    };

    // Water and steep ground, from a stream of their own so that the settlements stay where they were
    // before the terrain existed (unless one would stand in water or on a crest). The reservoir keeps
    // clear of the city and of the county towns.
    rng terrain_rng(plan.terrain_seed);
    terrain land{origin_y, L, origin_x + 0.78 * L, origin_x + 0.63 * L, 0.025 * L, terrain_rng.uniform(0, 2 * pi),
                 P.river_width, city, 0, terrain_rng.uniform(0, 2 * pi), terrain_rng.uniform(0, 2 * pi)};
    for (int attempt = 0; attempt < 200 && land.lake_radius == 0; ++attempt) {
        const pt p{origin_x + L * terrain_rng.uniform(0.1, 0.75), origin_y + L * terrain_rng.uniform(0.1, 0.9)};
        bool clear = dist(p, city) > zone + 1.3 * P.lake_radius;
        for (const unit& c : counties) clear = clear && dist(p, c.seat) > 1.3 * P.lake_radius + 2 * P.town_radius;
        if (clear) land.lake = p, land.lake_radius = P.lake_radius;
    }
    const double cell = 100;
    const grid_frame frame{origin_x, origin_y + L, cell, static_cast<int>(L / cell), static_cast<int>(L / cell)};
    // Judged at the centre of the cell that holds the place, as the raster will be.
    auto habitable = [&](pt p) { return land.at(frame.centre(frame.index(p))) == ground::land; };

    // Townships (and the districts' sub-districts), each with a centre.
    std::vector<unit> townships;
    for (int c = 0; c < static_cast<int>(counties.size()); ++c) {
        const bool district = counties[c].kind == "district";
        // A larger city (the province's capital) has more sub-districts, each with its community
        // health centre: one per 100,000 residents is a rule the plans set.
        const int want = district ? std::max(P.subdistricts_per_district, static_cast<int>(std::ceil(plan.city_pop / 4 / 80000)))
                                  : P.townships_per_county;
        int made = 0;
        for (int attempt = 0; attempt < 2000 && made < want; ++attempt) {
            pt p;
            if (district) {
                const int n = city_grid.n();
                p = city_grid.at(static_cast<int>(r.next() % (2 * n + 1)) - n, static_cast<int>(r.next() % (2 * n + 1)) - n);
                if (dist(p, city) > 0.8 * P.city_radius || dist(p, city) < P.street_spacing * 2) continue;
            } else {
                const double a = r.uniform(0, 2 * pi), rad = L * r.uniform(0.04, 0.3);
                p = {counties[c].seat.x + rad * std::cos(a), counties[c].seat.y + rad * std::sin(a)};
                if (!inside(p, 0.03 * L) || dist(p, city) < zone + 0.02 * L) continue;
                if (in_mountains(p) && !r.chance(0.3)) continue;
                if (!habitable(p)) continue;
            }
            if (nearest_county(p) != c) continue;
            const double spacing = district ? 3 * P.street_spacing : 0.045 * L;
            bool crowded = !district && dist(p, counties[c].seat) < spacing;
            for (const unit& t : townships) crowded = crowded || dist(p, t.seat) < spacing;
            if (crowded) continue;
            auto [zh, en] = names.make(district ? "街道" : (r.chance(0.6) ? "镇" : "乡"));
            townships.push_back({zh, en, district ? "sub-district" : "township", p, c});
            ++made;
        }
    }
    auto nearest_township = [&](pt p) {
        int best = 0;
        for (int t = 1; t < static_cast<int>(townships.size()); ++t)
            if (dist(p, townships[t].seat) < dist(p, townships[best].seat)) best = t;
        return best;
    };

    // Villages around township centres; the mountains stay nearly empty.
    std::vector<village> villages;
    for (int t = 0; t < static_cast<int>(townships.size()); ++t) {
        if (townships[t].kind != "township") continue;
        int made = 0;
        for (int attempt = 0; attempt < 400 && made < P.villages_per_township; ++attempt) {
            const double a = r.uniform(0, 2 * pi), rad = L * r.uniform(0.01, 0.08);
            const pt p{townships[t].seat.x + rad * std::cos(a), townships[t].seat.y + rad * std::sin(a)};
            if (!inside(p, 0.01 * L) || nearest_township(p) != t) continue;
            if (dist(p, city) < zone) continue;
            if (in_mountains(p) && !r.chance(0.25)) continue;
            if (!habitable(p)) continue;
            bool crowded = false;
            for (const unit& c : counties) crowded = crowded || dist(p, c.seat) < 2 * P.town_radius;
            for (const village& v : villages) crowded = crowded || dist(p, v.at) < 0.008 * L;
            if (crowded) continue;
            const double pop = std::round(200 * std::pow(15.0, std::pow(r.uniform(), 1.8)));
            villages.push_back({p, names.make("村").first, t, pop});
            ++made;
        }
    }

    // Roads.
    std::vector<road> roads;
    add_grid(roads, city_grid, true);
    std::vector<street_grid> towns;
    for (const unit& c : counties) {
        if (c.kind != "county") continue;
        towns.push_back({c.seat, P.town_radius, P.town_spacing});
        add_grid(roads, towns.back(), false);
    }
    const std::size_t first_county = 4;
    for (std::size_t k = 0; k < towns.size(); ++k) {
        const street_grid& t = towns[k];
        roads.push_back(link(city_grid.gate(t.c), t.gate(city), "trunk", 0.012 * L, 400, r));
        roads.back().name = "G" + std::to_string(207 + k);
        if (static_cast<int>(k) < P.expressways) {
            // Expressways enter the grids at other gates and cross every road between without meeting it.
            roads.push_back(link(city_grid.gate(t.c, 0.95, 0.5), t.gate(city, 0.95, -0.6), "motorway", 0.004 * L, 600, r));
            roads.back().name = "G" + std::to_string(55 + k);
        }
        const street_grid& next = towns[(k + 1) % towns.size()];
        if (towns.size() > 2 || k == 0) {
            roads.push_back(link(t.gate(next.c), next.gate(t.c), "primary", 0.015 * L, 400, r));
            roads.back().name = "S" + std::to_string(320 + k);
        }
    }
    for (std::size_t t = 0; t < townships.size(); ++t) {
        const unit& ts = townships[t];
        if (ts.kind != "township") continue;
        const std::size_t k = static_cast<std::size_t>(ts.parent) - first_county;
        const double wiggle = in_mountains(ts.seat) ? 0.015 * L : 0.01 * L;
        roads.push_back(link(towns[k].gate(ts.seat), ts.seat, "secondary", wiggle, 300, r));
    }
    // Each township road to its nearest neighbouring township centre, once per pair.
    std::set<std::pair<std::size_t, std::size_t>> linked;
    for (std::size_t t = 0; t < townships.size(); ++t) {
        if (townships[t].kind != "township") continue;
        std::size_t best = t;
        for (std::size_t u = 0; u < townships.size(); ++u)
            if (u != t && townships[u].kind == "township" &&
                (best == t || dist(townships[t].seat, townships[u].seat) < dist(townships[t].seat, townships[best].seat)))
                best = u;
        if (best == t || !linked.insert({std::min(t, best), std::max(t, best)}).second) continue;
        const bool winding = in_mountains(townships[t].seat) || in_mountains(townships[best].seat);
        roads.push_back(link(townships[t].seat, townships[best].seat, "tertiary", winding ? 0.015 * L : 0.012 * L,
                             winding ? 150 : 300, r));
    }
    // Village roads: each village joins the nearest of its township's centre and its villages already joined.
    for (std::size_t t = 0; t < townships.size(); ++t) {
        std::vector<const village*> own;
        for (const village& v : villages)
            if (v.township == static_cast<int>(t)) own.push_back(&v);
        std::sort(own.begin(), own.end(), [&](const village* a, const village* b) {
            return dist(a->at, townships[t].seat) < dist(b->at, townships[t].seat);
        });
        std::vector<pt> joined{townships[t].seat};
        for (const village* v : own) {
            pt to = joined[0];
            for (pt j : joined)
                if (dist(v->at, j) < dist(v->at, to)) to = j;
            const double wiggle = in_mountains(v->at) ? 0.006 * L : 0.003 * L;
            roads.push_back(link(to, v->at, "unclassified", wiggle, 200, r));
            roads.back().name = v->name;
            joined.push_back(v->at);
        }
    }
    if (P.township_street_spacing > 0)
        for (const unit& t : townships)
            if (t.kind == "township") add_grid(roads, {t.seat, 600, P.township_street_spacing}, false);
    if (P.village_lane_spacing > 0)
        for (const village& v : villages) add_grid(roads, {v.at, 250, P.village_lane_spacing}, false);
    // A few winding roads cross the eastern mountains to the region's edge.
    std::vector<std::size_t> east;
    std::vector<pt> road_ends;
    for (std::size_t t = 0; t < townships.size(); ++t)
        if (townships[t].kind == "township") east.push_back(t);
    std::sort(east.begin(), east.end(), [&](std::size_t a, std::size_t b) { return townships[a].seat.x > townships[b].seat.x; });
    for (int k = 0; k < P.mountain_roads && k < static_cast<int>(east.size()); ++k) {
        const pt from = townships[east[k]].seat;
        roads.push_back(link(from, {origin_x + L, from.y + r.uniform(-0.05, 0.05) * L}, "tertiary", 0.015 * L, 150, r));
        road_ends.push_back(roads.back().pts.back());
    }

    // Population: every settlement spreads its people over the cells of its kernel, exactly.
    std::vector<settlement> people;
    constexpr double urban_dispersed = 0.05, rural_dispersed = 0.35;
    people.push_back({city, plan.city_pop, 0.35 * P.city_radius, 1.1 * P.city_radius, true, urban_dispersed});
    for (const street_grid& t : towns)
        people.push_back({t.c, P.town_pop * r.uniform(0.7, 1.3), 0.4 * P.town_radius, 1.2 * P.town_radius, true, urban_dispersed});
    for (const unit& t : townships)
        if (t.kind == "township") people.push_back({t.seat, std::round(P.township_pop * r.uniform(0.6, 1.5)), 250, 800, false, rural_dispersed});
    for (const village& v : villages) people.push_back({v.at, v.population, 100, 300, false, rural_dispersed});

    std::vector<ground> ground_of(frame.size());
    for (std::size_t i = 0; i < ground_of.size(); ++i) ground_of[i] = land.at(frame.centre(i));
    const std::vector<int> township_of = township_of_cells(frame, ground_of, townships, nearest_county);
    std::vector<double> grid(frame.size(), 0.0), dispersed(townships.size(), 0.0), settled(townships.size(), 0.0);
    double total = 0;
    std::vector<std::pair<std::size_t, double>> weights;
    for (const settlement& s : people) {
        weights.clear();
        double wsum = 0;
        const std::size_t nw = frame.index({s.at.x - s.radius_m, s.at.y + s.radius_m});
        const std::size_t se = frame.index({s.at.x + s.radius_m, s.at.y - s.radius_m});
        for (std::size_t row = nw / frame.cols; row <= se / frame.cols; ++row)
            for (std::size_t col = nw % frame.cols; col <= se % frame.cols; ++col) {
                const std::size_t i = row * frame.cols + col;
                const double d = dist(s.at, frame.centre(i));
                if (d > s.radius_m || ground_of[i] != ground::land) continue;
                const double w = s.exponential ? std::exp(-d / s.scale_m) : std::exp(-d * d / (2 * s.scale_m * s.scale_m));
                weights.emplace_back(i, w);
                wsum += w;
            }
        if (!(wsum > 0)) throw std::logic_error("synth: a settlement has no habitable cell");
        for (auto [i, w] : weights) {
            const double here = s.population * w / wsum;
            const int t = township_of[i];
            grid[i] += t < 0 ? here : (1 - s.dispersed) * here;
            if (t < 0) continue;
            dispersed[t] += s.dispersed * here;
            settled[t] += here;
        }
        total += s.population;
    }
    add_background(grid, frame, township_of, dispersed, land, roads);

    // Facilities, with the gaps a planner should find.
    std::vector<facility> fac;
    const bool prefecture = P.counties > 2;
    const std::string& pz = plan.name, &pe = plan.name_en;
    fac.push_back({city_grid.at(1, 1), pz + "市急救中心 " + pe + " Emergency Centre", "emergency-centre", "", prefecture ? 12 : 4, 60});
    fac.push_back({city_grid.at(-2, 1), pz + "市人民医院 " + pe + " People's Hospital", "city-hospital", "general", -1, 1200});
    // One city-run general hospital per up to 2 million residents.
    static const char* const ordinal[][2] = {{"第二", "Second"}, {"第三", "Third"}};
    for (int k = 0; k + 1 < plan.city_hospitals; ++k)
        fac.push_back({city_grid.at(2 - 4 * k, -2), pz + "市" + ordinal[k][0] + "人民医院 " + pe + " " + ordinal[k][1] + " People's Hospital",
                       "city-hospital", "general", -1, 900});
    // Ambulance counts are sized to the units' people below (complete_facilities).
    for (int d = 0; d < 3; ++d)  // the fourth district has no station of its own
        fac.push_back({counties[d].seat, counties[d].name + "急救站 " + counties[d].name_en + " Ambulance Station",
                       "ambulance-station", "", 1, -1});
    for (std::size_t k = 0; k < towns.size(); ++k) {
        const unit& c = counties[first_county + k];
        fac.push_back({towns[k].at(1, 1), c.name + "急救站 " + c.name_en + " Ambulance Station", "ambulance-station", "", 1, -1});
        fac.push_back({towns[k].at(0, 1), c.name + "人民医院 " + c.name_en + " County People's Hospital", "county-hospital",
                       "general", -1, 300});
        if (k != 1)
            fac.push_back({towns[k].at(1, 0), c.name + "中医医院 " + c.name_en + " County TCM Hospital", "county-hospital", "tcm", -1, 120});
        if (k != 2 % towns.size() || towns.size() < 3)
            fac.push_back({towns[k].at(-1, 0), c.name + "妇幼保健院 " + c.name_en + " Maternal and Child Health Hospital",
                           "county-hospital", "maternal-child", -1, 60});
    }
    std::set<std::size_t> missing;
    std::vector<std::size_t> rural;
    for (std::size_t t = 0; t < townships.size(); ++t)
        if (townships[t].kind == "township") rural.push_back(t);
    while (static_cast<int>(missing.size()) < P.missing_township_centres) missing.insert(rural[r.next() % rural.size()]);
    bool skipped_community_centre = false;
    for (std::size_t t = 0; t < townships.size(); ++t) {
        const unit& ts = townships[t];
        if (ts.kind == "sub-district") {
            if (!skipped_community_centre && ts.parent == 1) {  // one sub-district without its centre
                skipped_community_centre = true;
                continue;
            }
            fac.push_back({ts.seat, ts.name + "社区卫生服务中心 " + ts.name_en + " Community Health Centre", "community-centre", "", -1, 20});
        } else if (!missing.count(t)) {
            fac.push_back({ts.seat, ts.name + "卫生院 " + ts.name_en + " Township Health Centre", "township-centre", "", -1, 30});
        }
    }
    {
        const int n = city_grid.n();
        for (int i = -n; i <= n; ++i)
            for (int j = -n; j <= n; ++j) {
                if (((i % 4) + 4) % 4 != 2 || ((j % 4) + 4) % 4 != 2 || !city_grid.has(i, j)) continue;
                const pt p = city_grid.at(i, j);
                if (dist(p, city) > 0.9 * P.city_radius) continue;
                const double a = std::atan2(p.y - city.y, p.x - city.x) * 180 / pi;
                if (a > 100 && a < 150) continue;  // a north-western quarter without stations
                fac.push_back({p, "社区卫生服务站 Community Health Station " + std::to_string(i) + "/" + std::to_string(j),
                               "community-station", "", -1, -1});
            }
    }
    bool one_doctor_planted = false;
    for (const village& v : villages) {
        if (r.chance(0.08)) continue;
        facility clinic{v.at, v.name + "卫生室 Village Clinic", "village-clinic", "", -1, -1};
        clinic.doctors = v.population > 1000 ? 2 : 1;
        if (v.population > 1000 && !one_doctor_planted) {  // a large village whose clinic is not yet a demonstration one
            clinic.doctors = 1;
            one_doctor_planted = true;
        }
        fac.push_back(clinic);
    }
    complete_facilities(fac, counties, people_by_unit(grid, frame, nearest_county),
                        nearest_county, first_county, towns.size());

    // Admin polygons.
    geos g;
    GEOSGeometry* region = g.box(origin_x, origin_y, origin_x + L, origin_y + L);
    GEOSGeometry* centre = g.point(city);
    GEOSGeometry* urban_zone = GEOSBuffer_r(g.h, centre, zone, 16);
    GEOSGeometry* rural_zone = GEOSDifference_r(g.h, region, urban_zone);
    std::vector<GEOSGeometry*> county_cells(counties.size(), nullptr);
    for (const bool urban : {true, false}) {
        std::vector<pt> seats;
        std::vector<std::size_t> index;
        for (std::size_t c = 0; c < counties.size(); ++c)
            if ((counties[c].kind == "district") == urban) {
                seats.push_back(counties[c].seat);
                index.push_back(c);
            }
        const auto cells = g.cells(seats, urban ? urban_zone : rural_zone);
        for (std::size_t i = 0; i < cells.size(); ++i) county_cells[index[i]] = cells[i];
    }
    for (GEOSGeometry* x : {centre, urban_zone, rural_zone}) GEOSGeom_destroy_r(g.h, x);
    std::vector<GEOSGeometry*> township_cells(townships.size(), nullptr);
    for (std::size_t c = 0; c < counties.size(); ++c) {
        std::vector<pt> centres;
        std::vector<std::size_t> index;
        for (std::size_t t = 0; t < townships.size(); ++t)
            if (townships[t].parent == static_cast<int>(c)) {
                centres.push_back(townships[t].seat);
                index.push_back(t);
            }
        if (centres.empty()) continue;
        if (centres.size() == 1) {
            township_cells[index[0]] = GEOSGeom_clone_r(g.h, county_cells[c]);
            continue;
        }
        const auto cells = g.cells(centres, county_cells[c]);
        for (std::size_t i = 0; i < cells.size(); ++i) township_cells[index[i]] = cells[i];
    }
    prefecture_part out;
    out.city_gates = city_grid;
    out.towns = towns;
    out.road_ends = std::move(road_ends);
    out.population = total;
    out.township_population = settled;
    out.square = std::unique_ptr<OGRGeometry>(g.to_ogr(region));
    for (GEOSGeometry* c : county_cells) {
        out.county_shapes.push_back(g.to_ogr(c));
        GEOSGeom_destroy_r(g.h, c);
    }
    for (GEOSGeometry* c : township_cells) {
        out.township_shapes.push_back(c ? g.to_ogr(c) : nullptr);
        if (c) GEOSGeom_destroy_r(g.h, c);
    }
    GEOSGeom_destroy_r(g.h, region);
    out.urban.push_back({pz + "市区 " + pe + " city", "city", circle(city, 1.05 * P.city_radius)});
    for (std::size_t k = 0; k < towns.size(); ++k)
        out.urban.push_back({counties[first_county + k].name + "城区", "county-town", circle(towns[k].c, 1.1 * P.town_radius)});
    out.raster.resize(frame.size());
    for (std::size_t i = 0; i < frame.size(); ++i) {
        out.raster[i] = ground_of[i] == ground::water ? nodata : static_cast<float>(grid[i]);
        out.valid += ground_of[i] != ground::water;
        out.populated += out.raster[i] > 0;
    }
    out.frame = frame;
    out.roads = std::move(roads);
    out.fac = std::move(fac);
    out.counties = std::move(counties);
    out.townships = std::move(townships);
    out.villages = std::move(villages);
    return out;
}

// The prefectures of a scale: one (Changzhi) at small and prefecture scale; at province scale eleven
// on a grid of squares three wide and four high (Shanxi's shape, its north-east corner outside), the
// capital's basin in the middle of the second row holding a larger city.
std::vector<prefecture_plan> plans_for(synth_scale scale, const params& P, std::uint64_t seed) {
    const std::uint64_t terrain_seed = seed * 0x9E3779B97F4A7C15ULL + 777;
    if (scale != synth_scale::province)
        return {{{origin_x, origin_y}, "长治", "Changzhi", true, P.city_pop, scale == synth_scale::small ? 1 : 2, terrain_seed}};
    static const char* const shanxi[4][3][2] = {
        {{"朔州", "Shuozhou"}, {"大同", "Datong"}, {nullptr, nullptr}},
        {{"忻州", "Xinzhou"}, {"太原", "Taiyuan"}, {"阳泉", "Yangquan"}},
        {{"吕梁", "Lvliang"}, {"晋中", "Jinzhong"}, {"长治", "Changzhi"}},
        {{"临汾", "Linfen"}, {"运城", "Yuncheng"}, {"晋城", "Jincheng"}}};
    std::vector<prefecture_plan> out;
    for (int row = 0; row < 4; ++row)
        for (int col = 0; col < 3; ++col) {
            if (!shanxi[row][col][0]) continue;
            const bool capital = row == 1 && col == 1;
            out.push_back({{origin_x + col * P.size, origin_y + (3 - row) * P.size}, shanxi[row][col][0], shanxi[row][col][1],
                           false, capital ? 3 * P.city_pop : P.city_pop, capital ? 3 : 2,
                           terrain_seed + 1000 * static_cast<std::uint64_t>(out.size())});
        }
    return out;
}

// Where b lies from a: 1 on the next square to the east, 2 on the next square to the north, 0 otherwise
// (the pairs of neighbours counted once).
int neighbour_side(const prefecture_plan& a, const prefecture_plan& b, double size) {
    const double ex = b.origin.x - a.origin.x, ny = b.origin.y - a.origin.y;
    return ex == size && ny == 0 ? 1 : ex == 0 && ny == size ? 2 : 0;
}

double road_km(const std::vector<road>& roads) {
    double m = 0;
    for (const road& rd : roads)
        for (std::size_t k = 1; k < rd.pts.size(); ++k) m += dist(rd.pts[k - 1], rd.pts[k]);
    return m / 1000;
}

}  // namespace

// As between Shanxi's prefectures, whose ordinary roads cross every border: a national highway
// between the county towns nearest each other across it; a provincial highway in each quarter of
// it, between the township seats nearest the quarter's middle on either side; each village within
// 5 km of it joined to the nearest village across, when that is within 7 km (the countryside's
// roads go on across the border); the mountain roads that end on it carried on to the nearest seat
// or village across. Every road ends on a vertex of the roads it joins.
void add_border_roads(std::vector<synth_road>& roads, const synth_border_side& a, const synth_border_side& b, bool east,
                      double at, double from, double length, int border, std::uint64_t seed) {
    rng r(seed);
    auto nearest = [](const std::vector<pt>& among, pt p) {
        std::size_t best = 0;
        for (std::size_t i = 1; i < among.size(); ++i)
            if (dist(p, among[i]) < dist(p, among[best])) best = i;
        return best;
    };
    if (!a.towns.empty() && !b.towns.empty()) {
        std::size_t ta = 0, tb = 0;
        for (std::size_t i = 0; i < a.towns.size(); ++i)
            for (std::size_t j = 0; j < b.towns.size(); ++j)
                if (dist(a.towns[i], b.towns[j]) < dist(a.towns[ta], b.towns[tb])) ta = i, tb = j;
        const street_grid from_town{a.towns[ta], a.town_radius, a.town_spacing}, to_town{b.towns[tb], b.town_radius, b.town_spacing};
        roads.push_back(link(from_town.gate(to_town.c), to_town.gate(from_town.c), "primary", 0.015 * length, 400, r));
        roads.back().name = "G" + std::to_string(301 + border);
    }
    if (!a.seats.empty() && !b.seats.empty()) {
        std::set<std::pair<std::size_t, std::size_t>> joined;
        for (int q = 0; q < 4; ++q) {
            const double along = from + (q + 0.5) * length / 4;
            const pt middle = east ? pt{at, along} : pt{along, at};
            const std::size_t sa = nearest(a.seats, middle), sb = nearest(b.seats, middle);
            if (!joined.insert({sa, sb}).second) continue;
            roads.push_back(link(a.seats[sa], b.seats[sb], "secondary", 0.01 * length, 300, r));
            roads.back().name = "S" + std::to_string(501 + 4 * border + q);
        }
    }
    constexpr double near_border = 5000, farthest = 7000;
    std::set<std::pair<std::size_t, std::size_t>> paired;  // (village of a, village of b)
    for (int side = 0; side < 2; ++side) {
        const synth_border_side& here = side ? b : a;
        const synth_border_side& there = side ? a : b;
        if (there.villages.empty()) continue;
        for (std::size_t i = 0; i < here.villages.size(); ++i) {
            const pt v = here.villages[i];
            if (std::abs((east ? v.x : v.y) - at) > near_border) continue;
            const std::size_t j = nearest(there.villages, v);
            if (dist(v, there.villages[j]) > farthest || !paired.insert(side ? std::pair{j, i} : std::pair{i, j}).second) continue;
            roads.push_back(link(v, there.villages[j], "unclassified", 0.003 * length, 200, r));
        }
    }
    // Mountain roads run to the eastern edge of their square, so only an eastern neighbour meets them.
    std::vector<pt> across = b.seats;
    across.insert(across.end(), b.villages.begin(), b.villages.end());
    if (east && !across.empty())
        for (pt end : a.road_ends) roads.push_back(link(end, across[nearest(across, end)], "tertiary", 0.006 * length, 150, r));
}

synth_summary write_synthetic_region(const std::string& dir, synth_scale scale, std::uint64_t seed) {
    init_gdal();
    // GeoPackages record a timestamp; a fixed one keeps the files byte-identical for a seed.
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw input_error(dir + ": cannot create the output directory" + (ec ? ": " + ec.message() : std::string(": a file is in the way")));
    const params P = params_for(scale);
    rng r(seed * 0x2545F4914F6CDD1DULL + 12345);
    namer names(r);
    const std::vector<prefecture_plan> plans = plans_for(scale, P, seed);
    double x1 = origin_x, y1 = origin_y;
    for (const prefecture_plan& plan : plans) x1 = std::max(x1, plan.origin.x + P.size), y1 = std::max(y1, plan.origin.y + P.size);
    const double cell = 100;
    const int cols = static_cast<int>(std::lround((x1 - origin_x) / cell)), rows = static_cast<int>(std::lround((y1 - origin_y) / cell));
    const OGRSpatialReference srs = region_srs();

    // The prefectures one at a time: each part's raster goes to the file at once (a province's grid is
    // never in memory whole), its features join the region's lists.
    synth_summary sum;
    std::vector<road> roads;
    std::vector<facility> fac;
    std::vector<unit> counties, townships;
    std::vector<village> villages;
    std::vector<std::unique_ptr<OGRGeometry>> county_shapes, township_shapes, squares;
    std::vector<prefecture_part::urban_area> urban;
    std::vector<street_grid> cities;
    std::vector<synth_border_side> places;
    atomic_output tif(dir + "/population.tif");
    {
        GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
        const char* opts[] = {"COMPRESS=DEFLATE", "TILED=YES", nullptr};
        dataset_ptr ds(gtiff->Create(tif.temp_path().c_str(), cols, rows, 1, GDT_Float32, const_cast<char**>(opts)));
        if (!ds) throw std::runtime_error(dir + "/population.tif: " + gdal_last_error());
        double gt[6] = {origin_x, cell, 0, y1, 0, -cell};
        ds->SetGeoTransform(gt);
        ds->SetSpatialRef(&srs);
        GDALRasterBand* band = ds->GetRasterBand(1);
        band->SetNoDataValue(nodata);
        // Blocks outside the prefectures' squares are never written: GDAL fills them with NoData.
        for (const prefecture_plan& plan : plans) {
            prefecture_part part = build_prefecture(P, plan, r, names);
            const grid_frame& f = part.frame;
            const int col0 = static_cast<int>(std::lround((f.x0 - origin_x) / cell)), row0 = static_cast<int>(std::lround((y1 - f.y1) / cell));
            if (band->RasterIO(GF_Write, col0, row0, f.cols, f.rows, part.raster.data(), f.cols, f.rows, GDT_Float32, 0, 0) != CE_None)
                throw std::runtime_error(dir + "/population.tif: " + gdal_last_error());
            sum.population += part.population;
            sum.valid_cells += part.valid;
            sum.populated_cells += part.populated;
            sum.township_population.insert(sum.township_population.end(), part.township_population.begin(), part.township_population.end());
            synth_border_side& here = places.emplace_back();
            for (const street_grid& t : part.towns) here.towns.push_back(t.c);
            here.town_radius = P.town_radius;
            here.town_spacing = P.town_spacing;
            here.road_ends = part.road_ends;
            for (const unit& t : part.townships)
                if (t.kind == "township") here.seats.push_back(t.seat);
            for (const village& v : part.villages) here.villages.push_back(v.at);
            for (unit& t : part.townships) t.parent += static_cast<int>(counties.size());
            for (village& v : part.villages) v.township += static_cast<int>(townships.size());
            auto append = [](auto& to, auto& from) { std::move(from.begin(), from.end(), std::back_inserter(to)); };
            append(roads, part.roads);
            append(fac, part.fac);
            append(counties, part.counties);
            append(townships, part.townships);
            append(villages, part.villages);
            append(county_shapes, part.county_shapes);
            append(township_shapes, part.township_shapes);
            append(urban, part.urban);
            squares.push_back(std::move(part.square));
            cities.push_back(part.city_gates);
        }
    }
    tif.commit();
    // Expressways join the cities of neighbouring prefectures (east and north), entering each city's
    // grid at a gate of its own.
    int expressways = 0;
    for (std::size_t a = 0; a < plans.size(); ++a)
        for (std::size_t b = 0; b < plans.size(); ++b) {
            if (!neighbour_side(plans[a], plans[b], P.size)) continue;
            roads.push_back(link(cities[a].gate(cities[b].c, 0.95, 0.25), cities[b].gate(cities[a].c, 0.95, -0.25), "motorway",
                                 0.01 * P.size, 600, r));
            roads.back().name = "G" + std::to_string(5 + 10 * expressways++);
        }
    // Walking excludes expressways, and the routable graph is the largest strongly connected component:
    // without ordinary roads across the borders a walk would keep one prefecture. Drawn after the
    // expressways (the same random stream, so those stay as they were) and after the population
    // raster, which they leave as it was.
    int borders = 0;
    const std::size_t before_borders = roads.size();
    for (std::size_t a = 0; a < plans.size(); ++a)
        for (std::size_t b = 0; b < plans.size(); ++b)
            if (const int side = neighbour_side(plans[a], plans[b], P.size)) {
                const bool east = side == 1;
                add_border_roads(roads, places[a], places[b], east, east ? plans[b].origin.x : plans[b].origin.y,
                                 east ? plans[a].origin.y : plans[a].origin.x, P.size, borders++, r.next());
            }
    const std::size_t border_lines = roads.size() - before_borders;
    const double border_km = road_km(std::vector<road>(roads.begin() + static_cast<std::ptrdiff_t>(before_borders), roads.end()));
    sum.counties = counties.size();
    sum.townships = townships.size();
    sum.villages = villages.size();
    sum.facilities = fac.size();
    sum.road_lines = roads.size();
    sum.road_km = road_km(roads);
    sum.prefectures = plans.size();
    write_vector_file(dir + "/roads.gpkg", [&](GDALDataset& ds) {
        write_layer(ds, "roads", wkbLineString,
                    {{"highway", OFTString}, {"oneway", OFTString}, {"junction", OFTString}, {"name", OFTString}},
                    roads.size(), [&](std::size_t i, OGRFeature& f) {
                        const road& rd = roads[i];
                        f.SetField("highway", rd.highway.c_str());
                        if (!rd.oneway.empty()) f.SetField("oneway", rd.oneway.c_str());
                        if (!rd.junction.empty()) f.SetField("junction", rd.junction.c_str());
                        if (!rd.name.empty()) f.SetField("name", rd.name.c_str());
                        OGRLineString ls;
                        for (pt p : rd.pts) ls.addPoint(p.x, p.y);
                        f.SetGeometry(&ls);
                    });
    });
    write_vector_file(dir + "/facilities.gpkg", [&](GDALDataset& ds) {
        write_layer(ds, "facilities", wkbPoint,
                    {{"id", OFTInteger}, {"name", OFTString}, {"type", OFTString}, {"category", OFTString},
                     {"ambulances", OFTInteger}, {"beds", OFTInteger}, {"doctors", OFTInteger},
                     {"infectious_beds", OFTInteger}},
                    fac.size(), [&](std::size_t i, OGRFeature& f) {
                        const facility& x = fac[i];
                        f.SetField("id", static_cast<GIntBig>(i + 1));
                        f.SetField("name", x.name.c_str());
                        f.SetField("type", x.type.c_str());
                        if (!x.category.empty()) f.SetField("category", x.category.c_str());
                        if (x.ambulances >= 0) f.SetField("ambulances", x.ambulances);
                        if (x.beds >= 0) f.SetField("beds", x.beds);
                        if (x.doctors >= 0) f.SetField("doctors", x.doctors);
                        if (x.infectious_beds >= 0) f.SetField("infectious_beds", x.infectious_beds);
                        OGRPoint p = ogr_point(x.at);
                        f.SetGeometry(&p);
                    });
    });
    write_vector_file(dir + "/admin.gpkg", [&](GDALDataset& ds) {
        write_layer(ds, "counties", wkbMultiPolygon,
                    {{"id", OFTInteger}, {"name", OFTString}, {"name_en", OFTString}, {"kind", OFTString}},
                    counties.size(), [&](std::size_t i, OGRFeature& f) {
                        f.SetField("id", static_cast<GIntBig>(i + 1));
                        f.SetField("name", counties[i].name.c_str());
                        f.SetField("name_en", counties[i].name_en.c_str());
                        f.SetField("kind", counties[i].kind.c_str());
                        f.SetGeometry(county_shapes[i].get());
                    });
        write_layer(ds, "townships", wkbMultiPolygon,
                    {{"id", OFTInteger}, {"name", OFTString}, {"name_en", OFTString}, {"kind", OFTString},
                     {"county", OFTString}},
                    townships.size(), [&](std::size_t i, OGRFeature& f) {
                        f.SetField("id", static_cast<GIntBig>(i + 1));
                        f.SetField("name", townships[i].name.c_str());
                        f.SetField("name_en", townships[i].name_en.c_str());
                        f.SetField("kind", townships[i].kind.c_str());
                        f.SetField("county", counties[townships[i].parent].name.c_str());
                        if (township_shapes[i]) f.SetGeometry(township_shapes[i].get());
                    });
        if (scale == synth_scale::province)
            write_layer(ds, "prefectures", wkbMultiPolygon, {{"id", OFTInteger}, {"name", OFTString}, {"name_en", OFTString}},
                        plans.size(), [&](std::size_t i, OGRFeature& f) {
                            f.SetField("id", static_cast<GIntBig>(i + 1));
                            f.SetField("name", (plans[i].name + "市").c_str());
                            f.SetField("name_en", plans[i].name_en.c_str());
                            f.SetGeometry(squares[i].get());
                        });
    });
    write_vector_file(dir + "/villages.gpkg", [&](GDALDataset& ds) {
        write_layer(ds, "villages", wkbPoint,
                    {{"id", OFTInteger}, {"name", OFTString}, {"population", OFTInteger}, {"township", OFTString}},
                    villages.size(), [&](std::size_t i, OGRFeature& f) {
                        f.SetField("id", static_cast<GIntBig>(i + 1));
                        f.SetField("name", villages[i].name.c_str());
                        f.SetField("population", static_cast<GIntBig>(villages[i].population));
                        f.SetField("township", townships[villages[i].township].name.c_str());
                        OGRPoint p = ogr_point(villages[i].at);
                        f.SetGeometry(&p);
                    });
    });
    write_vector_file(dir + "/urban.gpkg", [&](GDALDataset& ds) {
        write_layer(ds, "urban", wkbPolygon, {{"name", OFTString}, {"kind", OFTString}}, urban.size(),
                    [&](std::size_t i, OGRFeature& f) {
                        f.SetField("name", urban[i].name.c_str());
                        f.SetField("kind", urban[i].kind.c_str());
                        f.SetGeometry(&urban[i].shape);
                    });
    });

    char share_text[16];
    std::snprintf(share_text, sizeof share_text, "%.1f",
                  100.0 * static_cast<double>(sum.populated_cells) / static_cast<double>(sum.valid_cells));
    const bool province = scale == synth_scale::province;
    const double width_km = (x1 - origin_x) / 1000, height_km = (y1 - origin_y) / 1000;
    char density[96];
    std::snprintf(density, sizeof density, "%.0f km, %.2f km per km² of land", sum.road_km,
                  sum.road_km / (static_cast<double>(sum.valid_cells) * cell * cell / 1e6));
    std::ofstream readme(dir + "/README.md");
    readme << "# Synthetic region (healthreach synth)\n\n"
           << "Generated by `healthreach synth --scale "
           << (province ? "province" : scale == synth_scale::prefecture ? "prefecture" : "small") << " --seed " << seed << "`. ";
    if (province)
        readme << "Synthetic data modelled on Shanxi: " << plans.size() << " prefectures on squares of " << P.size / 1000
               << " km, three wide and four high (the north-eastern square lies outside the province: NoData), the "
               << "capital's basin (太原 Taiyuan, whose city holds three times the people of the others) in the middle "
               << "of the second row. Each prefecture is built as at prefecture scale: a basin city with four "
               << "districts, " << P.counties << " counties, townships with a centre each, villages, a river, a "
               << "reservoir and thinly peopled mountains in the east of its square (three north-south ranges "
               << "across the province); expressways join the cities of neighbouring prefectures, and ordinary "
               << "roads, which walking may use, cross every shared border: " << border_lines << " lines ("
               << std::lround(border_km) << " km) of national highways between the county towns nearest each other "
               << "across it, provincial highways between township seats, village roads to the nearest village "
               << "across and the mountain roads carried on to the next prefecture. Not real places or people.\n\n";
    else
        readme << "Synthetic data modelled on Changzhi (Shanxi): a basin city with four districts, " << P.counties
               << " counties, townships with a centre each, villages, and thinly peopled mountains in the east. "
               << "Not real places or people.\n\n";
    readme << "CRS: EPSG:" << epsg << " (UTM 49N). Region: " << width_km << " km"
           << (width_km == height_km ? std::string(" square") : " by " + std::to_string(std::lround(height_km)) + " km") << ".\n\n"
           << "| file | layers | features |\n|---|---|---|\n"
           << "| roads.gpkg | roads (highway, oneway, junction, name) | " << roads.size() << " (" << density << ") |\n"
           << "| population.tif | people per 100 m cell, Float32 | total " << static_cast<long long>(std::llround(sum.population)) << " |\n"
           << "| facilities.gpkg | facilities (id, name, type, category, ambulances, beds) | " << fac.size() << " |\n"
           << "| admin.gpkg | counties (districts and counties), townships (townships and sub-districts)"
           << (province ? ", prefectures" : "") << " | " << counties.size() << ", " << townships.size();
    if (province) readme << ", " << plans.size();
    readme << " |\n"
           << "| villages.gpkg | villages (id, name, population, township) | " << villages.size() << " |\n"
           << "| urban.gpkg | urban (city and county towns) | " << urban.size() << " |\n\n"
           << "Population: settlements (the city, county towns, township seats and villages as kernels of "
           << "people) and a modelled background, as WorldPop and GHS-POP spread census counts: 35 % of the "
           << "people of township seats and villages and 5 % of those of the city and county towns live on "
           << "every habitable cell of their township, more of them near roads and settlements, fewer in the "
           << "mountains; each township keeps its total. Nobody lives on "
           << "water (a river and a reservoir, NoData cells) or on the steepest mountain crests (0). "
           << "Populated cells: " << sum.populated_cells << " of " << sum.valid_cells << " valid cells (" << share_text << " %).\n\n"
           << "Facilities are sized to the units' people so that the built-in standards' count and ratio rules "
           << "hold, except for these planted gaps" << (province ? ", in every prefecture" : "") << ": one district"
           << (province ? "" : " (Lucheng)") << " without an ambulance station; the "
           << "easternmost county with a single ambulance, about 60 % of its beds target and no county "
           << "sub-centre; " << P.missing_township_centres << " township(s) without a health centre; one "
           << "sub-district without a community health centre; a north-western quarter of the city without "
           << "community health stations (a 15-minute walking gap); about 8 % of villages without a clinic; one "
           << "village over 1,000 residents whose clinic has a single doctor; at prefecture scale, one county "
           << "without a TCM hospital, one without a maternal-and-child hospital and one short of "
           << "infectious-disease surge beds (counties under 100,000 residents merge their hospitals, so the "
           << "first two do not show at small scale).\n";
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr);
    return sum;
}

}  // namespace healthreach::geo
