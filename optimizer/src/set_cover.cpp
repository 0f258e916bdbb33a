#include "set_cover.hpp"

#include "siting_common.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <utility>

namespace healthreach::opt::detail {

namespace {

constexpr double tolerance = 1e-9;

// Columns of a row (or rows of a column) still in play, and how many.
struct alive_lists {
    std::vector<std::uint8_t> row, col;
    std::vector<std::uint32_t> row_len, col_len;
};

}  // namespace

covering_reduction reduce_covering(const reduced_problem& p, const std::vector<double>& cost) {
    const std::size_t nr = p.rows(), nc = p.candidates;
    covering_reduction out;
    for (double c : cost) out.integral_costs = out.integral_costs && c == std::floor(c);
    alive_lists a;
    a.row.assign(nr, 1);
    a.col.assign(nc, 1);
    a.row_len.resize(nr);
    a.col_len.resize(nc);
    for (std::size_t r = 0; r < nr; ++r) a.row_len[r] = static_cast<std::uint32_t>(p.row_first[r + 1] - p.row_first[r]);
    for (std::size_t j = 0; j < nc; ++j) a.col_len[j] = static_cast<std::uint32_t>(p.col_first[j + 1] - p.col_first[j]);
    auto kill_row = [&](std::uint32_t r) {
        a.row[r] = 0;
        for (auto k = p.row_first[r]; k < p.row_first[r + 1]; ++k) --a.col_len[p.row_cols[k]];
    };
    auto kill_col = [&](std::uint32_t j) {
        a.col[j] = 0;
        for (auto k = p.col_first[j]; k < p.col_first[j + 1]; ++k) --a.row_len[p.col_rows[k]];
    };
    std::vector<std::uint32_t> col_mark(nc, 0), row_mark(nr, 0), order;
    std::uint32_t stamp = 0;
    for (bool changed = true; changed;) {
        changed = false;
        // A row only one column covers forces it; columns left without rows go.
        for (std::uint32_t r = 0; r < nr; ++r) {
            if (!a.row[r] || a.row_len[r] != 1) continue;
            std::uint32_t j = 0;
            for (auto k = p.row_first[r]; k < p.row_first[r + 1]; ++k)
                if (a.col[p.row_cols[k]]) j = p.row_cols[k];
            out.forced.push_back(j);
            out.forced_cost += cost[j];
            for (auto k = p.col_first[j]; k < p.col_first[j + 1]; ++k)
                if (a.row[p.col_rows[k]]) kill_row(p.col_rows[k]);
            kill_col(j);
            changed = true;
        }
        for (std::uint32_t j = 0; j < nc; ++j)
            if (a.col[j] && a.col_len[j] == 0) a.col[j] = 0;
        // Rows holding every column of another row: covering the other covers them. Shorter rows first,
        // so that of two equal rows the first stays.
        order.clear();
        for (std::uint32_t r = 0; r < nr; ++r)
            if (a.row[r]) order.push_back(r);
        std::sort(order.begin(), order.end(),
                  [&](std::uint32_t x, std::uint32_t y) { return std::make_pair(a.row_len[x], x) < std::make_pair(a.row_len[y], y); });
        for (std::uint32_t r : order) {
            if (!a.row[r]) continue;
            ++stamp;
            std::uint32_t pivot = 0, pivot_len = std::numeric_limits<std::uint32_t>::max();
            for (auto k = p.row_first[r]; k < p.row_first[r + 1]; ++k) {
                const std::uint32_t j = p.row_cols[k];
                if (!a.col[j]) continue;
                col_mark[j] = stamp;
                if (a.col_len[j] < pivot_len) pivot_len = a.col_len[j], pivot = j;
            }
            for (auto q = p.col_first[pivot]; q < p.col_first[pivot + 1]; ++q) {
                const std::uint32_t s = p.col_rows[q];
                if (s == r || !a.row[s] || a.row_len[s] < a.row_len[r]) continue;
                std::uint32_t shared = 0;
                for (auto k = p.row_first[s]; k < p.row_first[s + 1]; ++k) shared += col_mark[p.row_cols[k]] == stamp;
                if (shared == a.row_len[r]) kill_row(s), changed = true;
            }
        }
        // Columns whose rows another column covers at no greater cost (of two equal, the first stays).
        for (std::uint32_t j = 0; j < nc; ++j) {
            if (!a.col[j]) continue;
            ++stamp;
            std::uint32_t pivot = 0, pivot_len = std::numeric_limits<std::uint32_t>::max();
            for (auto k = p.col_first[j]; k < p.col_first[j + 1]; ++k) {
                const std::uint32_t r = p.col_rows[k];
                if (!a.row[r]) continue;
                row_mark[r] = stamp;
                if (a.row_len[r] < pivot_len) pivot_len = a.row_len[r], pivot = r;
            }
            for (auto q = p.row_first[pivot]; q < p.row_first[pivot + 1]; ++q) {
                const std::uint32_t k = p.row_cols[q];
                if (k == j || !a.col[k] || a.col_len[k] < a.col_len[j] || cost[k] > cost[j]) continue;
                if (cost[k] == cost[j] && a.col_len[k] == a.col_len[j] && k > j) continue;
                std::uint32_t shared = 0;
                for (auto t = p.col_first[k]; t < p.col_first[k + 1]; ++t) shared += row_mark[p.col_rows[t]] == stamp;
                if (shared == a.col_len[j]) {
                    kill_col(j), changed = true;
                    break;
                }
            }
        }
        // Columns dearer than the cheapest other covers of their rows together (Beasley 1987): removing
        // them all at once is safe, for each would be replaced by strictly cheaper ones.
        std::vector<double> min1(nr, std::numeric_limits<double>::infinity()), min2(min1);
        std::vector<std::uint32_t> argmin(nr, 0);
        for (std::uint32_t r = 0; r < nr; ++r) {
            if (!a.row[r]) continue;
            for (auto k = p.row_first[r]; k < p.row_first[r + 1]; ++k) {
                const std::uint32_t j = p.row_cols[k];
                if (!a.col[j]) continue;
                if (cost[j] < min1[r]) min2[r] = min1[r], min1[r] = cost[j], argmin[r] = j;
                else if (cost[j] < min2[r]) min2[r] = cost[j];
            }
        }
        std::vector<std::uint32_t> dear;
        for (std::uint32_t j = 0; j < nc; ++j) {
            if (!a.col[j]) continue;
            double others = 0;
            for (auto k = p.col_first[j]; k < p.col_first[j + 1]; ++k) {
                const std::uint32_t r = p.col_rows[k];
                if (a.row[r]) others += argmin[r] == j ? min2[r] : min1[r];
            }
            if (cost[j] > others + tolerance * std::max(1.0, cost[j])) dear.push_back(j);
        }
        for (std::uint32_t j : dear) kill_col(j), changed = true;
    }
    // The core, renumbered.
    set_cover_instance& core = out.core;
    std::vector<std::uint32_t> new_row(nr, 0), new_col(nc, 0);
    std::uint32_t rows = 0;
    for (std::uint32_t r = 0; r < nr; ++r)
        if (a.row[r]) new_row[r] = rows++;
    for (std::uint32_t j = 0; j < nc; ++j) {
        if (!a.col[j]) continue;
        new_col[j] = static_cast<std::uint32_t>(core.cost.size());
        core.cost.push_back(cost[j]);
        core.column_of.push_back(j);
        for (auto k = p.col_first[j]; k < p.col_first[j + 1]; ++k)
            if (a.row[p.col_rows[k]]) core.col_rows.push_back(new_row[p.col_rows[k]]);
        core.col_first.push_back(core.col_rows.size());
    }
    for (std::uint32_t r = 0; r < nr; ++r) {
        if (!a.row[r]) continue;
        for (auto k = p.row_first[r]; k < p.row_first[r + 1]; ++k)
            if (a.col[p.row_cols[k]]) core.row_cols.push_back(new_col[p.row_cols[k]]);
        core.row_first.push_back(core.row_cols.size());
    }
    return out;
}

namespace {

// A cover of the core's rows and its local search: redundant columns out (dearest first), then moves
// that bring one column in and take out every column it makes redundant, when they cost less — a
// cheaper column for one (swap 1-1), one column for two or more (2-for-1). Per row, the sum of the ids
// of the columns covering it gives the sole one where one covers it (Resende and Werneck's bookkeeping).
class cover_search {
public:
    explicit cover_search(const set_cover_instance& c)
        : c_(c), count_(c.rows()), owners_(c.rows()), in_(c.columns()), unique_(c.columns()), extra_(c.columns()) {}

