#include "healthreach/opt/coverage_matrix.hpp"

namespace healthreach::opt {

double covered_population(const coverage_matrix& m, const std::vector<std::uint32_t>& open_sites) {
    std::vector<char> covered(m.demand_count(), 0);
    for (std::uint32_t s : open_sites)
        for (decltype(m.cost)::InnerIterator it(m.cost, s); it; ++it) covered[it.row()] = 1;
    double sum = 0;
    for (std::size_t i = 0; i < covered.size(); ++i)
        if (covered[i]) sum += m.population[i];
    return sum;
}

}  // namespace healthreach::opt
