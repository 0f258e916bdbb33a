#pragma once
// Set-covering instances for the cover-all tests and bench/cover_all_bench.cpp: a lattice town built
// in code (deterministic) and OR-Library's scp files read from disk. Header-only, no test framework.
#include "healthreach/opt/coverage_matrix.hpp"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace healthreach::test {

struct cover_instance {
    opt::coverage_matrix m;
    std::vector<double> cost;  // per candidate (OR-Library's column costs; 1 for the lattice town)
};

// A town on a road lattice, 60 x 45 km: 1,200 candidate sites on a 1.5 km grid, each moved by up to
// 400 m, and demand on a 450 m grid (13,300 points). Distances run along the lattice (|dx| + |dy|);
// points within 10 km of the centre take the urban limit of 5 km, the others the rural 10 km. A
// regular plane where every site covers a similar diamond is where greedy covering is weakest.
inline cover_instance lattice_town() {
    std::uint64_t state = 20261127;
    auto next = [&state]() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(state >> 33);
    };
    std::vector<double> cx, cy;
    for (int j = 0; j < 30; ++j)
        for (int i = 0; i < 40; ++i) {
            cx.push_back(750.0 + 1500.0 * i + static_cast<double>(next() % 801) - 400.0);
            cy.push_back(750.0 + 1500.0 * j + static_cast<double>(next() % 801) - 400.0);
        }
    std::vector<double> population;
    std::vector<opt::coverage_matrix::entry> entries;
    for (int b = 0; b < 100; ++b)
        for (int a = 0; a < 133; ++a) {
            const double x = 225.0 + 450.0 * a, y = 225.0 + 450.0 * b;
            const bool urban = std::hypot(x - 30000.0, y - 22500.0) <= 10000.0;
            const double limit = urban ? 5000.0 : 10000.0;
            const auto point = static_cast<std::uint32_t>(population.size());
            population.push_back(urban ? 1500.0 + next() % 1000 : 20.0 + next() % 200);
            for (std::uint32_t c = 0; c < cx.size(); ++c)
                if (const double d = std::abs(x - cx[c]) + std::abs(y - cy[c]); d <= limit) entries.push_back({c, point, d});
        }
    cover_instance out;
    const std::size_t points = population.size();
    out.m = opt::coverage_matrix::from_entries(cx.size(), std::move(population), std::vector<std::uint8_t>(points, 0), entries);
    out.cost.assign(cx.size(), 1.0);
    return out;
}

// OR-Library set covering (Beasley): rows, columns, the columns' costs, then per row the number of
// columns covering it and their numbers (from 1). Rows become demand points of one person each.
inline cover_instance read_scp(const std::string& path) {
    std::ifstream in(path);
    std::size_t rows = 0, cols = 0;
    if (!(in >> rows >> cols) || rows == 0 || cols == 0) throw std::runtime_error(path + ": not an OR-Library scp file");
    cover_instance out;
    out.cost.resize(cols);
    for (double& c : out.cost) in >> c;
    std::vector<opt::coverage_matrix::entry> entries;
    for (std::uint32_t r = 0; r < rows; ++r) {
        std::size_t k = 0;
        in >> k;
        for (std::size_t q = 0; q < k; ++q) {
            std::uint32_t j = 0;
            in >> j;
            if (j < 1 || j > cols) throw std::runtime_error(path + ": column " + std::to_string(j) + " out of range");
            entries.push_back({j - 1, r, 0.0});
        }
    }
    if (!in) throw std::runtime_error(path + ": truncated");
    out.m = opt::coverage_matrix::from_entries(cols, std::vector<double>(rows, 1.0), std::vector<std::uint8_t>(rows, 0), entries);
    return out;
}

}  // namespace healthreach::test
