#pragma once
// Which sites cover which demand points: a sparse matrix (demand x site) of costs within the limit.
// Plain data only; the optimizer knows nothing of GDAL or the network.
#include <Eigen/SparseCore>

#include <cstdint>
#include <vector>

namespace healthreach::opt {

struct coverage_matrix {
    Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t> cost;  // rows: demand, cols: sites
    std::vector<double> population;                                    // per demand point

    std::size_t demand_count() const { return population.size(); }
    std::size_t site_count() const { return static_cast<std::size_t>(cost.cols()); }
};

// Population covered by at least one of the open sites.
double covered_population(const coverage_matrix& m, const std::vector<std::uint32_t>& open_sites);

}  // namespace healthreach::opt