    // Improves the cover `sol` in place; its cost.
    double improve(std::vector<std::uint32_t>& sol) {
        std::fill(count_.begin(), count_.end(), 0u);
        std::fill(owners_.begin(), owners_.end(), 0u);
        std::fill(in_.begin(), in_.end(), 0);
        for (std::uint32_t j : sol) add(j);
        drop_redundant(sol);
        for (int pass = 0; pass < 100 && move_pass(); ++pass) {
        }
        sol.clear();
        double total = 0;
        for (std::uint32_t j = 0; j < c_.columns(); ++j)
            if (in_[j]) sol.push_back(j), total += c_.cost[j];
        return total;
    }

private:
    void add(std::uint32_t j) {
        in_[j] = 1;
        for (auto k = c_.col_first[j]; k < c_.col_first[j + 1]; ++k) ++count_[c_.col_rows[k]], owners_[c_.col_rows[k]] += j;
    }
    void remove(std::uint32_t j) {
        in_[j] = 0;
        for (auto k = c_.col_first[j]; k < c_.col_first[j + 1]; ++k) --count_[c_.col_rows[k]], owners_[c_.col_rows[k]] -= j;
    }
    bool redundant(std::uint32_t j) const {
        for (auto k = c_.col_first[j]; k < c_.col_first[j + 1]; ++k)
            if (count_[c_.col_rows[k]] < 2) return false;
        return true;
    }
    // Takes out the redundant columns among `list` (open), dearest first; the cost taken out.
    double drop_redundant(std::vector<std::uint32_t> list) {
        std::sort(list.begin(), list.end(), [&](std::uint32_t x, std::uint32_t y) {
            return c_.cost[x] != c_.cost[y] ? c_.cost[x] > c_.cost[y] : x < y;
        });
        double saved = 0;
        dropped_.clear();
        for (std::uint32_t j : list)
            if (in_[j] && redundant(j)) remove(j), saved += c_.cost[j], dropped_.push_back(j);
        return saved;
    }
    // One pass over the closed columns; whether a move was made.
    bool move_pass() {
        count_unique();
        bool moved = false;
        for (std::uint32_t k = 0; k < c_.columns(); ++k) {
            if (in_[k]) continue;
            touched_.clear();
            for (auto q = c_.col_first[k]; q < c_.col_first[k + 1]; ++q) {
                const std::uint32_t r = c_.col_rows[q];
                if (count_[r] != 1) continue;
                const auto s = static_cast<std::uint32_t>(owners_[r]);
                if (extra_[s]++ == 0) touched_.push_back(s);
            }
            double freed = 0;
            freeable_.clear();
            for (std::uint32_t s : touched_) {
                if (extra_[s] == unique_[s]) freeable_.push_back(s), freed += c_.cost[s];
                extra_[s] = 0;
            }
            if (freed <= c_.cost[k] + tolerance * std::max(1.0, c_.cost[k])) continue;
            add(k);
            const double saved = drop_redundant(freeable_);
            if (saved > c_.cost[k] + tolerance * std::max(1.0, c_.cost[k])) {
                moved = true;
                count_unique();
            } else {
                for (std::uint32_t s : dropped_) add(s);
                remove(k);
            }
        }
        return moved;
    }
    void count_unique() {
        std::fill(unique_.begin(), unique_.end(), 0u);
        for (std::size_t r = 0; r < c_.rows(); ++r)
            if (count_[r] == 1) ++unique_[owners_[r]];
    }

