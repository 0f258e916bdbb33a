#include "healthreach/geo/vocabulary.hpp"

#include "healthreach/error.hpp"

#include <cctype>

namespace healthreach::geo {

metric parse_metric(const std::string& name) {
    if (name == "length" || name == "distance") return metric::length;
    if (name == "time") return metric::time;
    throw input_error("--metric: unknown metric '" + name + "' (length or time)");
}

const char* direction_name(direction d) { return d == direction::from_facility ? "from-facility" : "to-facility"; }

const char* area_class_name(area_class c) { return c == area_class::urban ? "urban" : "rural"; }

namespace {

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::string type_key(const std::string& value) {
    std::string k = trimmed(value);
    // Bytes of multi-byte UTF-8 characters are >= 0x80 and left alone: only ASCII letters fold.
    for (char& c : k)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return k;
}

type_map parse_type_map(const std::string& text, const std::string& option) {
    type_map out;
    std::size_t start = 0, n = 0;
    for (;;) {
        const std::size_t comma = text.find(',', start);
        const std::string entry = trimmed(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        ++n;
        const std::string where = option + ": entry " + std::to_string(n) + " '" + entry + "'";
        if (entry.empty())
            throw input_error(option + ": entry " + std::to_string(n) +
                              " is empty (entries are TYPE=STANDARD_TYPE separated by commas)");
        const std::size_t eq = entry.find('=');
        if (eq == std::string::npos) throw input_error(where + " has no '=' (TYPE=STANDARD_TYPE)");
        const std::string from = trimmed(entry.substr(0, eq)), to = trimmed(entry.substr(eq + 1));
        if (from.empty()) throw input_error(where + ": the layer's type (left of '=') is empty");
        if (to.empty()) throw input_error(where + ": the standards' type (right of '=') is empty");
        for (const auto& [k, v] : out)
            if (type_key(k) == type_key(from) && v != to)
                throw input_error(where + ": '" + k + "' is already mapped to '" + v + "'");
        out.emplace_back(from, to);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace healthreach::geo
