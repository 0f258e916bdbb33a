#include "healthreach/geo/audit_io.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/compliance_io.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/presentation.hpp"
#include "healthreach/geo/qgis_style.hpp"
#include "healthreach/geo/report_html.hpp"
#include "healthreach/geo/text.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace healthreach::geo {

namespace {

const char* status_name(const audit_unit& u) { return u.meets() ? "meets" : "short"; }

std::string layer_of(const std::string& service) {
    std::string name = "coverage_" + service;
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

const std::vector<std::pair<std::string, OGRFieldType>> unit_fields = {
    {"population", OFTReal},  {"covered", OFTReal},        {"uncovered", OFTReal},      {"off_network", OFTReal},
    {"not_applicable", OFTReal}, {"coverage_ratio", OFTReal}, {"units_required", OFTReal}, {"units_present", OFTReal},
    {"status", OFTString}};

void set_unit(OGRFeature& f, const audit_unit& u) {
    f.SetField("population", u.people.population);
    f.SetField("covered", u.people.covered);
    f.SetField("uncovered", u.people.uncovered);
    f.SetField("off_network", u.people.off_network);
    f.SetField("not_applicable", u.people.not_applicable);
    if (std::isfinite(u.coverage_ratio)) f.SetField("coverage_ratio", u.coverage_ratio);
    else f.SetFieldNull(f.GetFieldIndex("coverage_ratio"));
    if (u.units_required >= 0) f.SetField("units_required", u.units_required);
    else f.SetFieldNull(f.GetFieldIndex("units_required"));
    f.SetField("units_present", u.units_present);
    f.SetField("status", status_name(u));
}

// Per admin unit: the assessed services short there, the one leaving most people uncovered, and the
// compliance rows short or unchecked (the compliance report reads the same layer, in the same order).
struct unit_overview {
    int services_short = 0;
    std::string worst_service;
    double worst_uncovered = 0;
    int rules_short = 0;
};

std::vector<unit_overview> overview(const audit_result& r) {
    std::vector<unit_overview> out(r.admin ? r.admin->size() : 0);
    for (const audit_service& s : r.services)
        for (std::size_t u = 0; u < s.units.size() && u < out.size(); ++u) {
            if (!s.units[u].meets()) ++out[u].services_short;
            if (s.units[u].people.uncovered > out[u].worst_uncovered) {
                out[u].worst_uncovered = s.units[u].people.uncovered;
                out[u].worst_service = s.name;
            }
        }
    if (r.compliance && r.compliance->counties.size() == out.size())
        for (const compliance_row& row : r.compliance->rows)
            if (row.county >= 0 && row.status == rule_status::short_of) ++out[row.county].rules_short;
    return out;
}

}  // namespace

void write_audit_gpkg(const audit_result& r, const std::string& path) {
    atomic_output out(path);
    {
        dataset_ptr ds = create_vector("GPKG", out.temp_path());
        ds->StartTransaction();
        OGRLayer& services = create_layer(*ds, "services", wkbNone, nullptr,
                                          {{"service", OFTString}, {"description", OFTString}, {"profile", OFTString},
                                           {"metric", OFTString}, {"urban_limit", OFTReal}, {"rural_limit", OFTReal},
                                           {"assessed", OFTInteger}, {"reason", OFTString}, {"facilities_matching", OFTInteger},
                                           {"facilities_used", OFTInteger}, {"units_short", OFTReal}});
        for (const auto& [name, type] : unit_fields) {
            OGRFieldDefn d(name.c_str(), type);
            services.CreateField(&d);
        }
        feature_ptr f(OGRFeature::CreateFeature(services.GetLayerDefn()));
        for (const audit_service& s : r.services) {
            f.reset(OGRFeature::CreateFeature(services.GetLayerDefn()));
            f->SetField("service", s.name.c_str());
            f->SetField("description", s.description.c_str());
            f->SetField("profile", s.profile.c_str());
            f->SetField("metric", s.metric.c_str());
            for (area_class c : {area_class::urban, area_class::rural}) {
                const char* key = c == area_class::urban ? "urban_limit" : "rural_limit";
                if (s.limit[static_cast<int>(c)]) f->SetField(key, *s.limit[static_cast<int>(c)]);
                else f->SetFieldNull(f->GetFieldIndex(key));
            }
            f->SetField("assessed", s.assessed ? 1 : 0);
            f->SetField("reason", s.reason.c_str());
            f->SetField("facilities_matching", static_cast<int>(s.facilities_matching));
            f->SetField("facilities_used", static_cast<int>(s.facilities_used));
            if (s.assessed) {
                set_unit(*f, s.total);
                f->SetField("units_short", s.units_short());
                f->SetField("status", s.meets() ? "meets" : "short");
            } else {
                f->SetField("status", "not-assessed");
            }
            add_feature(services, *f);
        }

        std::vector<std::pair<std::string, OGRFieldType>> table_fields = {{"service", OFTString}, {"admin", OFTString}};
        table_fields.insert(table_fields.end(), unit_fields.begin(), unit_fields.end());
        OGRLayer& table = create_layer(*ds, "audit", wkbNone, nullptr, table_fields);
        for (const audit_service& s : r.services) {
            if (!s.assessed) continue;
            for (const audit_unit* u : [&] {
                     std::vector<const audit_unit*> rows;
                     for (const audit_unit& x : s.units) rows.push_back(&x);
                     rows.push_back(&s.total);
                     return rows;
                 }()) {
                f.reset(OGRFeature::CreateFeature(table.GetLayerDefn()));
                f->SetField("service", s.name.c_str());
                f->SetField("admin", u == &s.total ? "total" : u->name.c_str());
                set_unit(*f, *u);
                add_feature(table, *f);
            }
        }

        namespace sym = symbology;
        const sym::style& border = sym::of("admin");
        auto area = [&](const sym::colour& c) { return sym::style{c, border.outline, 0.2, sym::shape::none, 0, "name"}; };
        if (r.admin) {
            std::vector<std::pair<std::string, OGRFieldType>> fields = {{"name", OFTString}};
            fields.insert(fields.end(), unit_fields.begin(), unit_fields.end());
            for (const audit_service& s : r.services) {
                if (!s.assessed) continue;
                OGRLayer& layer = create_layer(*ds, layer_of(s.name), wkbMultiPolygon, &r.crs, fields);
                for (std::size_t u = 0; u < s.units.size(); ++u) {
                    f.reset(OGRFeature::CreateFeature(layer.GetLayerDefn()));
                    f->SetField("name", s.units[u].name.c_str());
                    set_unit(*f, s.units[u]);
                    f->SetGeometryDirectly(OGRGeometryFactory::forceToMultiPolygon(r.admin->geometry[u]->clone()));
                    add_feature(layer, *f);
                }
                qgis::add_default_style(*ds, layer_of(s.name),
                                        qgis::graduated("coverage_ratio", {{-1e-9, 0.9, "below 90 %", area(sym::compliance_unmet[2])},
                                                                           {0.9, 1 - 1e-12, "90 % to under 100 %", area(sym::compliance_unmet[1])},
                                                                           {1 - 1e-12, 1 + 1e-9, "everyone covered", area(sym::compliance_unmet[0])}}));
            }
            const std::vector<unit_overview> view = overview(r);
            OGRLayer& units = create_layer(*ds, "audit_units", wkbMultiPolygon, &r.crs,
                                           {{"name", OFTString}, {"services_short", OFTInteger}, {"worst_service", OFTString},
                                            {"worst_uncovered", OFTReal}, {"rules_short", OFTInteger}});
            for (std::size_t u = 0; u < r.admin->size(); ++u) {
                f.reset(OGRFeature::CreateFeature(units.GetLayerDefn()));
                f->SetField("name", r.admin->name[u].c_str());
                f->SetField("services_short", view[u].services_short);
                f->SetField("worst_service", view[u].worst_service.c_str());
                f->SetField("worst_uncovered", view[u].worst_uncovered);
                f->SetField("rules_short", view[u].rules_short);
                f->SetGeometryDirectly(OGRGeometryFactory::forceToMultiPolygon(r.admin->geometry[u]->clone()));
                add_feature(units, *f);
            }
            qgis::add_default_style(*ds, "audit_units",
                                    qgis::graduated("services_short", {{-0.5, 0.5, "every standard met", area(sym::compliance_unmet[0])},
                                                                       {0.5, 2.5, "1-2 standards short", area(sym::compliance_unmet[1])},
                                                                       {2.5, 1e9, "3 or more short", area(sym::compliance_unmet[2])}}));
        }
        if (r.compliance) write_compliance_layers(*r.compliance, *ds);
        if (ds->CommitTransaction() != OGRERR_NONE) throw std::runtime_error(path + ": " + gdal_last_error());
    }
    out.commit();
}

namespace {

void unit_json(json_writer& j, const audit_unit& u) {
    j.field("population", u.people.population);
    j.field("covered", u.people.covered);
    j.field("uncovered", u.people.uncovered);
    j.field("off_network", u.people.off_network);
    j.field("not_applicable", u.people.not_applicable);
    j.field("coverage_ratio", u.coverage_ratio);
    if (u.units_required >= 0) j.field("units_required", u.units_required);
    else j.key("units_required").null();
    j.field("units_present", u.units_present);
    j.field("status", status_name(u));
}

}  // namespace

void write_audit_json(const audit_result& r, json_writer& j, const std::string& version) {
    std::size_t assessed = 0, met = 0;
    for (const audit_service& s : r.services) assessed += s.assessed, met += s.meets();
    j.field("services_assessed", assessed);
    j.field("services_not_assessed", r.services.size() - assessed);
    j.field("services_meet", met);
    j.field("services_short", assessed - met);
    j.key("graph_loads").begin_object();
    for (const audit_graph& g : r.graphs) j.field(g.profile, g.loads);
    j.end_object();
    j.key("graphs").begin_array();
    for (const audit_graph& g : r.graphs) {
        j.begin_object().field("profile", g.profile).field("loads", g.loads).field("services", g.services);
        j.field("seconds", g.seconds).field("nodes", g.nodes).field("edges", g.edges);
        if (!g.cache_status.empty()) j.field("cache_status", g.cache_status);
        j.end_object();
    }
    j.end_array();
    j.key("services").begin_array();
    for (const audit_service& s : r.services) {
        j.begin_object();
        j.field("service", s.name).field("description", s.description).field("profile", s.profile).field("metric", s.metric);
        j.key("limits").begin_object();
        for (area_class c : {area_class::urban, area_class::rural}) {
            const auto& l = s.limit[static_cast<int>(c)];
            if (l) j.field(area_class_name(c), *l);
            else j.key(area_class_name(c)).null();
        }
        j.end_object();
        j.field("assessed", s.assessed);
        j.field("facilities_matching", s.facilities_matching);
        if (!s.assessed) {
            j.field("status", "not-assessed").field("reason", s.reason);
            j.end_object();
            continue;
        }
        j.field("facilities_used", s.facilities_used);
        j.field("status", s.meets() ? "meets" : "short");
        j.field("population_total", s.total.people.population);
        j.field("population_covered", s.total.people.covered);
        j.field("population_uncovered", s.total.people.uncovered);
        j.field("population_off_network", s.total.people.off_network);
        j.field("population_not_applicable", s.total.people.not_applicable);
        j.field("coverage_ratio", s.total.coverage_ratio);
        if (s.total.units_required >= 0) j.field("units_required", s.total.units_required);
        else j.key("units_required").null();
        j.field("units_present", s.total.units_present);
        j.field("units_short", s.units_short());
        j.key("by_admin").begin_array();
        for (const audit_unit& u : s.units) {
            j.begin_object().field("name", u.name);
            unit_json(j, u);
            j.end_object();
        }
        j.end_array();
        j.key("phases").begin_object();
        for (const phase_time& p : s.phases) j.field(p.name, p.seconds);
        j.end_object();
        j.end_object();
    }
    j.end_array();
    j.key("compliance").begin_object();
    j.field("assessed", r.compliance.has_value());
    if (r.compliance) write_compliance_json(*r.compliance, j);
    else j.field("reason", r.compliance_reason);
    j.end_object();
    j.key("phases").begin_object();
    for (const phase_time& p : r.phases) j.field(p.name, p.seconds);
    j.end_object();
    j.key("provenance").begin_object();
    j.field("version", version);
    j.field("crs", crs_label(r.crs));
    j.field("standards", r.standards_origin);
    j.end_object();
    write_inputs_and_warnings_json(r.inputs, r.warnings, j);
}

namespace {

struct words {
    bool zh;
    std::string operator()(const char* zh_text, const char* en_text) const { return zh ? zh_text : en_text; }
};

std::string percent(double ratio, const words& w) {
    return std::isfinite(ratio) ? format_number(100 * ratio, 1) + " %" : w("不适用", "n/a");
}

// "urban 5 km · rural 20 km" in the report's language; a class without a limit is said so.
std::string limits_text(const audit_service& s, const words& w) {
    std::string out;
    for (area_class c : {area_class::urban, area_class::rural}) {
        const auto& l = s.limit[static_cast<int>(c)];
        out += (out.empty() ? "" : " · ") + (c == area_class::urban ? w("城市 ", "urban ") : w("农村 ", "rural "));
        out += l ? cost_text(*l, s.metric == "distance", w.zh) : w("未规定", "no limit");
        // A limit the plans do not set is the standards file's default: marked, and said under the table.
        if (l && s.limit_source[static_cast<int>(c)].rfind("default", 0) == 0) out += "*";
    }
    return out;
}

// A built-in rule in the report's language (the plans' wording in Chinese); a user's rule keeps its
// description.
std::string rule_text(const compliance_row& row, bool zh) {
    static const std::map<std::string, std::string> chinese = {
        {"township-centre-per-township", "每个乡镇 1 所乡镇卫生院"},
        {"community-centre-per-sub-district", "每个街道 1 所社区卫生服务中心"},
        {"community-centre-per-100000", "每 3 万至 10 万城市居民 1 所社区卫生服务中心（市辖区）"},
        {"community-station-per-20000", "每 1 万至 2 万城市居民 1 个社区卫生服务站（市辖区）"},
        {"ambulances-per-30000", "每 3 万人口至少 1 辆救护车"},
        {"ambulances-per-30000-city", "全市每 3 万人口至少 1 辆救护车"},
        {"ambulances-0.2-per-10000", "每万人口至少 0.2 辆救护车"},
        {"county-hospitals", "每县 1 所综合医院、1 所中医医院、1 所妇幼保健院（10 万人以下合并）"},
        {"city-hospital-per-2-million", "每 100 万至 200 万人口 1 至 2 所市办综合性医院"},
        {"beds-per-1000", "每千人口床位数：2025 年 7.5 张（长治市各县目标另列）"},
        {"grassroots-beds-per-1000", "每千人口基层床位 1.5 张"},
        {"infectious-surge-beds", "县级传染病可转换床位：按人口 20、50、80、100 张"},
        {"sub-centre-share", "2028 年 15% 的乡镇卫生院建成县域医疗卫生服务次中心"},
        {"sub-centres-per-county", "每县 1 至 3 个县域医疗卫生服务次中心"},
        {"village-clinic-every-village", "每个行政村 1 个村卫生室"},
        {"village-clinic-over-800", "800 人以上的村有 1 个合格村卫生室"},
        {"demonstration-clinic-over-1000", "1000 人以上的村：示范村卫生室，至少 2 名医生"}};
    const auto it = chinese.find(row.rule);
    return zh && it != chinese.end() ? it->second : row.description;
}

std::string units_text(const audit_unit& u) {
    return u.units_required < 0 ? "–" : format_number(u.units_required) + " / " + format_number(u.units_present);
}

const char* audit_css = R"(
.cards { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1em 0; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: 0.6em 1em; min-width: 9em; }
.card b { display: block; font-size: 1.6em; } .card.bad b { color: #b2182b; } .card.good b { color: #1a7a35; }
td.ok { color: #1a7a35; font-weight: bold; } td.bad { color: #b2182b; font-weight: bold; } td.na { color: #777; }
tr.short td, tr.miss td { background: #fde0dd; } tr.miss td:last-child { color: #b2182b; } tr.na td { color: #777; background: #f6f6f6; }
.summary-page { page-break-after: always; } p.lead { font-size: 1.05em; } p.note { color: #555; font-size: 0.88em; }
th { text-align: center; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
)";

}  // namespace

void write_audit_report(const audit_result& r, const std::string& lang, const std::string& version, const std::string& path) {
    const words w{lang != "en"};
    const auto& esc = qgis::xml_escape;
    std::size_t assessed = 0, met = 0;
    double population = 0;
    for (const audit_service& s : r.services) {
        assessed += s.assessed, met += s.meets();
        if (s.assessed) population = std::max(population, s.total.people.population);
    }
    auto service_name = [&](const audit_service& s) { return w.zh ? service_title(s.name, "zh") + "（" + s.name + "）" : s.name; };
    std::ostringstream body;

    // Page one: what a director reads.
    body << "<section class=\"summary-page\" id=\"summary\"><h2>" << w("一页摘要", "Summary") << "</h2>";
    body << "<div class=\"cards\">";
    body << "<div class=\"card\">" << w("总人口", "Population") << "<b>" << format_number(population) << "</b></div>";
    body << "<div class=\"card\">" << w("评估的服务", "Services assessed") << "<b>" << assessed << " / " << r.services.size() << "</b></div>";
    body << "<div class=\"card " << (met == assessed ? "good" : "") << "\">" << w("达标的服务", "Services meeting the standard")
         << "<b>" << met << "</b></div>";
    body << "<div class=\"card " << (met < assessed ? "bad" : "") << "\">" << w("未达标的服务", "Services short") << "<b>"
         << assessed - met << "</b></div>";
    if (r.compliance)
        body << "<div class=\"card " << (r.compliance->short_of ? "bad" : "good") << "\">" << w("未达标的规划规则", "Plan rules short")
             << "<b>" << r.compliance->short_of << " / " << r.compliance->rows.size() << "</b></div>";
    body << "</div>";
    body << "<p class=\"lead\">"
         << w("每项服务按规划的服务半径（道路距离或出行时间）核算：达标指所有可达路网的居民都在标准之内，且各行政区按比例配置的设施单位（如救护车）不少于要求。",
              "Each service is measured against the plan's limit (road distance or travel time): it meets the standard when "
              "everyone on the road network lies within the limit and every admin unit holds the units its ratio requires "
              "(ambulances, for example).")
         << "</p>";

    std::vector<std::pair<std::vector<std::string>, std::string>> rows;
    for (const audit_service& s : r.services) {
        if (!s.assessed) {
            rows.push_back({{service_name(s), limits_text(s, w), "–", "–", "–", w("未评估", "not assessed"),
                             w("无此类设施", "no facility of its types")},
                            "na"});
            continue;
        }
        const audit_unit* worst = nullptr;
        for (const audit_unit& u : s.units)
            if (u.people.uncovered > 0 && (!worst || u.people.uncovered > worst->people.uncovered)) worst = &u;
        const std::string worst_text = worst ? worst->name + w("：", ": ") + format_number(worst->people.uncovered) + w(" 人未覆盖", " uncovered") : "–";
        const double units_short = s.units_short();
        rows.push_back({{service_name(s), limits_text(s, w), percent(s.total.coverage_ratio, w), format_number(s.total.people.uncovered),
                         s.total.units_required < 0 ? "–" : units_text(s.total) + (units_short > 0 ? w("（缺 ", " (") + format_number(units_short) + w("）", " short)") : ""),
                         s.meets() ? w("达标", "meets") : w("未达标", "short"), worst_text},
                        s.meets() ? "meets" : "short"});
    }
    body << "<h3>" << w("各项空间标准", "The plan's spatial standards") << "</h3>"
         << html_table("standards", {w("服务", "Service"), w("标准", "Standard"), w("覆盖率", "Coverage"), w("未覆盖人口", "People uncovered"),
                                     w("需配置 / 现有", "Units required / present"), w("结论", "Status"), w("最差行政区", "Worst unit")},
                       rows)
         << "<p class=\"note\">" << w("* 规划未规定服务半径，采用标准文件的默认值。需配置 / 现有：全区按比例需配置与现有的设施单位；缺：各行政区缺口之和（一个行政区的富余不抵另一个的不足）。",
                                     "* The plans set no limit here: the standards file's default. Units required / present: for the whole region "
                                     "at the plan's ratio; short: the shortfalls of the admin units added up (a surplus in one unit does not make up "
                                     "for another's shortfall).")
         << "</p>";

    // The worst admin units: the largest uncovered populations, one row per service (else one service
    // far off its standard would fill the list).
    struct worst_row {
        double uncovered;
        std::string unit, service;
        double ratio;
    };
    std::vector<worst_row> worst;
    for (const audit_service& s : r.services)
        for (const audit_unit& u : s.units)
            if (u.people.uncovered > 0) worst.push_back({u.people.uncovered, u.name, service_name(s), u.coverage_ratio});
    std::stable_sort(worst.begin(), worst.end(), [](const worst_row& a, const worst_row& b) { return a.uncovered > b.uncovered; });
    if (!worst.empty()) {
        rows.clear();
        std::set<std::string> shown;
        for (std::size_t i = 0; i < worst.size() && rows.size() < 5; ++i)
            if (shown.insert(worst[i].service).second)
                rows.push_back({{worst[i].unit, worst[i].service, format_number(worst[i].uncovered), percent(worst[i].ratio, w)}, ""});
        body << "<h3>" << w("未覆盖人口最多的行政区（每项服务最差的一个）", "Admin units with the most people uncovered (the worst of each service)") << "</h3>"
             << html_table("worst", {w("行政区", "Admin unit"), w("服务", "Service"), w("未覆盖人口", "People uncovered"), w("覆盖率", "Coverage")}, rows);
    }
    if (r.compliance) {
        rows.clear();
        std::vector<const compliance_row*> shortfalls;
        for (const compliance_row& row : r.compliance->rows)
            if (row.status == rule_status::short_of) shortfalls.push_back(&row);
        std::stable_sort(shortfalls.begin(), shortfalls.end(),
                         [](const compliance_row* a, const compliance_row* b) { return a->required - a->present > b->required - b->present; });
        for (std::size_t i = 0; i < shortfalls.size() && i < 5; ++i)
            rows.push_back({{shortfalls[i]->admin, rule_text(*shortfalls[i], w.zh), format_number(shortfalls[i]->required, 1),
                             format_number(shortfalls[i]->present, 1), format_number(shortfalls[i]->required - shortfalls[i]->present, 1)},
                            "short"});
        body << "<h3>" << w("数量与配比规则", "Count and ratio rules") << "</h3><p>" << r.compliance->meets << w(" 条达标，", " met, ")
             << r.compliance->short_of << w(" 条未达标，", " short, ") << r.compliance->cannot_check
             << w(" 条因缺少数据无法核查（详见下文）。", " cannot be checked with these inputs (details below).") << "</p>";
        if (!rows.empty())
            body << html_table("rules-short", {w("行政区", "Admin unit"), w("规则", "Rule"), w("要求", "Required"), w("现有", "Present"),
                                               w("缺口", "Shortfall")},
                               rows);
    } else {
        body << "<p>" << w("未提供行政区划（--admin），未核查数量与配比规则。", "No admin units (--admin): the count and ratio rules were not checked.") << "</p>";
    }
    body << "</section>";

    // Services × admin units: the coverage ratio of each.
    if (r.admin && assessed) {
        std::vector<std::string> header = {w("行政区", "Admin unit")};
        for (const audit_service& s : r.services)
            if (s.assessed) header.push_back(w.zh ? service_title(s.name, "zh") : s.name);
        rows.clear();
        for (std::size_t u = 0; u < r.admin->size(); ++u) {
            std::vector<std::string> cells = {r.admin->name[u]};
            for (const audit_service& s : r.services)
                if (s.assessed) cells.push_back(u < s.units.size() ? percent(s.units[u].coverage_ratio, w) : "–");
            rows.push_back({cells, ""});
        }
        std::vector<std::string> total = {w("合计", "Total")};
        for (const audit_service& s : r.services)
            if (s.assessed) total.push_back(percent(s.total.coverage_ratio, w));
        rows.push_back({total, "total"});
        body << "<h2>" << w("各行政区覆盖率", "Coverage by admin unit and service") << "</h2>" << html_table("matrix", header, rows);
    }

    // Each service in detail.
    body << "<h2>" << w("分项服务详情", "Each service in detail") << "</h2>";
    for (const audit_service& s : r.services) {
        if (!s.assessed) continue;
        body << "<h3 id=\"service-" << esc(s.name) << "\">" << esc(service_name(s)) << "</h3><p>" << esc(limits_text(s, w))
             << w("；设施 ", "; facilities ") << s.facilities_matching << w(" 个（在路网上 ", " (") << s.facilities_used
             << w(" 个）。", " on the network).") << "</p>";
        rows.clear();
        // The status says what falls short: people uncovered, units missing, or both.
        auto status = [&](const audit_unit& u) {
            if (u.meets()) return w("达标", "meets");
            std::string why;
            if (u.people.uncovered > 0) why = format_number(u.people.uncovered) + w(" 人未覆盖", " uncovered");
            if (u.units_required >= 0 && u.units_present < u.units_required)
                why += (why.empty() ? "" : w("；", "; ")) + w("缺 ", "") + format_number(u.units_required - u.units_present) + w(" 个单位", " units short");
            return why;
        };
        auto row = [&](const std::string& name, const audit_unit& u, const std::string& css) {
            rows.push_back({{name, format_number(u.people.population), format_number(u.people.covered), format_number(u.people.uncovered),
                             format_number(u.people.off_network), format_number(u.people.not_applicable), percent(u.coverage_ratio, w),
                             units_text(u), status(u)},
                            css});
        };
        for (const audit_unit& u : s.units) row(u.name, u, u.meets() ? "" : "miss");
        row(w("合计", "Total"), s.total, "total");
        body << html_table("detail-" + s.name, {w("行政区", "Admin unit"), w("人口", "Population"), w("覆盖", "Covered"), w("未覆盖", "Uncovered"),
                                                w("路网外", "Off network"), w("不适用", "Not applicable"), w("覆盖率", "Coverage"),
                                                w("需配置 / 现有", "Units required / present"), w("结论", "Status")},
                           rows);
    }
    body << "<p>" << w("覆盖率 = 覆盖 /（人口 − 路网外 − 不适用）；路网外：距道路超过吸附距离（",
                       "Coverage = covered / (population − off network − not applicable); off network: farther than the snap limit (")
         << format_number(r.options.inputs.snap_limit_m)
         << w(" 米）的人口；不适用：规划未规定该地区的服务半径。", " m) from the roads; not applicable: the plans set no limit there.") << "</p>";

    // Not assessed, and why.
    rows.clear();
    for (const audit_service& s : r.services)
        if (!s.assessed) rows.push_back({{service_name(s), s.reason}, "na"});
    if (!rows.empty())
        body << "<h2>" << w("未评估的服务", "Services not assessed") << "</h2>"
             << html_table("not-assessed", {w("服务", "Service"), w("原因", "Reason")}, rows);

    if (r.compliance) {
        rows.clear();
        for (const compliance_row& row : r.compliance->rows) {
            const bool checked = row.status != rule_status::cannot_check;
            rows.push_back({{row.admin, rule_text(row, w.zh), row.source, checked ? format_number(row.required, 1) : "–",
                             checked ? format_number(row.present, 1) : "–",
                             row.status == rule_status::meets ? w("达标", "meets") : row.status == rule_status::short_of ? w("未达标", "short")
                                                                                                                      : w("无法核查", "cannot check"),
                             row.reason},
                            row.status == rule_status::meets ? "meets" : row.status == rule_status::short_of ? "short" : "na"});
        }
        body << "<h2>" << w("规划数量与配比规则", "The plans' count and ratio rules") << "</h2>"
             << html_table("compliance", {w("行政区", "Admin unit"), w("规则", "Rule"), w("来源", "Source"), w("要求", "Required"),
                                          w("现有", "Present"), w("结论", "Status"), w("说明", "Reason")},
                           rows);
    }

    if (!r.warnings.empty()) {
        body << "<h2>" << w("警告", "Warnings") << "</h2><ul class=\"warnings\" id=\"warnings\">";
        for (const std::string& warning : r.warnings) body << "<li>" << esc(warning) << "</li>";
        body << "</ul>";
    }
    body << "<h2>" << w("方法", "Methods") << "</h2><dl class=\"methods\" id=\"methods\"><dt>" << w("路网", "Road network") << "</dt><dd>";
    for (const audit_graph& g : r.graphs)
        body << esc(g.profile) << w("：载入 ", ": loaded ") << g.loads << w(" 次，供 ", " time(s) for ") << g.services
             << w(" 项服务使用（", " services (") << format_number(static_cast<double>(g.nodes)) << w(" 个节点，", " nodes, ")
             << format_number(static_cast<double>(g.edges)) << w(" 条边）。", " edges). ");
    body << "</dd><dt>" << w("标准", "Standards") << "</dt><dd>" << esc(r.standards_origin) << "</dd><dt>" << w("坐标系", "CRS") << "</dt><dd>"
         << esc(crs_label(r.crs)) << "</dd></dl>";

    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
    const std::string title = w("卫生服务体系规划空间标准评估", "Health-service plan audit");
    const std::string subtitle = std::to_string(assessed) + w(" 项服务已评估，", " services assessed, ") + std::to_string(met) +
                                 w(" 项达标；", " meet the standard; ") + std::filesystem::path(r.options.inputs.facilities).filename().string() +
                                 w("，", ", ") + date;
    std::ostringstream page;
    page << "<!DOCTYPE html>\n<html lang=\"" << (w.zh ? "zh-CN" : "en") << "\"><head><meta charset=\"utf-8\">"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" << esc(title) << "</title><style>" << report_css()
         << audit_css << "</style></head><body><h1>" << esc(title) << "</h1><p class=\"subtitle\">" << esc(subtitle) << "</p>" << body.str()
         << "<footer>" << w("由 healthreach ", "Made with healthreach ") << esc(version) << w(" 生成，", ", ") << date << "</footer></body></html>\n";
    write_file_atomically(path, page.str());
}

}  // namespace healthreach::geo
