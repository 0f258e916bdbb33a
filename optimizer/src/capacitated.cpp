// The capacitated family: max-cover where every site serves at most its capacity, solved on maximum
// flows (allocate_capacity) and an arc-based MILP.
#include "model_builder.hpp"
#include "siting_common.hpp"

namespace healthreach::opt {

using namespace detail;

siting_result capacitated_max_cover(const coverage_matrix& m, const std::vector<double>& cap,
                                    const allocation_problem& existing, const siting_options& o) {
    check_sites("max-cover (capacitated)", o.sites, m.candidate_count());
    const std::size_t nc = m.candidate_count(), n = static_cast<std::size_t>(o.sites);
    const std::uint32_t ne = static_cast<std::uint32_t>(existing.capacity.size());
    // People served by the existing sites and the open candidates.
    auto serve = [&](const std::vector<std::uint32_t>& open) {
        allocation_problem p = existing;
        p.demand = m.population;
        for (std::size_t k = 0; k < open.size(); ++k) {
            p.capacity.push_back(cap[open[k]]);
            for (coverage_matrix::sparse::InnerIterator it(m.cost, open[k]); it; ++it)
                if (m.population[it.row()] > 0)
                    p.arcs.push_back({ne + static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(it.row()), it.value()});
        }
        return allocate_capacity(p, false);
    };
    // Greedy on an optimistic gain (capacity, or the unserved people in reach), each step re-solved.
    std::vector<std::uint32_t> chosen;
    allocation_result now = serve(chosen);
    auto estimate = [&](std::uint32_t j, const allocation_result& a) {
        double free = 0;
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) free += std::max(0.0, m.population[it.row()] - a.point_served[it.row()]);
        return std::min(cap[j], free);
    };
    std::vector<std::uint8_t> open(nc, 0);
    for (std::size_t step = 0; step < n; ++step) {
        std::uint32_t best = 0;
        double best_gain = -1;
        for (std::uint32_t j = 0; j < nc; ++j) {
            if (open[j]) continue;
            if (const double g = estimate(j, now); g > best_gain) best_gain = g, best = j;
        }
        open[best] = 1;
        chosen.push_back(best);
        now = serve(chosen);
    }
    // One round of replacements: each site against the best estimate without it.
    for (std::size_t k = 0; k < chosen.size(); ++k) {
        std::vector<std::uint32_t> without(chosen);
        without.erase(without.begin() + static_cast<std::ptrdiff_t>(k));
        const allocation_result base = serve(without);
        std::uint32_t best = chosen[k];
        double best_gain = -1;
        for (std::uint32_t j = 0; j < nc; ++j) {
            if (open[j] && j != chosen[k]) continue;
            if (const double g = estimate(j, base); g > best_gain) best_gain = g, best = j;
        }
        if (best == chosen[k]) continue;
        without.insert(without.begin() + static_cast<std::ptrdiff_t>(k), best);
        const allocation_result trial = serve(without);
        if (trial.served > now.served + 1e-9 * std::max(1.0, now.served)) {
            open[chosen[k]] = 0, open[best] = 1;
            chosen = without;
            now = trial;
        }
    }
    // Bound and exact model: x per candidate arc, x per existing arc, then y_j. Rows: points
    // (sum x <= w), candidates (sum x - K y <= 0), existing sites (sum x <= K), sum y = N, and with few
    // arcs x_ij - w_i y_j <= 0, one per candidate arc: a much tighter relaxation.
    const int np = static_cast<int>(m.demand_count()), ncand = static_cast<int>(nc);
    std::size_t arcs = 0;
    for (int j = 0; j < ncand; ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) arcs += m.population[it.row()] > 0;
    const bool strong = arcs <= 300000;
    model_builder model;
    for (int i = 0; i < np; ++i) model.add_row(-COIN_DBL_MAX, m.population[i]);
    const int candidate_row0 = model.add_rows(ncand, -COIN_DBL_MAX, 0);
    const int existing_row0 = model.rows();
    for (std::uint32_t e = 0; e < ne; ++e) model.add_row(-COIN_DBL_MAX, existing.capacity[e]);
    const int sites_row = model.add_row(static_cast<double>(n), static_cast<double>(n));
    const int link_row0 = model.add_rows(strong ? static_cast<int>(arcs) : 0, -COIN_DBL_MAX, 0);
    for (int j = 0, link = 0; j < ncand; ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) {
            if (m.population[it.row()] <= 0) continue;
            model.add_column(0, COIN_DBL_MAX, -1.0);
            model.add(static_cast<int>(it.row()), 1.0);
            model.add(candidate_row0 + j, 1.0);
            if (strong) model.add(link_row0 + link++, 1.0);
        }
    for (const auto& arc : existing.arcs) {
        if (m.population[arc.point] <= 0) continue;
        model.add_column(0, COIN_DBL_MAX, -1.0);
        model.add(static_cast<int>(arc.point), 1.0);
        model.add(existing_row0 + static_cast<int>(arc.site), 1.0);
    }
    // The y columns come last: their link rows follow the arcs' numbering.
    const int y0 = model.columns();
    for (int j = 0, link = 0; j < ncand; ++j) {
        model.add_column(0, 1, 0, true);
        model.add(candidate_row0 + j, -cap[j]);
        model.add(sites_row, 1.0);
        if (!strong) continue;
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
            if (m.population[it.row()] > 0) model.add(link_row0 + link++, -m.population[it.row()]);
    }
    siting_result r;
    r.solver = "greedy+replace";
    double bound = -lp_bound(model, "max-cover (capacitated)");
    if (o.exact || nc * m.demand_count() < o.exact_below) {
        say(o, "max-cover (capacitated): exact MILP (CBC)");
        const milp_result c = model.solve_milp(o.time_limit_s);
        bound = std::min(bound, -c.bound);
        if (!c.solution.empty()) {
            const std::vector<std::uint32_t> alt = ones_of(c.solution, nc, static_cast<std::size_t>(y0));
            const allocation_result trial = serve(alt);
            if (alt.size() == n && trial.served > now.served) chosen = alt, now = trial;
        }
        r.solver = c.optimal ? "cbc" : "cbc (time limit)";
    }
    // Ranks in the order chosen; each site's gain is what removing it would lose.
    for (std::size_t k = 0; k < chosen.size(); ++k) {
        std::vector<std::uint32_t> without(chosen);
        without.erase(without.begin() + static_cast<std::ptrdiff_t>(k));
        r.gain.push_back(now.served - serve(without).served);
    }
    r.selected = chosen;
    r.covered = now.served;
    r.objective = now.served;
    r.bound = std::max(bound, now.served);
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

}  // namespace healthreach::opt
