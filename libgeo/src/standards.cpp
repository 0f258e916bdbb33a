#include "healthreach/geo/standards.hpp"

#include "healthreach/error.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace healthreach::geo {


const service& standards::service_named(const std::string& name) const {
    auto it = services.find(name);
    if (it != services.end()) return it->second;
    std::string known;
    for (const auto& [n, s] : services) known += (known.empty() ? "" : ", ") + n;
    throw input_error("--service: unknown service '" + name + "' (known: " + known + ")");
}

std::set<std::string> standards::known_facility_types() const {
    std::set<std::string> known;
    for (const auto& [name, svc] : services) known.insert(svc.facility_types.begin(), svc.facility_types.end());
    for (const compliance_rule& r : rules) {
        known.insert(r.facility_types.begin(), r.facility_types.end());
        known.insert(r.of_types.begin(), r.of_types.end());
    }
    return known;
}

namespace {

// input_error when `to` is no type of the standards: `where` names the entry.
void check_known_type(const std::set<std::string>& known, const std::string& to, const std::string& where) {
    if (known.count(to)) return;
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    throw input_error(where + ": no service or rule of the standards uses the type '" + to + "' (types: " + list + ")");
}

}  // namespace

type_map standards::merged_type_map(const type_map& user, const std::string& option) const {
    const std::set<std::string> known = known_facility_types();
    type_map out;
    for (const auto& [from, to] : user) {
        check_known_type(known, to, option + ": '" + from + "=" + to + "'");
        out.emplace_back(from, to);
    }
    for (const auto& [from, to] : facility_type_map) {
        bool overridden = false;
        for (const auto& [k, v] : user) overridden = overridden || type_key(k) == type_key(from);
        if (!overridden) out.emplace_back(from, to);
    }
    return out;
}

const profile& standards::profile_named(const std::string& name) const {
    auto it = profiles.find(name);
    if (it != profiles.end()) return it->second;
    throw input_error("--profile: unknown profile '" + name + "' (drive or walk)");
}

namespace {

// Reads one TOML document into the standards, key by key, so that an unknown or bad key is named.
class reader {
public:
    reader(standards& out, std::string file) : out_(out), file_(std::move(file)) {}

    void document(const toml::table& doc) {
        for (const auto& [k, v] : doc) {
            const std::string key(k.str());
            if (key == "profiles") each_table(v, key, [&](const std::string& name, const toml::table& t, const std::string& path) {
                profile_table(name, t, path);
            });
            else if (key == "urbanisation") urbanisation(table(v, key), key);
            else if (key == "demand") demand(table(v, key), key);
            else if (key == "services") each_table(v, key, [&](const std::string& name, const toml::table& t, const std::string& path) {
                service_table(name, t, path);
            });
            else if (key == "rules") rules(v, key);
            else if (key == "facility_types") facility_types(table(v, key), key);
            else unknown(key);
        }
    }

private:
    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        throw input_error(file_ + ": " + path + ": " + what);
    }
    [[noreturn]] void unknown(const std::string& path) const { fail(path, "unknown key"); }