    const set_cover_instance& c_;
    std::vector<std::uint32_t> count_;
    std::vector<std::uint64_t> owners_;
    std::vector<std::uint8_t> in_;
    std::vector<std::uint32_t> unique_, extra_, touched_, freeable_, dropped_;
};

// The primal heuristic of Caprara, Fischetti and Toth: covers the active rows with free columns,
// taking each time the column of least score, where a column's Lagrangian cost over the rows it would
// newly cover, gamma, and their number, mu, give gamma / mu when gamma > 0 and gamma * mu otherwise.
// Scores only rise as rows get covered, so a lazy heap finds the least.
std::vector<std::uint32_t> lagrangian_greedy(const set_cover_instance& c, const std::vector<double>& u,
                                             const std::vector<std::uint8_t>& row_active, const std::vector<std::uint8_t>& col_free) {
    const std::size_t m = c.rows(), n = c.columns();
    std::vector<std::uint32_t> mu(n, 0);
    std::vector<double> gamma(n, 0.0);
    std::vector<std::uint8_t> covered(m);
    std::size_t left = 0;
    for (std::size_t r = 0; r < m; ++r) covered[r] = !row_active[r], left += row_active[r];
    for (std::uint32_t j = 0; j < n; ++j) {
        if (!col_free[j]) continue;
        gamma[j] = c.cost[j];
        for (auto k = c.col_first[j]; k < c.col_first[j + 1]; ++k)
            if (row_active[c.col_rows[k]]) ++mu[j], gamma[j] -= u[c.col_rows[k]];
    }
    auto score = [&](std::uint32_t j) { return gamma[j] > 0 ? gamma[j] / mu[j] : gamma[j] * mu[j]; };
    using entry = std::pair<double, std::uint32_t>;
    std::vector<entry> heap;  // a min-heap on (score, column)
    heap.reserve(n);
    for (std::uint32_t j = 0; j < n; ++j)
        if (col_free[j] && mu[j] > 0) heap.emplace_back(score(j), j);
    std::make_heap(heap.begin(), heap.end(), std::greater<entry>());
    std::vector<std::uint32_t> sol;
    while (left > 0 && !heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), std::greater<entry>());
        const auto [s, j] = heap.back();
        heap.pop_back();
        if (mu[j] == 0) continue;
        if (const double now = score(j); now > s) {
            heap.emplace_back(now, j);
            std::push_heap(heap.begin(), heap.end(), std::greater<entry>());
            continue;
        }
        sol.push_back(j);
        for (auto k = c.col_first[j]; k < c.col_first[j + 1]; ++k) {
            const std::uint32_t r = c.col_rows[k];
            if (covered[r]) continue;
            covered[r] = 1;
            --left;
            for (auto q = c.row_first[r]; q < c.row_first[r + 1]; ++q) {
                const std::uint32_t o = c.row_cols[q];
                if (col_free[o]) --mu[o], gamma[o] += u[r];
            }
        }
    }
    if (left > 0) throw std::logic_error("set covering: a row no free column covers");
    return sol;
}

