// The strict JSON reader of front-end requests: what it accepts, read back exactly, and every kind
// of malformed document refused with the byte where it goes wrong.
#include "healthreach/error.hpp"
#include "healthreach/geo/json.hpp"
#include "healthreach/geo/json_parse.hpp"

#include <catch2/catch.hpp>

using namespace healthreach;
using namespace healthreach::geo;

TEST_CASE("json reader: values, nesting, escapes", "[json]") {
    const json_value v = parse_json(R"( {"a": [1, -2.5e3, 0, true, false, null], "s": "x\"\\\/\n\u00e9\u957f\ud83d\ude91", "o": {}} )");
    const auto& a = v.find("a")->as_array("a");
    REQUIRE(a.size() == 6);
    CHECK(a[0].as_number("") == 1);
    CHECK(a[1].as_number("") == -2500);
    CHECK(a[2].as_number("") == 0);
    CHECK(a[3].as_bool(""));
    CHECK_FALSE(a[4].as_bool(""));
    CHECK(a[5].is_null());
    CHECK(v.find("s")->as_string("s") == "x\"\\/\n\xC3\xA9\xE9\x95\xBF\xF0\x9F\x9A\x91");
    CHECK(v.find("o")->as_object("o").empty());
    CHECK(v.find("missing") == nullptr);
    CHECK(parse_json("\"长治\"").as_string("") == "长治");
}

TEST_CASE("json reader: numbers read back as the writer wrote them", "[json]") {
    for (double x : {0.1, 1.0 / 3, 6378137.0, -1e-300, 123456789012345678.0}) {
        json_writer w;
        w.begin_array().value(x).end_array();
        CHECK(parse_json(w.str()).as_array("")[0].as_number("") == x);
    }
}

TEST_CASE("json reader: malformed documents are input errors naming the byte", "[json]") {
    const char* bad[] = {"",          "{",           "{\"a\":1,}",      "[1,]",          "[1 2]",       "{\"a\" 1}",
                         "{a:1}",     "'a'",         "\"abc",           "\"a\tb\"",      "\"\\x\"",     "\"\\ud800\"",
                         "\"\\udc00\"", "\"\\u12g4\"", "01",            "1.",            ".5",          "1e",
                         "-",         "+1",          "1e999",           "NaN",           "Infinity",    "tru",
                         "nul",       "[1] x",       "{\"a\":1,\"a\":2}", "\"\xC0\xAF\"", "\"\xE4\xB8\"", "// c\n1",
                         "{\"a\":1}}"};
    for (const char* doc : bad) {
        INFO(doc);
        CHECK_THROWS_AS(parse_json(doc), input_error);
    }
    CHECK_THROWS_WITH(parse_json("[1,]"), Catch::Contains("byte 3"));
    std::string deep(65, '[');
    deep += std::string(65, ']');
    CHECK_THROWS_WITH(parse_json(deep), Catch::Contains("nested deeper"));
    std::string ok(64, '[');
    ok += std::string(64, ']');
    CHECK_NOTHROW(parse_json(ok));
}

TEST_CASE("json reader: typed access names the key and both types", "[json]") {
    const json_value v = parse_json("{\"n\": \"5\"}");
    CHECK_THROWS_WITH(v.find("n")->as_number("sites"), "sites: expected a number, got string");
    CHECK_THROWS_AS(v.as_array("body"), input_error);
}
