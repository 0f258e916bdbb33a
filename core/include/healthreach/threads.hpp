#pragma once
// How many worker threads a job runs.
#include <algorithm>
#include <string>
#include <thread>

namespace healthreach {

// Each worker holds graph-sized search buffers, so threads beyond a few per core only add memory
// (and, by the hundred thousand, fail to start).
constexpr unsigned max_threads_per_core = 4;

// 0 asks for every core; a request above max_threads_per_core x cores is cut back to that, and
// `note` says so (empty otherwise).
inline unsigned worker_threads(unsigned requested, std::string& note) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    note.clear();
    if (requested == 0) return cores;
    const unsigned cap = max_threads_per_core * cores;
    if (requested <= cap) return requested;
    note = "--threads " + std::to_string(requested) + ": cut back to " + std::to_string(cap) + " (" +
           std::to_string(max_threads_per_core) + " per core on this machine's " + std::to_string(cores) + " cores)";
    return cap;
}

}  // namespace healthreach
