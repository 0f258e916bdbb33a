#pragma once
// Text from users' files: UTF-8 or not (a shapefile's Latin-1 names, a GBK CSV).
#include <cstddef>
#include <string>

namespace healthreach::geo {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
std::size_t utf8_sequence_length(const std::string& s, std::size_t i);

bool is_utf8(const std::string& s);

// A number as people read it in reports: thousands separated by commas ("3,573,894", "95.7"); "–" for NaN.
std::string format_number(double v, int decimals = 0);

}  // namespace healthreach::geo
