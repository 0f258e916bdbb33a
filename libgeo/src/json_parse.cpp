#include "healthreach/geo/json_parse.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/text.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace healthreach::geo {

const char* json_kind_name(json_value::kind k) {
    switch (k) {
    case json_value::kind::null: return "null";
    case json_value::kind::boolean: return "boolean";
    case json_value::kind::number: return "number";
    case json_value::kind::string: return "string";
    case json_value::kind::array: return "array";
    case json_value::kind::object: return "object";
    }
    return "";
}

namespace {

[[noreturn]] void wrong_type(const std::string& what, const char* wanted, json_value::kind got) {
    throw input_error(what + ": expected " + wanted + ", got " + json_kind_name(got));
}

}  // namespace

bool json_value::as_bool(const std::string& what) const {
    if (kind_ != kind::boolean) wrong_type(what, "true or false", kind_);
    return boolean_;
}
double json_value::as_number(const std::string& what) const {
    if (kind_ != kind::number) wrong_type(what, "a number", kind_);
    return number_;
}
const std::string& json_value::as_string(const std::string& what) const {
    if (kind_ != kind::string) wrong_type(what, "a string", kind_);
    return string_;
}
const std::vector<json_value>& json_value::as_array(const std::string& what) const {
    if (kind_ != kind::array) wrong_type(what, "an array", kind_);
    return array_;
}
const std::map<std::string, json_value>& json_value::as_object(const std::string& what) const {
    if (kind_ != kind::object) wrong_type(what, "an object", kind_);
    return object_;
}
const json_value* json_value::find(const std::string& key) const {
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &it->second;
}

class json_parser {
public:
    explicit json_parser(const std::string& text) : s_(text) {}

    json_value document() {
        json_value v = value(0);
        space();
        if (i_ != s_.size()) fail("unexpected text after the value");
        return v;
    }

private:
    static constexpr int max_depth = 64;

    [[noreturn]] void fail(const std::string& why) const {
        throw input_error("JSON at byte " + std::to_string(i_) + ": " + why);
    }
    void space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    bool literal(const char* word) {
        std::size_t n = 0;
        while (word[n]) ++n;
        if (s_.compare(i_, n, word) != 0) return false;
        i_ += n;
        return true;
    }

    json_value value(int depth) {
        if (depth >= max_depth) fail("nested deeper than " + std::to_string(max_depth));
        space();
        if (i_ >= s_.size()) fail("unexpected end of the document");
        json_value v;
        const char c = s_[i_];
        if (c == '{') {
            v.kind_ = json_value::kind::object;
            ++i_;
            space();
            if (i_ < s_.size() && s_[i_] == '}') {
                ++i_;
                return v;
            }
            for (;;) {
                space();
                if (i_ >= s_.size() || s_[i_] != '"') fail("expected a string key");
                const std::size_t at = i_;
                std::string k = string();
                space();
                if (i_ >= s_.size() || s_[i_] != ':') fail("expected ':' after a key");
                ++i_;
                json_value member = value(depth + 1);
                if (!v.object_.emplace(std::move(k), std::move(member)).second) {
                    i_ = at;
                    fail("repeated key");
                }
                space();
                if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
                if (i_ < s_.size() && s_[i_] == '}') { ++i_; return v; }
                fail("expected ',' or '}' in an object");
            }
        }
        if (c == '[') {
            v.kind_ = json_value::kind::array;
            ++i_;
            space();
            if (i_ < s_.size() && s_[i_] == ']') {
                ++i_;
                return v;
            }
            for (;;) {
                v.array_.push_back(value(depth + 1));
                space();
                if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
                if (i_ < s_.size() && s_[i_] == ']') { ++i_; return v; }
                fail("expected ',' or ']' in an array");
            }
        }
        if (c == '"') {
            v.kind_ = json_value::kind::string;
            v.string_ = string();
            return v;
        }
        if (literal("true")) { v.kind_ = json_value::kind::boolean; v.boolean_ = true; return v; }
        if (literal("false")) { v.kind_ = json_value::kind::boolean; return v; }
        if (literal("null")) return v;
        if (c == '-' || (c >= '0' && c <= '9')) {
            v.kind_ = json_value::kind::number;
            v.number_ = number();
            return v;
        }
        fail("unexpected character");
    }

    double number() {
        const std::size_t start = i_;
        auto digits = [&] {
            const std::size_t from = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
            return i_ - from;
        };
        if (s_[i_] == '-') ++i_;
        if (i_ < s_.size() && s_[i_] == '0') ++i_;
        else if (digits() == 0) fail("a number needs digits");
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (digits() == 0) fail("a number needs digits after '.'");
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (digits() == 0) fail("a number needs digits in its exponent");
        }
        const std::string text = s_.substr(start, i_ - start);
        errno = 0;
        const double v = std::strtod(text.c_str(), nullptr);
        if (!std::isfinite(v)) {
            i_ = start;
            fail("number out of range: " + text);
        }
        return v;
    }

    unsigned hex4() {
        if (i_ + 4 > s_.size()) fail("truncated \\u escape");
        unsigned v = 0;
        for (int k = 0; k < 4; ++k) {
            const char h = s_[i_++];
            v <<= 4;
            if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
            else fail("bad hex digit in a \\u escape");
        }
        return v;
    }

    static void append_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::string string() {
        ++i_;  // the opening quote
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) fail("unterminated string");
            const auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return out;
            }
            if (c < 0x20) fail("control character in a string");
            if (c == '\\') {
                ++i_;
                if (i_ >= s_.size()) fail("unterminated escape");
                const char e = s_[i_++];
                switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in a \\u escape");
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (s_.compare(i_, 2, "\\u") != 0) fail("high surrogate without its low half");
                        i_ += 2;
                        const unsigned low = hex4();
                        if (low < 0xDC00 || low > 0xDFFF) fail("high surrogate without its low half");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: --i_; fail("unknown escape");
                }
                continue;
            }
            if (c < 0x80) {
                out += static_cast<char>(c);
                ++i_;
                continue;
            }
            const std::size_t n = utf8_sequence_length(s_, i_);
            if (n == 0) fail("string is not valid UTF-8");
            out.append(s_, i_, n);
            i_ += n;
        }
    }

    const std::string& s_;
    std::size_t i_ = 0;
};

json_value parse_json(const std::string& text) { return json_parser(text).document(); }

}  // namespace healthreach::geo
