#include "healthreach/geo/compliance.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/population.hpp"
#include "healthreach/geo/urbanisation.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <sstream>

namespace healthreach::geo {

const char* rule_status_name(rule_status s) {
    switch (s) {
    case rule_status::meets: return "meets";
    case rule_status::short_of: return "short";
    case rule_status::cannot_check: return "cannot-check";
    }
    return "";
}

namespace {

std::string number_text(double v) {
    std::ostringstream s;
    s.precision(v == std::floor(v) ? 12 : 4);
    s << v;
    return s.str();
}

// One admin unit at a level: its people and the facilities and villages inside it.
struct unit {
    std::string name, kind;
    int county = -1;
    double population = 0, urban = 0;
    std::vector<std::uint32_t> facilities, villages;
};

compliance_row make_row(const compliance_rule& r, const std::string& admin, const std::string& level) {
    compliance_row row;
    row.admin = admin;
    row.level = level;
    row.rule = r.id;
    row.description = r.description;
    row.source = r.source;
    return row;
}

bool has_type(const std::vector<std::string>& types, const std::string& t) {
    return std::find(types.begin(), types.end(), t) != types.end();
}

class evaluator {
public:
    evaluator(const compliance_options& o, const point_set& fac, const std::optional<point_set>& villages,
              const std::vector<double>& village_pop)
        : o_(o), fac_(fac), villages_(villages), village_pop_(village_pop) {}

