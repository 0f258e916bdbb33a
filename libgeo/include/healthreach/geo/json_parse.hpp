#pragma once
// A strict JSON reader (RFC 8259) for requests from front ends (healthreach serve): one value per
// document, no comments, no trailing commas, no duplicate keys, strings valid UTF-8, numbers finite,
// nesting at most 64 deep. Any fault is an input_error naming the byte offset.
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace healthreach::geo {

class json_value {
public:
    enum class kind { null, boolean, number, string, array, object };

    kind type() const { return kind_; }
    bool is_null() const { return kind_ == kind::null; }
    bool is_number() const { return kind_ == kind::number; }
    bool is_string() const { return kind_ == kind::string; }
    bool is_array() const { return kind_ == kind::array; }
    bool is_object() const { return kind_ == kind::object; }

    // Typed access; input_error naming `what` (the key path a caller reads) when the type differs.
    bool as_bool(const std::string& what) const;
    double as_number(const std::string& what) const;
    const std::string& as_string(const std::string& what) const;
    const std::vector<json_value>& as_array(const std::string& what) const;
    const std::map<std::string, json_value>& as_object(const std::string& what) const;

    // Object member or nullptr when absent (the value must be an object).
    const json_value* find(const std::string& key) const;

private:
    friend class json_parser;
    kind kind_ = kind::null;
    bool boolean_ = false;
    double number_ = 0;
    std::string string_;
    std::vector<json_value> array_;
    std::map<std::string, json_value> object_;
};

// Parses one document; input_error ("JSON at byte N: ...") when it is not strict JSON.
json_value parse_json(const std::string& text);

// The type's name for messages: null, boolean, number, string, array, object.
const char* json_kind_name(json_value::kind k);

}  // namespace healthreach::geo
