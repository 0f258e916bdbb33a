// healthreach evaluate: what each candidate adds over the existing facilities, and a scenario
// comparison per admin unit.
#include "cli.hpp"

#include "healthreach/geo/candidates.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/qgis_style.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <set>

namespace healthreach::cli {

namespace {

// People each candidate newly covers, and the admin units where they live.
struct candidate_gain {
    std::vector<double> gain;
    std::vector<std::set<int>> units;
};

candidate_gain gains(const geo::analysis& a, const opt::coverage_matrix& m) {
    candidate_gain g;
    g.gain.assign(m.candidate_count(), 0.0);
    g.units.resize(m.candidate_count());
    for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
        for (opt::coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) {
            const auto d = static_cast<std::size_t>(it.row());
            if (m.covered_by_existing[d] || m.population[d] <= 0) continue;
            g.gain[j] += m.population[d];
            if (a.admin && a.demand_unit[d] >= 0) g.units[j].insert(a.demand_unit[d]);
        }
    return g;
}

}  // namespace

command_runner add_evaluate_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("evaluate", "What each candidate site adds over the existing facilities");
    struct options {
        analysis_cli analysis;
        std::string candidates, scenario;
    };
    auto o = std::make_shared<options>();
    add_analysis_options(*cmd, o->analysis, true);
    cmd->add_option("--candidates", o->candidates, "Candidate sites: OGR point layer or CSV with lon/lat")->required();
    cmd->add_option("--scenario", o->scenario, "A second facilities layer: existing against existing plus it, per admin unit");

    return [o]() {
        const logger log(o->analysis.common.quiet);
        finish_analysis_options(o->analysis);
        const auto a = run_analysis_logged(o->analysis, log);
        const geo::candidate_set cand = geo::candidates_from_points(*a, o->candidates, o->analysis.analysis.facility_fields);
        const opt::coverage_matrix m = geo::candidate_matrix(*a, cand);
        const candidate_gain g = gains(*a, m);
        std::vector<std::size_t> order(m.candidate_count());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return g.gain[x] > g.gain[y]; });
        std::vector<std::size_t> rank(order.size());
        for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = k + 1;
        auto unit_names = [&](std::size_t s) {
            std::string names;
            for (int u : g.units[s]) names += (names.empty() ? "" : ", ") + a->admin->name[u];
            return names;
        };

        // Scenario: per admin unit, covered now and covered with the second layer's sites added.
        std::vector<double> now, then;
        if (!o->scenario.empty()) {
            const geo::candidate_set b = geo::candidates_from_points(*a, o->scenario, o->analysis.analysis.facility_fields);
            const opt::coverage_matrix mb = geo::candidate_matrix(*a, b);
            std::vector<std::uint8_t> covered(mb.covered_by_existing);
            for (std::int64_t j = 0; j < mb.cost.outerSize(); ++j)
                for (opt::coverage_matrix::sparse::InnerIterator it(mb.cost, j); it; ++it) covered[it.row()] = 1;
            const std::size_t units = a->admin ? a->admin->size() : 0;
            now.assign(units + 1, 0.0);
            then.assign(units + 1, 0.0);
            for (std::size_t d = 0; d < covered.size(); ++d) {
                const std::size_t u = a->admin && a->demand_unit[d] >= 0 ? static_cast<std::size_t>(a->demand_unit[d]) : units;
                now[u] += mb.covered_by_existing[d] ? mb.population[d] : 0;
                then[u] += covered[d] ? mb.population[d] : 0;
            }
        }

        geo::write_coverage_gpkg(*a, o->analysis.out, [&](GDALDataset& ds) {
            OGRLayer& layer = geo::create_layer(ds, "candidates", wkbPoint, &a->crs,
                                                {{"id", OFTString}, {"name", OFTString}, {"gain", OFTReal},
                                                 {"rank", OFTInteger}, {"gaining_units", OFTString}});
            geo::feature_ptr f(OGRFeature::CreateFeature(layer.GetLayerDefn()));
            for (std::size_t s = 0; s < cand.sites.size(); ++s) {
                const std::uint32_t c = cand.candidate_of_site[s];
                f->SetField("id", cand.id[c].c_str());
                f->SetField("name", cand.name[c].c_str());
                f->SetField("gain", g.gain[s]);
                f->SetField("rank", static_cast<GIntBig>(rank[s]));
                f->SetField("gaining_units", unit_names(s).c_str());
                OGRPoint p(cand.x[c], cand.y[c]);
                f->SetGeometry(&p);
                geo::add_feature(layer, *f);
            }
            geo::qgis::add_default_style(ds, "candidates",
                                         geo::qgis::single({geo::qgis::symbol::marker, "152,78,163,255", 3.5, "triangle"}, "id"));
            if (now.empty()) return;
            OGRLayer& table = geo::create_layer(ds, "scenario", wkbNone, nullptr,
                                                {{"name", OFTString}, {"covered_existing", OFTReal},
                                                 {"covered_scenario", OFTReal}, {"gain", OFTReal}});
            f.reset(OGRFeature::CreateFeature(table.GetLayerDefn()));
            for (std::size_t u = 0; u < now.size(); ++u) {
                const bool outside = u + 1 == now.size();
                if (outside && now[u] == 0 && then[u] == 0 && a->admin) continue;
                f->SetField("name", outside ? (a->admin ? "(outside every unit)" : "total") : a->admin->name[u].c_str());
                f->SetField("covered_existing", now[u]);
                f->SetField("covered_scenario", then[u]);
                f->SetField("gain", then[u] - now[u]);
                geo::add_feature(table, *f);
            }
        });
        if (!o->analysis.travel_raster.empty()) geo::write_travel_raster(*a, o->analysis.travel_raster);
        write_presentations(o->analysis.present, analysis_presentation(o->analysis, *a, "evaluate"));
        log.info("evaluate: ", cand.sites.size(), " candidates on the network; best gain ",
                 order.empty() ? 0.0 : g.gain[order[0]], " people");
        if (o->analysis.json) {
            geo::json_writer j;
            j.begin_object();
            geo::write_coverage_json(*a, j, HEALTHREACH_VERSION);
            j.key("candidates").begin_array();
            for (std::size_t s : order) {
                const std::uint32_t c = cand.candidate_of_site[s];
                j.begin_object().field("id", cand.id[c]).field("name", cand.name[c]).field("gain", g.gain[s]);
                j.field("rank", rank[s]);
                j.key("admin_units").begin_array();
                for (int u : g.units[s]) j.value(a->admin->name[u]);
                j.end_array().end_object();
            }
            j.end_array();
            if (!now.empty()) {
                j.key("scenario").begin_object().field("layer", o->scenario).key("by_admin").begin_array();
                for (std::size_t u = 0; u < now.size(); ++u) {
                    const bool outside = u + 1 == now.size();
                    if (outside && now[u] == 0 && then[u] == 0 && a->admin) continue;
                    j.begin_object().field("name", outside ? (a->admin ? "(outside every unit)" : "total") : a->admin->name[u]);
                    j.field("covered_existing", now[u]).field("covered_scenario", then[u]).field("gain", then[u] - now[u]).end_object();
                }
                j.end_array().end_object();
            }
            j.end_object();
            std::printf("%s\n", j.str().c_str());
        }
        return 0;
    };
}

}  // namespace healthreach::cli