    compliance_row check(const compliance_rule& r, const unit& u, const std::string& level) const {
        compliance_row row = make_row(r, u.name, level);
        row.county = u.county;
        std::vector<std::uint32_t> of_type;
        for (std::uint32_t f : u.facilities)
            if (has_type(r.facility_types, fac_.type[f])) of_type.push_back(f);
        const double people = r.population == "urban" ? u.urban : u.population;
        auto cannot = [&](const std::string& why) {
            row.status = rule_status::cannot_check;
            row.reason = why;
            return row;
        };
        auto field_sum = [&](double missing_value) {
            double s = 0;
            for (std::uint32_t f : of_type) s += fac_.numbers.at(r.field)[f].value_or(missing_value);
            return s;
        };
        if (r.kind == "count_per_unit") {
            row.required = r.min;
            row.present = static_cast<double>(of_type.size());
        } else if (r.kind == "count_per_population") {
            row.required = std::ceil(people / r.residents);
            row.present = static_cast<double>(of_type.size());
        } else if (r.kind == "units_per_population") {
            if (!fac_.numbers.count(r.field)) return cannot(o_.facilities + " has no field '" + r.field + "'");
            row.required = std::ceil(people / r.residents);
            row.present = field_sum(1.0);  // a facility without a count holds one unit
        } else if (r.kind == "categories_per_unit") {
            if (!fac_.texts.count(r.field)) return cannot(o_.facilities + " has no field '" + r.field + "'");
            std::set<std::string> present;
            for (std::uint32_t f : of_type)
                if (has_type(r.categories, fac_.texts.at(r.field)[f])) present.insert(fac_.texts.at(r.field)[f]);
            const bool merged = r.merge_below > 0 && u.population < r.merge_below;
            row.required = merged ? 1 : static_cast<double>(r.categories.size());
            row.present = merged ? std::min<double>(1, static_cast<double>(of_type.size())) : static_cast<double>(present.size());
            if (!merged && row.present < row.required) {
                std::string missing;
                for (const auto& c : r.categories)
                    if (!present.count(c)) missing += (missing.empty() ? "" : ", ") + c;
                row.reason = "missing: " + missing;
            }
        } else if (r.kind == "field_per_1000") {
            if (!fac_.numbers.count(r.field)) return cannot(o_.facilities + " has no field '" + r.field + "'");
            auto t = r.targets.find(u.name);
            const double target = t != r.targets.end() ? t->second : r.per_1000;
            row.required = std::ceil(target * people / 1000);
            row.present = field_sum(0.0);
        } else if (r.kind == "field_by_band") {
            if (!fac_.numbers.count(r.field)) return cannot(o_.facilities + " has no field '" + r.field + "'");
            for (const auto& [upto, need] : r.bands)
                if (people < upto) {
                    row.required = need;
                    break;
                }
            row.present = field_sum(0.0);
        } else if (r.kind == "share_of_type") {
            std::size_t base = 0;
            for (std::uint32_t f : u.facilities) base += has_type(r.of_types, fac_.type[f]);
            row.required = std::ceil(r.share * static_cast<double>(base) - 1e-9);
            row.present = static_cast<double>(of_type.size());
        } else if (r.kind == "villages_with_clinic") {
            if (!villages_) return cannot("no villages layer (--villages)");
            if (!r.clinic_field.empty() && !fac_.numbers.count(r.clinic_field))
                return cannot(o_.facilities + " has no field '" + r.clinic_field + "'");
            std::vector<std::string> without;
            for (std::uint32_t v : u.villages) {
                if (r.min_population > 0 && !(village_pop_[v] > r.min_population)) continue;
                row.required += 1;
                bool served = false;
                for (std::uint32_t f : of_type) {
                    if (std::hypot(fac_.x[f] - villages_->x[v], fac_.y[f] - villages_->y[v]) > r.match_m) continue;
                    if (!r.clinic_field.empty() && fac_.numbers.at(r.clinic_field)[f].value_or(0) < r.clinic_min) continue;
                    served = true;
                    break;
                }
                if (served) row.present += 1;
                else without.push_back(villages_->name[v].empty() ? villages_->id[v] : villages_->name[v]);
            }
            if (!without.empty()) {
                row.reason = "without: ";
                for (std::size_t k = 0; k < without.size() && k < 5; ++k) row.reason += (k ? ", " : "") + without[k];
                if (without.size() > 5) row.reason += ", ...";
            }
        }
        if (row.present >= row.required) {
            row.status = rule_status::meets;
            if (r.max && row.present > *r.max) row.reason = "above the plans' maximum of " + number_text(*r.max);
        } else {
            row.status = rule_status::short_of;
            const std::string by = "short by " + number_text(row.required - row.present);
            row.reason = row.reason.empty() ? by : by + "; " + row.reason;
        }
        return row;
    }

private:
    const compliance_options& o_;
    const point_set& fac_;
    const std::optional<point_set>& villages_;
    const std::vector<double>& village_pop_;
};

}  // namespace

compliance_report run_compliance(const compliance_options& o) {
    compliance_report rep;
    const standards rules = load_standards(o.standards_file);
    // The metric CRS: --crs, else the UTM zone of the admin layer's centre.
    bool has_townships = false;
    {
        dataset_ptr ds = open_vector(o.admin);
        OGRLayer& layer = find_layer(*ds, o.admin, o.admin_layer);
        OGREnvelope env;
        if (layer.GetExtent(&env, TRUE) != OGRERR_NONE) throw input_error(o.admin + ": empty admin layer");
        if (!layer.GetSpatialRef()) throw input_error(o.admin + " layer " + layer.GetName() + ": has no CRS");
        double lon, lat;
        envelope_center_lonlat(env, traditional(*layer.GetSpatialRef()), lon, lat);
        rep.crs = choose_metric_crs(o.crs, lon, lat);
        has_townships = ds->GetLayerByName(o.townships_layer.c_str()) && o.townships_layer != layer.GetName();
    }
    rep.counties = read_polygons(o.admin, rep.crs, o.admin_layer, o.admin_field);
    rep.warnings = rep.counties.warnings;
    std::optional<polygon_set> townships;
    if (has_townships) townships.emplace(read_polygons(o.admin, rep.crs, o.townships_layer, o.admin_field));
    const population_grid pop = read_population(o.population, rep.crs);

    point_options fields = o.facility_fields;
    fields.types = rules.merged_type_map(o.facility_fields.types);
    std::set<std::string> numeric, textual;
    for (const compliance_rule& r : rules.rules) {
        if (!r.field.empty()) (r.kind == "categories_per_unit" ? textual : numeric).insert(r.field);
        if (!r.clinic_field.empty()) numeric.insert(r.clinic_field);
    }
    fields.numeric_fields.assign(numeric.begin(), numeric.end());
    fields.text_fields.assign(textual.begin(), textual.end());
    const point_set fac = read_points(o.facilities, rep.crs, fields);
    rep.warnings.insert(rep.warnings.end(), fac.warnings.begin(), fac.warnings.end());
    if (!fac.has_type)
        throw input_error(o.facilities + ": no '" + (fields.type_field.empty() ? std::string("type") : fields.type_field) +
                          "' field; compliance needs facility types (--type-field names the field)");

    std::optional<point_set> villages;
    std::vector<double> village_pop;
    if (!o.villages.empty()) {
        point_options vf = placement_of(o.facility_fields);
        vf.layer = o.villages_layer;
        vf.layer_option = "--villages-layer";
        vf.numeric_fields = {o.village_population_field};
        villages.emplace(read_points(o.villages, rep.crs, vf));
        if (!villages->numbers.count(o.village_population_field))
            throw input_error(o.villages + ": no '" + o.village_population_field + "' field");
        for (const auto& v : villages->numbers.at(o.village_population_field)) village_pop.push_back(v.value_or(0));
    }

    // Units and what lies in them.
    const polygon_locator county_at(rep.counties);
    std::optional<polygon_locator> township_at;
    if (townships) township_at.emplace(*townships);
    std::vector<unit> counties(rep.counties.size()), towns(townships ? townships->size() : 0);
    unit city;
    city.name = "city";
    for (std::size_t c = 0; c < counties.size(); ++c) {
        counties[c].name = rep.counties.name[c];
        counties[c].kind = rep.counties.kind[c];
        counties[c].county = static_cast<int>(c);
    }
    for (std::size_t t = 0; t < towns.size(); ++t) {
        towns[t].name = townships->name[t];
        towns[t].kind = townships->kind[t];
        OGRPoint centre;
        townships->geometry[t]->Centroid(&centre);
        towns[t].county = county_at.find(centre.getX(), centre.getY());
    }
    std::unique_ptr<polygon_locator> urban_at;
    std::optional<polygon_set> urban_polygons;
    std::optional<urbanisation_grid> degree;
    if (!o.urban.empty()) {
        urban_polygons.emplace(read_polygons(o.urban, rep.crs, o.urban_layer, ""));
        urban_at = std::make_unique<polygon_locator>(*urban_polygons);
    } else {
        degree = degree_of_urbanisation(pop, rules.urbanisation);
    }
    for (std::size_t i = 0; i < pop.size(); ++i) {
        const double people = pop.people[i];
        const bool urban = urban_at ? urban_at->find(pop.x[i], pop.y[i]) >= 0 : degree->at(pop.x[i], pop.y[i]) == area_class::urban;
        city.population += people;
        city.urban += urban ? people : 0;
        if (const int c = county_at.find(pop.x[i], pop.y[i]); c >= 0) {
            counties[c].population += people;
            counties[c].urban += urban ? people : 0;
        }
        if (township_at)
            if (const int t = township_at->find(pop.x[i], pop.y[i]); t >= 0) {
                towns[t].population += people;
                towns[t].urban += urban ? people : 0;
            }
    }
    for (std::uint32_t f = 0; f < fac.size(); ++f) {
        city.facilities.push_back(f);
        if (const int c = county_at.find(fac.x[f], fac.y[f]); c >= 0) counties[c].facilities.push_back(f);
        if (township_at)
            if (const int t = township_at->find(fac.x[f], fac.y[f]); t >= 0) towns[t].facilities.push_back(f);
    }
    if (villages)
        for (std::uint32_t v = 0; v < villages->size(); ++v) {
            city.villages.push_back(v);
            if (const int c = county_at.find(villages->x[v], villages->y[v]); c >= 0) counties[c].villages.push_back(v);
            if (township_at)
                if (const int t = township_at->find(villages->x[v], villages->y[v]); t >= 0) towns[t].villages.push_back(v);
        }

    const evaluator eval(o, fac, villages, village_pop);
    auto applies = [](const compliance_rule& r, const unit& u) {
        return r.unit_kinds.empty() || u.kind.empty() || has_type(r.unit_kinds, u.kind);
    };
    for (const compliance_rule& r : rules.rules) {
        if (r.level == "city") {
            rep.rows.push_back(eval.check(r, city, "city"));
        } else if (r.level == "county") {
            for (const unit& u : counties)
                if (applies(r, u)) rep.rows.push_back(eval.check(r, u, "county"));
        } else if (!townships) {
            compliance_row row = make_row(r, "city", "township");
            row.reason = o.admin + " has no '" + o.townships_layer + "' layer";
            rep.rows.push_back(row);
        } else {
            for (const unit& u : towns)
                if (applies(r, u)) rep.rows.push_back(eval.check(r, u, "township"));
        }
    }
    rep.unmet.assign(counties.size(), 0);
    for (const compliance_row& row : rep.rows) {
        switch (row.status) {
        case rule_status::meets: ++rep.meets; break;
        case rule_status::short_of: ++rep.short_of; break;
        case rule_status::cannot_check: ++rep.cannot_check; break;
        }
        if (row.status == rule_status::short_of && row.county >= 0) ++rep.unmet[row.county];
    }
    return rep;
}

}  // namespace healthreach::geo
