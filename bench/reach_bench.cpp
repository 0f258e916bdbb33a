// Repeats `healthreach reach`'s compute phase (bounded reach from each source alone) to time it
// without process start-up and graph loading: the figure to profile (perf, callgrind) and compare.
// Usage: healthreach_reach_bench GRAPH.gpkg SOURCES.csv LIMIT [REPEATS] [THREADS]
#include "healthreach/geo/graph_io.hpp"
#include "healthreach/geo/reach.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
    using namespace healthreach::geo;
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s GRAPH.gpkg SOURCES.csv LIMIT [REPEATS] [THREADS]\n", argv[0]);
        return 2;
    }
    const network net = read_network(argv[1]);
    std::vector<node_id> sources;
    std::ifstream in(argv[2]);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line))
        if (!line.empty()) sources.push_back(static_cast<node_id>(std::stoul(line)));
    const double limit = std::stod(argv[3]);
    const int repeats = argc > 4 ? std::stoi(argv[4]) : 20;
    const unsigned threads = argc > 5 ? static_cast<unsigned>(std::stoi(argv[5])) : std::thread::hardware_concurrency();
    const router r(net, metric::length);
    std::vector<bounded_search> searches = search_engines(r, threads);
    std::vector<double> times;
    std::size_t rows = 0;
    for (int k = 0; k < repeats; ++k) {
        const auto t0 = std::chrono::steady_clock::now();
        const reach_table table = reach_from_each(searches, sources, limit);
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        rows = table.size();
    }
    const double first = times.front();  // the run with cold rows, as `healthreach reach` makes it
    std::sort(times.begin(), times.end());
    std::printf("rows %zu; %d repeats on %u threads: first %.4f s, min %.4f s, median %.4f s; %.3g settled nodes/s/core (median)\n",
                rows, repeats, threads, first, times.front(), times[times.size() / 2], rows / times[times.size() / 2] / threads);
}
