#include "healthreach/geo/evaluate.hpp"

#include "healthreach/error.hpp"

#include <algorithm>
#include <numeric>
#include <set>

namespace healthreach::geo {

namespace {

// Per admin unit (the last entry: points in no unit, or everyone without units), people covered by
// the existing facilities and by the existing plus the scenario's sites.
std::vector<scenario_row> compare_scenario(const analysis& a, const std::string& path) {
    point_options fields = a.options.facility_fields;
    fields.layer.clear();  // the scenario is a file of its own
    fields.layer_option = "a layer name";
    const candidate_set b = candidates_from_points(a, path, fields);
    const opt::coverage_matrix mb = candidate_matrix(a, b);
    std::vector<std::uint8_t> covered(mb.covered_by_existing);
    for (std::int64_t j = 0; j < mb.cost.outerSize(); ++j)
        for (opt::coverage_matrix::sparse::InnerIterator it(mb.cost, j); it; ++it) covered[it.row()] = 1;
    const std::size_t units = a.admin ? a.admin->size() : 0;
    std::vector<scenario_row> rows(units + 1);
    for (std::size_t u = 0; u < units; ++u) rows[u].name = a.admin->name[u];
    rows[units].name = a.admin ? "(outside every unit)" : "total";
    for (std::size_t d = 0; d < covered.size(); ++d) {
        const std::size_t u = a.admin && a.demand_unit[d] >= 0 ? static_cast<std::size_t>(a.demand_unit[d]) : units;
        rows[u].covered_existing += mb.covered_by_existing[d] ? mb.population[d] : 0;
        rows[u].covered_scenario += covered[d] ? mb.population[d] : 0;
    }
    if (a.admin && rows[units].covered_existing == 0 && rows[units].covered_scenario == 0) rows.pop_back();
    return rows;
}

}  // namespace

evaluate_result run_evaluate(const evaluate_request& r, const job_callbacks& cb) {
    if (r.candidates.empty()) throw input_error("--candidates is required");
    evaluate_result out;
    job_callbacks analysis_cb = cb;
    if (cb.progress) analysis_cb.progress = [&cb](const std::string& phase, double done) { return cb.progress(phase, 0.8 * done); };
    out.a = run_analysis(r.analysis, analysis_cb);
    const analysis& a = *out.a;

    cb.advance("candidates", 0.8);
    point_options fields = a.options.facility_fields;  // the type map with the standards' entries
    fields.layer = r.candidates_layer;
    fields.layer_option = "--candidates-layer";
    const candidate_set cand = candidates_from_points(a, r.candidates, fields);
    const opt::coverage_matrix m = candidate_matrix(a, cand);
    out.a->warnings.insert(out.a->warnings.end(), cand.warnings.begin(), cand.warnings.end());
    out.a->inputs.push_back(*cand.input);
    std::vector<std::set<int>> units(m.candidate_count());
    for (std::size_t s = 0; s < cand.sites.size(); ++s) {
        const std::uint32_t c = cand.candidate_of_site[s];
        candidate_evaluation e;
        e.id = cand.id[c];
        e.name = cand.name[c];
        e.x = cand.x[c];
        e.y = cand.y[c];
        out.candidates.push_back(std::move(e));
    }
    for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
        for (opt::coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) {
            const auto d = static_cast<std::size_t>(it.row());
            if (m.covered_by_existing[d] || m.population[d] <= 0) continue;
            out.candidates[j].gain += m.population[d];
            if (a.admin && a.demand_unit[d] >= 0) units[j].insert(a.demand_unit[d]);
        }
    for (std::size_t s = 0; s < out.candidates.size(); ++s)
        for (int u : units[s]) out.candidates[s].admin_units.push_back(a.admin->name[u]);
    out.order.resize(out.candidates.size());
    std::iota(out.order.begin(), out.order.end(), 0);
    std::stable_sort(out.order.begin(), out.order.end(),
                     [&](std::size_t x, std::size_t y) { return out.candidates[x].gain > out.candidates[y].gain; });
    for (std::size_t k = 0; k < out.order.size(); ++k) out.candidates[out.order[k]].rank = k + 1;

    if (!r.scenario.empty()) {
        cb.advance("scenario", 0.9);
        out.scenario = r.scenario;
        out.scenario_rows = compare_scenario(a, r.scenario);
    }
    return out;
}

}  // namespace healthreach::geo