    const toml::table& table(const toml::node& n, const std::string& path) const {
        if (!n.is_table()) fail(path, "must be a table");
        return *n.as_table();
    }
    template <class F>
    void each_table(const toml::node& n, const std::string& path, F f) {
        for (const auto& [k, v] : table(n, path)) {
            const std::string name(k.str());
            f(name, table(v, path + "." + name), path + "." + name);
        }
    }
    double number(const toml::node& n, const std::string& path, double lo, double hi) const {
        std::optional<double> v = n.value<double>();
        if (!v || !std::isfinite(*v)) fail(path, "must be a number");
        if (*v < lo || *v > hi) {
            std::ostringstream s;
            s << "value " << *v << " out of range [" << lo << ", " << hi << "]";
            fail(path, s.str());
        }
        return *v;
    }
    std::string text(const toml::node& n, const std::string& path) const {
        if (!n.is_string()) fail(path, "must be a string");
        return **n.as_string();
    }
    std::vector<std::string> texts(const toml::node& n, const std::string& path) const {
        if (!n.is_array()) fail(path, "must be an array of strings");
        std::vector<std::string> out;
        for (const auto& item : *n.as_array()) out.push_back(text(item, path));
        return out;
    }
    std::string choice(const toml::node& n, const std::string& path, std::initializer_list<const char*> allowed) const {
        const std::string v = text(n, path);
        std::string list;
        for (const char* a : allowed) {
            if (v == a) return v;
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        fail(path, "'" + v + "' is not one of " + list);
    }

    void profile_table(const std::string& name, const toml::table& t, const std::string& path) {
        profile& p = out_.profiles[name];
        p.name = name;
        if (name == "drive") p.mode = travel_mode::drive;
        else if (name == "walk") p.mode = travel_mode::walk;
        else fail(path, "unknown profile (drive or walk)");
        for (const auto& [k, v] : t) {
            const std::string key(k.str()), sub = path + "." + key;
            if (key == "source") p.source = text(v, sub);
            else if (key == "speeds_kmh" && p.mode == travel_mode::drive)
                for (const auto& [cls, speed] : table(v, sub))
                    p.speed_kmh[std::string(cls.str())] = number(speed, sub + "." + std::string(cls.str()), 1, 200);
            else if (key == "speed_kmh" && p.mode == travel_mode::walk) p.walk_speed_kmh = number(v, sub, 0.5, 30);
            else if (key == "excluded" && p.mode == travel_mode::walk) p.excluded = texts(v, sub);
            else if (key == "grade_source" && p.mode == travel_mode::drive) p.grade_source = text(v, sub);
            else if (key == "grade_factors" && p.mode == travel_mode::drive) p.grade_factors = grade_classes(v, sub);
            else unknown(sub);
        }
    }

    // [[grade %, factor], ...] by strictly increasing grade.
    std::vector<std::pair<double, double>> grade_classes(const toml::node& n, const std::string& path) const {
        const toml::array* list = n.as_array();
        if (!list || list->empty()) fail(path, "must be an array of [grade %, speed factor] pairs");
        std::vector<std::pair<double, double>> out;
        for (const auto& item : *list) {
            const toml::array* pair = item.as_array();
            if (!pair || pair->size() != 2) fail(path, "must be an array of [grade %, speed factor] pairs");
            const double grade = number((*pair)[0], path, 0, 1000), factor = number((*pair)[1], path, 0.01, 1);
            if (!out.empty() && grade <= out.back().first) fail(path, "grades must increase");
            out.emplace_back(grade, factor);
        }
        return out;
    }

    void urbanisation(const toml::table& t, const std::string& path) {
        urbanisation_rules& u = out_.urbanisation;
        for (const auto& [k, v] : t) {
            const std::string key(k.str()), sub = path + "." + key;
            if (key == "source") u.source = text(v, sub);
            else if (key == "cell_m") u.cell_m = number(v, sub, 10, 100000);
            else if (key == "centre_density") u.centre_density = number(v, sub, 0, 1e6);
            else if (key == "centre_population") u.centre_population = number(v, sub, 0, 1e9);
            else if (key == "centre_gap_fill") u.centre_gap_fill = static_cast<int>(number(v, sub, 1, 8));
            else if (key == "cluster_density") u.cluster_density = number(v, sub, 0, 1e6);
            else if (key == "cluster_population") u.cluster_population = number(v, sub, 0, 1e9);
            else if (key == "clusters_are") u.clusters_urban = choice(v, sub, {"rural", "urban"}) == "urban";
            else unknown(sub);
        }
    }

    void demand(const toml::table& t, const std::string& path) {
        for (const auto& [k, v] : t) {
            const std::string key(k.str()), sub = path + "." + key;
            if (key == "off_network_speed_kmh") out_.off_network_speed_kmh = number(v, sub, 0.5, 200);
            else if (key == "source") text(v, sub);
            else unknown(sub);
        }
    }

    // A user file's entries replace those of the same key (in any letter case) and add the others;
    // within one file, two keys differing only in letter case must agree.
    void facility_types(const toml::table& t, const std::string& path) {
        type_map& m = out_.facility_type_map;
        std::map<std::string, std::pair<std::string, std::string>> here;  // by type_key: key, value
        for (const auto& [k, v] : t) {
            const std::string from(k.str()), sub = path + "." + from;
            if (type_key(from).empty()) fail(sub, "the layer's type is empty");
            const std::string to = text(v, sub);
            if (to.empty()) fail(sub, "the standards' type is empty");
            const auto [seen, fresh] = here.emplace(type_key(from), std::pair{from, to});
            if (!fresh && seen->second.second != to)
                fail(sub, "'" + seen->second.first + "' is already mapped to '" + seen->second.second + "'");
            auto same = std::find_if(m.begin(), m.end(), [&](const auto& e) { return type_key(e.first) == type_key(from); });
            if (same != m.end()) *same = {from, to};
            else m.emplace_back(from, to);
        }
    }

    void limit_table(limit_rule& l, const toml::table& t, const std::string& path) {
        for (const auto& [k, v] : t) {
            const std::string key(k.str()), sub = path + "." + key;
            if (key == "limit") l.value = number(v, sub, 0, 1e7);
            else if (key == "source") l.source = text(v, sub);
            else if (key == "range") {
                const toml::array* a = v.as_array();
                if (!a || a->size() != 2) fail(sub, "must be [low, high]");
                l.range = std::pair{number((*a)[0], sub, 0, 1e7), number((*a)[1], sub, 0, 1e7)};
            } else unknown(sub);
        }
    }

    void service_table(const std::string& name, const toml::table& t, const std::string& path) {
        service& s = out_.services[name];
        s.name = name;
        for (const auto& [k, v] : t) {
            const std::string key(k.str()), sub = path + "." + key;
            if (key == "description") s.description = text(v, sub);
            else if (key == "metric") s.cost_metric = choice(v, sub, {"distance", "time"}) == "time" ? metric::time : metric::length;
            else if (key == "direction")
                s.cost_direction = choice(v, sub, {"from-facility", "to-facility"}) == "from-facility" ? direction::from_facility
                                                                                                 : direction::to_facility;
            else if (key == "profile") s.profile = choice(v, sub, {"drive", "walk"});
            else if (key == "facility_types") s.facility_types = texts(v, sub);
            else if (key == "units_field") s.units_field = text(v, sub);
            else if (key == "urban") limit_table(s.urban, table(v, sub), sub);
            else if (key == "rural") limit_table(s.rural, table(v, sub), sub);
            else if (key == "ratio") {
                ratio_rule& r = s.ratio ? *s.ratio : s.ratio.emplace();
                for (const auto& [rk, rv] : table(v, sub)) {
                    const std::string rkey(rk.str()), rsub = sub + "." + rkey;
                    if (rkey == "residents_per_unit") r.residents_per_unit = number(rv, rsub, 1, 1e9);
                    else if (rkey == "source") r.source = text(rv, rsub);
                    else unknown(rsub);
                }
            } else if (key == "radiates") {
                residents_rule& r = s.radiates ? *s.radiates : s.radiates.emplace();
                for (const auto& [rk, rv] : table(v, sub)) {
                    const std::string rkey(rk.str()), rsub = sub + "." + rkey;
                    if (rkey == "residents") r.residents = number(rv, rsub, 0, 1e9);
                    else if (rkey == "source") r.source = text(rv, rsub);
                    else unknown(rsub);
                }
            } else unknown(sub);
        }
    }

    void rules(const toml::node& n, const std::string& path) {
        const toml::array* list = n.as_array();
        if (!list) fail(path, "must be an array of tables ([[rules]])");
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string item = path + "[" + std::to_string(i) + "]";
            compliance_rule r;
            for (const auto& [k, v] : table((*list)[i], item)) {
                const std::string key(k.str()), sub = item + "." + key;
                if (key == "id") r.id = text(v, sub);
                else if (key == "description") r.description = text(v, sub);
                else if (key == "source") r.source = text(v, sub);
                else if (key == "kind")
                    r.kind = choice(v, sub, {"count_per_unit", "count_per_population", "units_per_population",
                                             "categories_per_unit", "field_per_1000", "field_by_band", "share_of_type",
                                             "villages_with_clinic"});
                else if (key == "level") r.level = choice(v, sub, {"county", "township", "city"});
                else if (key == "unit_kinds") r.unit_kinds = texts(v, sub);
                else if (key == "facility_types") r.facility_types = texts(v, sub);
                else if (key == "of_types") r.of_types = texts(v, sub);
                else if (key == "categories") r.categories = texts(v, sub);
                else if (key == "field") r.field = text(v, sub);
                else if (key == "population") r.population = choice(v, sub, {"total", "urban"});
                else if (key == "clinic_field") r.clinic_field = text(v, sub);
                else if (key == "min") r.min = number(v, sub, 0, 1e6);
                else if (key == "max") r.max = number(v, sub, 0, 1e6);
                else if (key == "residents") r.residents = number(v, sub, 1, 1e10);
                else if (key == "per_1000") r.per_1000 = number(v, sub, 0, 1e4);
                else if (key == "share") r.share = number(v, sub, 0, 1);
                else if (key == "min_population") r.min_population = number(v, sub, 0, 1e9);
                else if (key == "match_m") r.match_m = number(v, sub, 0, 1e5);
                else if (key == "merge_below") r.merge_below = number(v, sub, 0, 1e10);
                else if (key == "clinic_min") r.clinic_min = number(v, sub, 0, 1e6);
                else if (key == "targets")
                    for (const auto& [unit, value] : table(v, sub))
                        r.targets[std::string(unit.str())] = number(value, sub + "." + std::string(unit.str()), 0, 1e4);
                else if (key == "bands") {
                    const toml::array* bands = v.as_array();
                    if (!bands) fail(sub, "must be an array of [population, required] pairs");
                    for (const auto& b : *bands) {
                        const toml::array* pair = b.as_array();
                        if (!pair || pair->size() != 2) fail(sub, "must be an array of [population, required] pairs");
                        r.bands.emplace_back(number((*pair)[0], sub, 0, 1e13), number((*pair)[1], sub, 0, 1e9));
                    }
                } else unknown(sub);
            }
            if (r.id.empty()) fail(item + ".id", "missing");
            if (r.kind.empty()) fail(item + ".kind", "missing");
            if (r.facility_types.empty()) fail(item + ".facility_types", "missing");
            auto same = std::find_if(out_.rules.begin(), out_.rules.end(), [&](const compliance_rule& x) { return x.id == r.id; });
            if (same != out_.rules.end()) *same = r;
            else out_.rules.push_back(r);
        }
    }

