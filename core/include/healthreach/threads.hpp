#pragma once
// How many worker threads a job runs.
#include <algorithm>
#include <exception>
#include <string>
#include <thread>
#include <vector>

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

// Runs work(t) for t = 0 .. threads - 1 at once, t = 0 on the calling thread, and returns when every
// one has. An exception in any of them (or a thread the system refuses to start) is rethrown here,
// after every started thread has been joined: the first by thread number.
template <class Work>
void run_on_threads(unsigned threads, Work&& work) {
    threads = std::max(1u, threads);
    std::vector<std::exception_ptr> failed(threads);
    auto guarded = [&](unsigned t) {
        try {
            work(t);
        } catch (...) {
            failed[t] = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) {
        try {
            pool.emplace_back(guarded, t);
        } catch (...) {
            failed[t] = std::current_exception();
            break;
        }
    }
    guarded(0u);
    for (std::thread& th : pool) th.join();
    for (const std::exception_ptr& e : failed)
        if (e) std::rethrow_exception(e);
}

}  // namespace healthreach
