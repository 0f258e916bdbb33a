#pragma once
// A small streaming JSON writer: objects, arrays, strings (UTF-8 kept), numbers at round-trip
// precision, null for NaN.
#include <string>
#include <vector>

namespace healthreach::geo {

class json_writer {
public:
    json_writer& begin_object();
    json_writer& end_object();
    json_writer& begin_array();
    json_writer& end_array();
    json_writer& key(const std::string& k);
    json_writer& value(const std::string& s);
    json_writer& value(const char* s) { return value(std::string(s)); }
    json_writer& value(double v);  // NaN: null
    json_writer& value(long long v);
    json_writer& value(std::size_t v) { return value(static_cast<long long>(v)); }
    json_writer& value(int v) { return value(static_cast<long long>(v)); }
    json_writer& value(bool v);
    json_writer& null();
    template <class T>
    json_writer& field(const std::string& k, const T& v) { return key(k).value(v); }

    const std::string& str() const { return out_; }

private:
    void separate();
    std::string out_;
    std::vector<bool> first_;  // per open container: no element written yet
    bool after_key_ = false;
};

}  // namespace healthreach::geo
