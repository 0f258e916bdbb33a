// A user standards file: any TOML text over the built-in standards loads or is an input_error.
#include "healthreach/error.hpp"
#include "healthreach/geo/standards.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const healthreach::geo::standards s = healthreach::geo::parse_standards(text, "fuzz.toml");
        // What the jobs look up first: every service's profile must be there.
        for (const auto& [name, svc] : s.services) s.profile_named(svc.profile);
    } catch (const healthreach::input_error&) {
    }
    return 0;
}
