#include "healthreach/geo/json.hpp"

#include "healthreach/geo/text.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace healthreach::geo {

void json_writer::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back()) out_ += ',';
        first_.back() = false;
    }
}

json_writer& json_writer::begin_object() {
    separate();
    out_ += '{';
    first_.push_back(true);
    return *this;
}
json_writer& json_writer::end_object() {
    out_ += '}';
    first_.pop_back();
    return *this;
}
json_writer& json_writer::begin_array() {
    separate();
    out_ += '[';
    first_.push_back(true);
    return *this;
}
json_writer& json_writer::end_array() {
    out_ += ']';
    first_.pop_back();
    return *this;
}
json_writer& json_writer::key(const std::string& k) {
    value(k);
    out_ += ':';
    after_key_ = true;
    return *this;
}
json_writer& json_writer::value(const std::string& s) {
    separate();
    out_ += '"';
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out_ += buf;
            } else if (c < 0x80) {
                out_ += static_cast<char>(c);
            } else if (const std::size_t n = utf8_sequence_length(s, i)) {
                out_.append(s, i, n);
                i += n - 1;
            } else {
                // Not UTF-8 (a Latin-1 or GBK file name, say): U+FFFD keeps the document valid JSON.
                out_ += "\xEF\xBF\xBD";
            }
        }
    }
    out_ += '"';
    return *this;
}
json_writer& json_writer::value(double v) {
    if (!std::isfinite(v)) return null();
    separate();
    // The shortest of %.15g..%.17g that reads back as the same double.
    char buf[32];
    for (int digits = 15; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    out_ += buf;
    return *this;
}
json_writer& json_writer::value(long long v) {
    separate();
    out_ += std::to_string(v);
    return *this;
}
json_writer& json_writer::value(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
}
json_writer& json_writer::null() {
    separate();
    out_ += "null";
    return *this;
}

}  // namespace healthreach::geo
