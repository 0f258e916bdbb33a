#pragma once
// Small pieces every siting model shares. Internal header: not installed.
#include "healthreach/error.hpp"
#include "healthreach/opt/siting.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace healthreach::opt::detail {

inline double gap_of(double objective, double bound) {
    return std::abs(bound - objective) / std::max(std::abs(objective), 1.0);
}

inline void say(const siting_options& o, const std::string& message) {
    if (o.progress) o.progress(message);
}

// A number as people read it in a message (%g: 0.3, not 0.300000).
inline std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// The models that open exactly `sites` of the candidates reject any other count as bad input.
inline void check_sites(const std::string& model, int sites, std::size_t candidates) {
    if (sites < 0 || static_cast<std::size_t>(sites) > candidates)
        throw input_error(model + ": " + std::to_string(sites) + " sites asked of " + std::to_string(candidates) + " candidates");
}

// Random numbers for the perturbation searches: the same sequence on every platform, so that runs
// repeat exactly.
struct splitmix64 {
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    std::uint64_t operator()() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};

}  // namespace healthreach::opt::detail