    standards& out_;
    std::string file_;
};

void read_into(standards& out, const std::string& text, const std::string& file) {
    toml::table doc;
    try {
        doc = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        std::ostringstream s;
        s << file << ":" << e.source().begin.line << ": " << e.description();
        throw input_error(s.str());
    }
    reader(out, file).document(doc);
}

void check_complete(const standards& s, const std::string& file) {
    for (const auto& [name, svc] : s.services) {
        const std::string path = file + ": services." + name;
        if (svc.profile.empty()) throw input_error(path + ".profile: missing");
        if (!s.profiles.count(svc.profile)) throw input_error(path + ".profile: no profile '" + svc.profile + "'");
        if (svc.facility_types.empty()) throw input_error(path + ".facility_types: missing or empty");
        if (svc.ratio && svc.ratio->residents_per_unit <= 0)
            throw input_error(path + ".ratio.residents_per_unit: missing");
    }
    const std::set<std::string> known = s.known_facility_types();
    for (const auto& [from, to] : s.facility_type_map) check_known_type(known, to, file + ": facility_types." + from);
}

// Parsed once; every load starts from a copy.
const standards& builtin() {
    static const standards s = [] {
        standards b;
        b.origin = "built-in";
        read_into(b, builtin_standards_toml(), "built-in standards");
        check_complete(b, "built-in standards");
        return b;
    }();
    return s;
}

}  // namespace

standards parse_standards(const std::string& text, const std::string& origin) {
    standards s = builtin();
    read_into(s, text, origin);
    s.origin = "built-in + " + origin;
    check_complete(s, origin);
    return s;
}

standards load_standards(const std::string& user_file) {
    if (user_file.empty()) return builtin();
    std::ifstream in(user_file);
    if (!in) throw input_error(user_file + ": cannot open standards file");
    std::stringstream text;
    text << in.rdbuf();
    return parse_standards(text.str(), user_file);
}

}  // namespace healthreach::geo
