#include "healthreach/geo/network_export.hpp"

#include "healthreach/geo/standards.hpp"

namespace healthreach::geo {

graph_result run_network(const network_request& r, const job_callbacks& cb) {
    cb.advance("standards", 0.0);
    const standards rules = load_standards(r.standards_file);
    const profile& prof = rules.profile_named(r.profile);
    cb.advance("graph", 0.05);
    graph_result g = load_or_build_graph({r.roads, r.read, prof, r.build, r.crs}, r.graph_cache);
    cb.advance("done", 1.0);
    return g;
}

}  // namespace healthreach::geo
