#include "healthreach/opt/coverage_matrix.hpp"

namespace healthreach::opt {

coverage_matrix coverage_matrix::from_entries(std::size_t candidates, std::vector<double> population,
                                              std::vector<std::uint8_t> covered_by_existing,
                                              const std::vector<entry>& entries) {
    coverage_matrix m;
    m.population = std::move(population);
    m.covered_by_existing = std::move(covered_by_existing);
    std::vector<Eigen::Triplet<double, std::int64_t>> triplets;
    triplets.reserve(entries.size());
    for (const entry& e : entries) triplets.emplace_back(e.point, e.candidate, e.cost);
    m.cost.resize(static_cast<std::int64_t>(m.population.size()), static_cast<std::int64_t>(candidates));
    m.cost.setFromTriplets(triplets.begin(), triplets.end(), [](double a, double b) { return std::min(a, b); });
    m.cost.makeCompressed();
    return m;
}

double coverage_matrix::existing_population() const {
    double sum = 0;
    for (std::size_t i = 0; i < population.size(); ++i)
        if (covered_by_existing[i]) sum += population[i];
    return sum;
}

double coverage_matrix::coverable_population() const {
    std::vector<std::uint8_t> any(covered_by_existing);
    for (std::int64_t j = 0; j < cost.outerSize(); ++j)
        for (sparse::InnerIterator it(cost, j); it; ++it) any[it.row()] = 1;
    double sum = 0;
    for (std::size_t i = 0; i < population.size(); ++i)
        if (any[i]) sum += population[i];
    return sum;
}

double covered_population(const coverage_matrix& m, const std::vector<std::uint32_t>& open_candidates) {
    std::vector<std::uint8_t> covered(m.covered_by_existing);
    for (std::uint32_t s : open_candidates)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, s); it; ++it) covered[it.row()] = 1;
    double sum = 0;
    for (std::size_t i = 0; i < covered.size(); ++i)
        if (covered[i]) sum += m.population[i];
    return sum;
}

}  // namespace healthreach::opt
