// Beasley's OR-Library p-median instances (../shared/data/orlib) against their published optima: an
// independent reference for min-distance on graphs of 100 to 900 vertices.
#include "support.hpp"

#include "healthreach/opt/siting.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

using namespace healthreach;
using namespace healthreach::opt;

namespace {

struct pmed_instance {
    int n = 0, p = 0;
    coverage_matrix m;
};

// All-pairs shortest paths over the instance's undirected edges; a repeated edge takes the last cost
// given (Beasley's rule).
pmed_instance read_pmed(const std::string& path) {
    std::ifstream in(path);
    pmed_instance inst;
    int edges = 0;
    in >> inst.n >> edges >> inst.p;
    REQUIRE(inst.n > 0);
    const int n = inst.n;
    std::map<std::pair<int, int>, double> last;
    for (int k = 0; k < edges; ++k) {
        int i = 0, j = 0;
        double c = 0;
        in >> i >> j >> c;
        last[{std::min(i, j) - 1, std::max(i, j) - 1}] = c;
    }
    REQUIRE(in);
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> d(static_cast<std::size_t>(n) * n, inf);
    for (int i = 0; i < n; ++i) d[static_cast<std::size_t>(i) * n + i] = 0;
    for (const auto& [ij, c] : last) {
        d[static_cast<std::size_t>(ij.first) * n + ij.second] = c;
        d[static_cast<std::size_t>(ij.second) * n + ij.first] = c;
    }
    for (int k = 0; k < n; ++k)
        for (int i = 0; i < n; ++i) {
            const double dik = d[static_cast<std::size_t>(i) * n + k];
            if (dik == inf) continue;
            double* row = &d[static_cast<std::size_t>(i) * n];
            const double* via = &d[static_cast<std::size_t>(k) * n];
            for (int j = 0; j < n; ++j) row[j] = std::min(row[j], dik + via[j]);
        }
    std::vector<coverage_matrix::entry> entries;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
            entries.push_back({static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(i), d[static_cast<std::size_t>(i) * n + j]});
    inst.m = coverage_matrix::from_entries(n, std::vector<double>(n, 1.0), std::vector<std::uint8_t>(n, 0), entries);
    return inst;
}

std::map<std::string, double> published_optima(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // header
    std::map<std::string, double> out;
    std::string name;
    double value = 0;
    while (in >> name >> value) out[name] = value;
    return out;
}

}  // namespace

TEST_CASE("min-distance on OR-Library pmed1-pmed40 against the published optima", "[opt][orlib][slow]") {
    const std::string optima_file = test::shared_data("orlib/pmedopt.txt");
    if (optima_file.empty()) return;
    const auto optima = published_optima(optima_file);
    REQUIRE(optima.size() == 40);
    for (int k = 1; k <= 40; ++k) {
        const std::string name = "pmed" + std::to_string(k);
        const pmed_instance inst = read_pmed(test::shared_data("orlib/" + name + ".txt"));
        const double optimum = optima.at(name);
        siting_options o;
        o.sites = inst.p;
        o.exact_below = 0;  // the heuristic alone
        const auto t0 = std::chrono::steady_clock::now();
        const siting_result r = min_distance(inst.m, std::vector<double>(inst.n, std::numeric_limits<double>::infinity()), o);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s n %d p %d: heuristic %.0f, optimum %.0f (%.3f %%), bound %.1f, %.2f s\n", name.c_str(), inst.n, inst.p,
                    r.objective, optimum, 100 * (r.objective - optimum) / optimum, r.bound, s);
        INFO(name);
        CHECK(r.objective >= optimum);
        CHECK(r.bound <= optimum + 1e-6);
        CHECK(r.objective <= optimum * 1.005);  // within 0.5 %
    }
}