// Row-weighting local search (after Gao, Weise and Li 2015, with scores per unit of cost for weighted
// instances): from a cover, take a column out and cover the rows left open one at a time, each step
// adding weight to the rows still open, so that the search leaves the plateaus where a pure descent
// stops. A column's score: outside the cover, the weight of the open rows it would cover; inside, minus
// the weight of the rows only it covers. Every cover met cheaper than `best` replaces it. The search
// stops after `steps` steps, `work_budget` list entries visited, or `stall` entries since the last
// cheaper cover (or the start); what it used, and whether it stopped on the stall.
struct weighting_run {
    long steps = 0;
    double work = 0;
    bool stalled = false;
};
weighting_run row_weighting_search(const set_cover_instance& c, std::vector<std::uint32_t>& best, double& best_cost, long steps,
                                   double work_budget, double stall, std::uint64_t seed) {
    const std::size_t m = c.rows(), n = c.columns();
    std::vector<std::uint32_t> count(m, 0), sol;
    std::vector<std::uint64_t> owners(m, 0);
    std::vector<std::int64_t> open_at(m, -1), sol_at(n, -1);
    std::vector<std::uint32_t> open_rows;
    std::vector<double> weight(m, 1.0), score(n, 0.0);
    std::vector<long> stamp(n, -1);
    double cost = 0, work = 0;  // work: list entries visited, the budget's measure
    double last_better = 0;     // work when `best` last improved
    for (std::uint32_t r = 0; r < m; ++r) open_at[r] = r, open_rows.push_back(r);
    for (std::uint32_t j = 0; j < n; ++j) score[j] = static_cast<double>(c.col_first[j + 1] - c.col_first[j]);
    auto close_row = [&](std::uint32_t r) {
        const auto at = static_cast<std::size_t>(open_at[r]);
        open_rows[at] = open_rows.back();
        open_at[open_rows[at]] = static_cast<std::int64_t>(at);
        open_rows.pop_back();
        open_at[r] = -1;
    };
    auto add = [&](std::uint32_t j) {
        sol_at[j] = static_cast<std::int64_t>(sol.size());
        sol.push_back(j);
        cost += c.cost[j];
        double unique = 0;
        work += static_cast<double>(c.col_first[j + 1] - c.col_first[j]);
        for (auto k = c.col_first[j]; k < c.col_first[j + 1]; ++k) {
            const std::uint32_t r = c.col_rows[k];
            if (count[r] == 0) {
                work += static_cast<double>(c.row_first[r + 1] - c.row_first[r]);
                for (auto q = c.row_first[r]; q < c.row_first[r + 1]; ++q) score[c.row_cols[q]] -= weight[r];
                close_row(r);
                unique += weight[r];
            } else if (count[r] == 1) {
                score[owners[r]] += weight[r];
            }
            ++count[r], owners[r] += j;
        }
        score[j] = -unique;
    };
    auto remove = [&](std::uint32_t j) {
        const auto at = static_cast<std::size_t>(sol_at[j]);
        sol[at] = sol.back();
        sol_at[sol[at]] = static_cast<std::int64_t>(at);
        sol.pop_back();
        sol_at[j] = -1;
        cost -= c.cost[j];
        double opened = 0;
        work += static_cast<double>(c.col_first[j + 1] - c.col_first[j]);
        for (auto k = c.col_first[j]; k < c.col_first[j + 1]; ++k) {
            const std::uint32_t r = c.col_rows[k];
            --count[r], owners[r] -= j;
            if (count[r] == 0) {
                work += static_cast<double>(c.row_first[r + 1] - c.row_first[r]);
                for (auto q = c.row_first[r]; q < c.row_first[r + 1]; ++q) score[c.row_cols[q]] += weight[r];
                open_at[r] = static_cast<std::int64_t>(open_rows.size());
                open_rows.push_back(r);
                opened += weight[r];
            } else if (count[r] == 1) {
                score[owners[r]] -= weight[r];
            }
        }
        score[j] = opened;
    };
    // Per unit of cost; a column that costs nothing is never worth taking out and always worth adding.
    auto value = [&](std::uint32_t j) {
        if (c.cost[j] > 0) return score[j] / c.cost[j];
        return score[j] >= 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    };
    auto better = [&](std::uint32_t x, std::uint32_t y) {  // ties to the column left alone longest
        const double vx = value(x), vy = value(y);
        return vx != vy ? vx > vy : stamp[x] < stamp[y];
    };
    auto take_out = [&](std::uint32_t keep, long step) {
        std::int64_t pick = -1;
        work += static_cast<double>(sol.size());
        for (std::uint32_t j : sol)
            if (j != keep && (pick < 0 || better(j, static_cast<std::uint32_t>(pick)))) pick = j;
        if (pick < 0) return static_cast<std::uint32_t>(n);
        remove(static_cast<std::uint32_t>(pick));
        stamp[pick] = step;
        return static_cast<std::uint32_t>(pick);
    };
    for (std::uint32_t j : best) add(j);
    splitmix64 next;
    next.state += seed;
    auto last_added = static_cast<std::uint32_t>(n);
    long step = 0;
    for (; step < steps && work < work_budget; ++step) {
        // A stall ends the run, unless the last step completed a cheaper cover: the loop below keeps it.
        const bool cheaper_pending = open_rows.empty() && cost < best_cost - tolerance * std::max(1.0, best_cost);
        if (work - last_better >= stall && !cheaper_pending) return {step, work, true};
        while (open_rows.empty()) {
            if (cost < best_cost - tolerance * std::max(1.0, best_cost)) best = sol, best_cost = cost, last_better = work;
            if (take_out(static_cast<std::uint32_t>(n), step) == n) return {step, work, false};
        }
        const std::uint32_t out = take_out(last_added, step);
        const std::uint32_t r = open_rows[next() % open_rows.size()];
        std::int64_t pick = -1;
        for (auto q = c.row_first[r]; q < c.row_first[r + 1]; ++q) {
            const std::uint32_t k = c.row_cols[q];
            if (k != out && (pick < 0 || better(k, static_cast<std::uint32_t>(pick)))) pick = k;
        }
        if (pick < 0) pick = out;  // the row's only column
        add(static_cast<std::uint32_t>(pick));
        stamp[pick] = step;
        last_added = static_cast<std::uint32_t>(pick);
        for (std::uint32_t o : open_rows) {
            weight[o] += 1;
            work += static_cast<double>(c.row_first[o + 1] - c.row_first[o]);
            for (auto q = c.row_first[o]; q < c.row_first[o + 1]; ++q) score[c.row_cols[q]] += 1;
        }
    }
    if (open_rows.empty() && cost < best_cost - tolerance * std::max(1.0, best_cost)) best = sol, best_cost = cost;
    return {step, work, false};
}

}  // namespace

