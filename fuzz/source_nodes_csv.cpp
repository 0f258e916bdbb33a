// The reach job's sources file: any text gives node ids of the graph or an input_error.
#include "healthreach/error.hpp"
#include "healthreach/geo/reach_job.hpp"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    constexpr std::size_t node_count = 1000;
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        for (const healthreach::geo::node_id v : healthreach::geo::read_source_nodes(in, "fuzz.csv", node_count))
            if (v >= node_count) __builtin_trap();
    } catch (const healthreach::input_error&) {
    }
    return 0;
}
