// The JSON writer: strings stay valid UTF-8 whatever bytes they are given (file names are not
// always UTF-8), numbers at round-trip precision, NaN as null.
#include "healthreach/geo/json.hpp"

#include <catch2/catch.hpp>

using healthreach::geo::json_writer;

namespace {

std::string as_json(const std::string& s) {
    json_writer j;
    j.value(s);
    return j.str();
}

}  // namespace

TEST_CASE("json strings: UTF-8 kept, other bytes replaced by U+FFFD", "[json]") {
    CHECK(as_json("长治市 Changzhi") == "\"长治市 Changzhi\"");
    CHECK(as_json("\xF0\x9F\x9A\x91") == "\"\xF0\x9F\x9A\x91\"");           // 4-byte sequence (ambulance emoji)
    CHECK(as_json("caf\xE9.gpkg") == "\"caf\xEF\xBF\xBD.gpkg\"");           // Latin-1 e-acute
    CHECK(as_json("\xB3\xA4\xD6\xCE") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // GBK bytes
    CHECK(as_json("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");           // overlong '/'
    CHECK(as_json("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a UTF-16 surrogate
    CHECK(as_json("\xE4\xB8") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");           // truncated at the end
    CHECK(as_json("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST_CASE("json numbers: round trip, NaN as null", "[json]") {
    json_writer j;
    j.begin_array().value(0.1).value(1.0 / 3).value(std::nan("")).value(42LL).end_array();
    CHECK(j.str() == "[0.1,0.3333333333333333,null,42]");
}