set_cover_outcome lagrangian_set_cover(const covering_reduction& red, const set_cover_effort& effort) {
    const set_cover_instance& c = red.core;
    const std::size_t m = c.rows(), n = c.columns();
    set_cover_outcome out;
    auto rounded = [&](double lb) { return red.integral_costs ? std::ceil(lb - 1e-6) : lb; };
    auto finish = [&](std::vector<std::uint32_t> core_sol, double core_cost, double lb) {
        out.core_chosen = core_sol;
        out.chosen = red.forced;
        for (std::uint32_t j : core_sol) out.chosen.push_back(c.column_of[j]);
        out.cost = red.forced_cost + core_cost;
        out.bound = std::min(out.cost, red.forced_cost + rounded(lb));
        return out;
    };
    if (m == 0) return finish({}, 0, 0);

    cover_search search(c);
    std::vector<std::uint8_t> row_active(m, 1), col_free(n, 1);
    std::vector<std::uint32_t> best = lagrangian_greedy(c, std::vector<double>(m, 0.0), row_active, col_free);
    double best_cost = search.improve(best);
    auto consider = [&](std::vector<std::uint32_t> sol) {
        const double cost = search.improve(sol);
        if (cost < best_cost - tolerance * std::max(1.0, best_cost)) {
            best = std::move(sol), best_cost = cost;
            return true;
        }
        return false;
    };

    // Multipliers start at each row's cheapest cost per row covered (Caprara, Fischetti and Toth).
    std::vector<double> u(m, std::numeric_limits<double>::infinity());
    for (std::uint32_t j = 0; j < n; ++j) {
        const double share = c.cost[j] / static_cast<double>(c.col_first[j + 1] - c.col_first[j]);
        for (auto k = c.col_first[j]; k < c.col_first[j + 1]; ++k) u[c.col_rows[k]] = std::min(u[c.col_rows[k]], share);
    }
    std::vector<double> u_global, reduced(n), step_dir(m);
    double lower = -std::numeric_limits<double>::infinity();
    double fixed_cost = 0;

    // Subgradient optimisation of the relaxation over the active rows and free columns: the best value
    // it reaches (a lower bound on the restricted optimum) with its multipliers left in u_best.
    auto subgradient = [&](int iterations, std::vector<double>& u_best) {
        double lambda = 2.0, best_value = -std::numeric_limits<double>::infinity();
        int stale = 0;
        for (int it = 0; it < iterations; ++it) {
            double value = 0;
            for (std::size_t r = 0; r < m; ++r)
                if (row_active[r]) value += u[r], step_dir[r] = 1;
            for (std::uint32_t j = 0; j < n; ++j) {
                if (!col_free[j]) continue;
                double rc = c.cost[j];
                for (auto k = c.col_first[j]; k < c.col_first[j + 1]; ++k) rc -= u[c.col_rows[k]];
                if (rc < 0) {
                    value += rc;
                    for (auto k = c.col_first[j]; k < c.col_first[j + 1]; ++k) step_dir[c.col_rows[k]] -= 1;
                }
            }
            if (value > best_value + 1e-9 * std::max(1.0, std::abs(best_value))) stale = 0;
            if (value > best_value) best_value = value, u_best = u;
            const double target = best_cost - fixed_cost;
            if (rounded(best_value) >= target - tolerance * std::max(1.0, target)) break;  // nothing better under this fixing
            if (it % effort.heuristic_every == effort.heuristic_every - 1) {
                std::vector<std::uint32_t> sol = lagrangian_greedy(c, u, row_active, col_free);
                for (std::uint32_t j = 0; j < n; ++j)
                    if (!col_free[j]) sol.push_back(j);
                consider(std::move(sol));
            }
            double norm = 0;
            for (std::size_t r = 0; r < m; ++r) {
                if (!row_active[r]) continue;
                if (u[r] <= 0 && step_dir[r] < 0) step_dir[r] = 0;  // a multiplier at zero cannot go lower
                norm += step_dir[r] * step_dir[r];
            }
            if (norm == 0) break;  // the relaxed answer covers every row once: optimal under this fixing
            const double step = lambda * std::max(target - value, 1e-3 * std::max(1.0, std::abs(target))) / norm;
            for (std::size_t r = 0; r < m; ++r)
                if (row_active[r]) u[r] = std::max(0.0, u[r] + step * step_dir[r]);
            // The step size halves after 30 steps without a better bound (Beasley 1990).
            if (++stale >= 30) lambda /= 2, stale = 0;
            if (lambda < 1e-4) break;
        }
        std::vector<std::uint32_t> sol = lagrangian_greedy(c, u_best, row_active, col_free);
        for (std::uint32_t j = 0; j < n; ++j)
            if (!col_free[j]) sol.push_back(j);
        consider(std::move(sol));
        return best_value;
    };

    // Phase 1 on the whole core gives the bound; then columns of the best cover, surest first (least
    // reduced cost under the bound's multipliers), are fixed in growing fractions and the rest solved
    // again (the refinement of Caprara et al.), the fraction back at its start whenever a round improves.
    double fraction = 0.3;
    std::vector<double> u_round;
    for (int round = 0; round <= effort.rounds; ++round) {
        std::fill(row_active.begin(), row_active.end(), 1);
        std::fill(col_free.begin(), col_free.end(), 1);
        fixed_cost = 0;
        if (round > 0) {
            if (rounded(lower) >= best_cost - tolerance * std::max(1.0, best_cost)) break;  // proven optimal
            std::vector<std::uint32_t> order = best;
            for (std::uint32_t j : order) {
                double rc = c.cost[j];
                for (auto k = c.col_first[j]; k < c.col_first[j + 1]; ++k) rc -= u_global[c.col_rows[k]];
                reduced[j] = rc;
            }
            std::sort(order.begin(), order.end(),
                      [&](std::uint32_t x, std::uint32_t y) { return reduced[x] != reduced[y] ? reduced[x] < reduced[y] : x < y; });
            const auto fix = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(order.size())));
            if (fix == 0 || fix >= order.size()) break;
            for (std::size_t k = 0; k < fix; ++k) {
                const std::uint32_t j = order[k];
                col_free[j] = 0;
                fixed_cost += c.cost[j];
                for (auto q = c.col_first[j]; q < c.col_first[j + 1]; ++q) row_active[c.col_rows[q]] = 0;
            }
            u = u_global;
            for (std::size_t r = 0; r < m; ++r)
                if (!row_active[r]) u[r] = 0;
        }
        const double before = best_cost;
        const double value = subgradient(round == 0 ? effort.first_iterations : effort.fixed_iterations, u_round);
        if (round == 0) lower = value, u_global = u_round;
        fraction = best_cost < before ? 0.3 : fraction * 1.3;
    }
    if (rounded(lower) < best_cost - tolerance * std::max(1.0, best_cost)) {
        // One budget for every run: a run that finds nothing cheaper for a share of it ends, and the next
        // starts again from the best cover with fresh weights and another seed.
        double work = std::max(effort.weighting_work, effort.weighting_work_per_row * static_cast<double>(m));
        const double stall = effort.weighting_restart_after * work;
        long steps = effort.weighting_steps;
        for (std::uint64_t seed = 0; steps > 0 && work > 0; ++seed) {
            const weighting_run run = row_weighting_search(c, best, best_cost, steps, work, stall, seed);
            steps -= run.steps, work -= run.work;
            if (!run.stalled || (run.steps == 0 && run.work <= 0)) break;  // the latter: nothing left to spend
            if (rounded(lower) >= best_cost - tolerance * std::max(1.0, best_cost)) break;
        }
        best_cost = search.improve(best);
    }
    return finish(best, best_cost, lower);
}

}  // namespace healthreach::opt::detail
