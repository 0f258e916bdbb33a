// The coverage job as another program calls it: people within the standard of a service.
// Usage: coverage_ratio ROADS POPULATION FACILITIES SERVICE
#include <healthreach/error.hpp>
#include <healthreach/geo/analysis.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s ROADS POPULATION FACILITIES SERVICE\n", argv[0]);
        return 2;
    }
    healthreach::geo::analysis_options request;
    request.roads = argv[1];
    request.population = argv[2];
    request.facilities = argv[3];
    request.service = argv[4];
    request.service_areas = false;  // the totals only
    try {
        const auto a = healthreach::geo::run_analysis(request);
        const auto& t = a->total;
        const double base = t.population - t.off_network - t.not_applicable;
        std::printf("%s: %.0f of %.0f people covered (%.4f)\n", request.service.c_str(), t.covered, base,
                    base > 0 ? t.covered / base : 0.0);
        return 0;
    } catch (const healthreach::input_error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}
