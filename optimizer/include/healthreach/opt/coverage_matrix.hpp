#pragma once
// Which candidate sites cover which demand points: a sparse matrix (demand x candidate) of costs
// within each point's limit, plus what the existing facilities already cover. Plain data only; the
// optimizer knows nothing of GDAL or the network.
#include <Eigen/SparseCore>

#include <cstdint>
#include <vector>

namespace healthreach::opt {

struct coverage_matrix {
    using sparse = Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t>;
    sparse cost;                                // rows: demand points, cols: candidates; stored = covers
    std::vector<double> population;             // per demand point
    std::vector<std::uint8_t> covered_by_existing;  // per demand point

    std::size_t demand_count() const { return population.size(); }
    std::size_t candidate_count() const { return static_cast<std::size_t>(cost.cols()); }

    // Builds the matrix from (candidate, point, cost) triplets.
    struct entry {
        std::uint32_t candidate, point;
        double cost;
    };
    static coverage_matrix from_entries(std::size_t candidates, std::vector<double> population,
                                        std::vector<std::uint8_t> covered_by_existing, const std::vector<entry>& entries);

    double existing_population() const;     // covered by the existing facilities
    double coverable_population() const;    // covered by existing or by any candidate
};

// Population covered by the existing facilities and the open candidates.
double covered_population(const coverage_matrix& m, const std::vector<std::uint32_t>& open_candidates);

}  // namespace healthreach::opt
