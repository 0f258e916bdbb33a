// cover_all_bench [--time-limit S] INSTANCE...: opt::cover_all on each instance, first the heuristic
// alone (what --heuristic runs), then the default run (CBC from the heuristic's answer within the time
// limit when the gap calls for it). INSTANCE is `lattice` (the lattice town of tests/opt) or an
// OR-Library scp file. One line per run: value, bound, gap, solver, wall and CPU seconds.
// bench/cover_all.sh builds it against main's optimizer and against this tree's.
#include "healthreach/opt/siting.hpp"
#include "opt/cover_instances.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <type_traits>
#include <utility>

using namespace healthreach;

namespace {

// Optimizers before site costs existed solve the unit-cost instances only.
template <class O, class = void>
struct has_site_cost : std::false_type {};
template <class O>
struct has_site_cost<O, std::void_t<decltype(std::declval<O&>().site_cost)>> : std::true_type {};

template <class O>
bool set_costs(O& o, const std::vector<double>& cost) {
    if constexpr (has_site_cost<O>::value) {
        o.site_cost = std::vector<double>(cost.begin(), cost.end());
        return true;
    } else {
        for (double c : cost)
            if (c != 1) return false;
        return true;
    }
}

void run(const std::string& name, const test::cover_instance& inst, bool heuristic, double time_limit) {
    opt::siting_options o;
    o.time_limit_s = time_limit;
    if (heuristic) o.exact_below = 0, o.polish_above_gap = 1e300;
    const char* mode = heuristic ? "heuristic" : "default";
    if (!set_costs(o, inst.cost)) {
        std::printf("%-10s %-9s n/a (this optimizer has no site costs)\n", name.c_str(), mode);
        return;
    }
    const auto wall0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    const opt::siting_result r = opt::cover_all(inst.m, o);
    const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::printf("%-10s %-9s value %8.6g  bound %8.6g  gap %6.2f %%  sites %5zu  %-24s %7.2f s wall %7.2f s cpu\n", name.c_str(),
                mode, r.objective, r.bound, 100 * r.gap, r.selected.size(), r.solver.c_str(), wall, cpu);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    double time_limit = 60;
    for (int k = 1; k < argc; ++k) {
        const std::string arg = argv[k];
        if (arg == "--time-limit" && k + 1 < argc) {
            time_limit = std::stod(argv[++k]);
            continue;
        }
        const bool lattice = arg == "lattice";
        const test::cover_instance inst = lattice ? test::lattice_town() : test::read_scp(arg);
        std::string name = lattice ? arg : arg.substr(arg.find_last_of('/') + 1);
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".txt") == 0) name.resize(name.size() - 4);
        run(name, inst, true, time_limit);
        run(name, inst, false, time_limit);
    }
    return 0;
}
