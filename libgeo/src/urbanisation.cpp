#include "healthreach/geo/urbanisation.hpp"

#include <algorithm>
#include <limits>

namespace healthreach::geo {

namespace {

// Labels the connected groups of `member` cells and keeps those whose people reach `min_total`.
std::vector<std::uint8_t> large_groups(const std::vector<std::uint8_t>& member, const std::vector<double>& people,
                                       int cols, int rows, bool eight, double min_total) {
    std::vector<int> group(member.size(), -1);
    std::vector<double> totals;
    std::vector<std::size_t> stack;
    for (std::size_t start = 0; start < member.size(); ++start) {
        if (!member[start] || group[start] >= 0) continue;
        const int g = static_cast<int>(totals.size());
        totals.push_back(0);
        group[start] = g;
        stack.assign(1, start);
        while (!stack.empty()) {
            const std::size_t i = stack.back();
            stack.pop_back();
            totals[g] += people[i];
            const int r = static_cast<int>(i / cols), c = static_cast<int>(i % cols);
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc) {
                    if ((dr == 0 && dc == 0) || (!eight && dr != 0 && dc != 0)) continue;
                    const int rr = r + dr, cc = c + dc;
                    if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
                    const std::size_t j = static_cast<std::size_t>(rr) * cols + cc;
                    if (member[j] && group[j] < 0) {
                        group[j] = g;
                        stack.push_back(j);
                    }
                }
        }
    }
    std::vector<std::uint8_t> keep(member.size(), 0);
    for (std::size_t i = 0; i < member.size(); ++i) keep[i] = group[i] >= 0 && totals[group[i]] >= min_total;
    return keep;
}

}  // namespace

urbanisation_grid degree_of_urbanisation(const population_grid& pop, const urbanisation_rules& rules) {
    urbanisation_grid u;
    u.cell_m = rules.cell_m;
    u.clusters_urban = rules.clusters_urban;
    if (pop.size() == 0) return u;
    std::int64_t c0 = std::numeric_limits<std::int64_t>::max(), r0 = c0, c1 = std::numeric_limits<std::int64_t>::min(), r1 = c1;
    for (std::size_t i = 0; i < pop.size(); ++i) {
        const auto c = static_cast<std::int64_t>(std::floor(pop.x[i] / u.cell_m));
        const auto r = static_cast<std::int64_t>(std::floor(pop.y[i] / u.cell_m));
        c0 = std::min(c0, c), c1 = std::max(c1, c), r0 = std::min(r0, r), r1 = std::max(r1, r);
    }
    u.col0 = c0;
    u.row0 = r0;
    u.cols = static_cast<int>(c1 - c0 + 1);
    u.rows = static_cast<int>(r1 - r0 + 1);
    const std::size_t n = static_cast<std::size_t>(u.cols) * u.rows;
    std::vector<double> people(n, 0.0);
    for (std::size_t i = 0; i < pop.size(); ++i) {
        const auto c = static_cast<std::int64_t>(std::floor(pop.x[i] / u.cell_m)) - c0;
        const auto r = static_cast<std::int64_t>(std::floor(pop.y[i] / u.cell_m)) - r0;
        people[static_cast<std::size_t>(r) * u.cols + c] += pop.people[i];
    }
    const double cell_km2 = u.cell_m * u.cell_m / 1e6;
    std::vector<std::uint8_t> dense(n), moderate(n);
    for (std::size_t i = 0; i < n; ++i) {
        dense[i] = people[i] / cell_km2 >= rules.centre_density;
        moderate[i] = people[i] / cell_km2 >= rules.cluster_density;
    }
    std::vector<std::uint8_t> centre = large_groups(dense, people, u.cols, u.rows, false, rules.centre_population);
    // Gap filling: a cell with enough of its 8 neighbours in a centre joins it, until nothing changes.
    for (bool changed = true; changed;) {
        changed = false;
        std::vector<std::uint8_t> next = centre;
        for (int r = 0; r < u.rows; ++r)
            for (int c = 0; c < u.cols; ++c) {
                const std::size_t i = static_cast<std::size_t>(r) * u.cols + c;
                if (centre[i]) continue;
                int around = 0;
                for (int dr = -1; dr <= 1; ++dr)
                    for (int dc = -1; dc <= 1; ++dc) {
                        const int rr = r + dr, cc = c + dc;
                        if ((dr || dc) && rr >= 0 && cc >= 0 && rr < u.rows && cc < u.cols)
                            around += centre[static_cast<std::size_t>(rr) * u.cols + cc];
                    }
                if (around >= rules.centre_gap_fill) {
                    next[i] = 1;
                    changed = true;
                }
            }
        centre.swap(next);
    }
    const std::vector<std::uint8_t> cluster = large_groups(moderate, people, u.cols, u.rows, true, rules.cluster_population);
    u.kind.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        if (centre[i]) {
            u.kind[i] = 2;
            ++u.centre_cells;
        } else if (cluster[i]) {
            u.kind[i] = 1;
            ++u.cluster_cells;
        }
    }
    return u;
}

}  // namespace healthreach::geo
