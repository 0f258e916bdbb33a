#include "healthreach/geo/report_html.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/text.hpp"
#include "healthreach/geo/qgis_style.hpp"

#include <cpl_string.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

namespace healthreach::geo {

namespace {

const auto& esc = qgis::xml_escape;

std::string number(double v, int decimals = 0) { return format_number(v, decimals); }

// One translation per visible string.
struct words {
    bool zh;
    std::string operator()(const char* zh_text, const char* en_text) const { return zh ? zh_text : en_text; }
};

// Every ratio of the report, with the JSON's formula: covered / (population − off network − not
// applicable). Where nothing is left once the not-applicable people are taken out, the ratio is
// not applicable, not 0 %.
std::string coverage_ratio(const words& w, double covered, double population, double off_network, double not_applicable) {
    const double base = population - off_network - not_applicable;
    if (base > 0) return number(100 * covered / base, 1) + " %";
    return not_applicable > 0 ? w("不适用", "n/a") : "–";
}

// Numbers are right-aligned, words left; a ratio that does not apply stands where a number would.
bool is_number(const std::string& s) {
    return s == "n/a" || s == "不适用" ||
           (!s.empty() && s.find_first_not_of("0123456789,.-% \xe2\x80\x93") == std::string::npos);
}

class table {
public:
    table(std::string id, std::vector<std::string> header) : id_(std::move(id)), header_(std::move(header)) {}
    void row(std::vector<std::string> cells, const std::string& css = "") { rows_.push_back({std::move(cells), css}); }
    bool empty() const { return rows_.empty(); }
    std::string html() const {
        std::ostringstream o;
        o << "<table id=\"" << id_ << "\"><thead><tr>";
        for (const auto& h : header_) o << "<th>" << esc(h) << "</th>";
        o << "</tr></thead><tbody>";
        for (const auto& [cells, css] : rows_) {
            o << "<tr" << (css.empty() ? "" : " class=\"" + css + "\"") << ">";
            for (const auto& c : cells) o << (is_number(c) ? "<td>" : "<td class=\"t\">") << esc(c) << "</td>";
            o << "</tr>";
        }
        o << "</tbody></table>";
        return o.str();
    }

private:
    std::string id_;
    std::vector<std::string> header_;
    std::vector<std::pair<std::vector<std::string>, std::string>> rows_;
};

void each_feature(GDALDataset& ds, const char* layer_name, const std::function<void(OGRFeature&)>& fn) {
    OGRLayer* layer = ds.GetLayerByName(layer_name);
    if (!layer) return;
    layer->ResetReading();
    while (OGRFeature* f = layer->GetNextFeature()) {
        fn(*f);
        OGRFeature::DestroyFeature(f);
    }
}

double field(OGRFeature& f, const char* name) {
    const int i = f.GetFieldIndex(name);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsDouble(i) : std::nan("");
}

std::string text_field(OGRFeature& f, const char* name) {
    const int i = f.GetFieldIndex(name);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsString(i) : "";
}

// People of a row of the summary or of an area class, by status.
struct split {
    double population = 0, covered = 0, uncovered = 0, off_network = 0, not_applicable = 0;
    std::string ratio(const words& w) const { return coverage_ratio(w, covered, population, off_network, not_applicable); }
    // The figure of a status as demand_status_sql names it.
    double& of(const std::string& status) {
        if (status == "covered") return covered;
        if (status == "uncovered") return uncovered;
        return status == "off_network" ? off_network : not_applicable;
    }
};

// The demand layer summed by area class and status (empty without a demand layer).
std::map<std::string, split> demand_by_class(GDALDataset& ds, double snap_limit_m) {
    std::map<std::string, split> out;
    if (!ds.GetLayerByName("demand")) return out;
    const std::string sql = "SELECT area_class, " + demand_status_sql(snap_limit_m) +
                            " AS status, SUM(pop) AS people FROM demand GROUP BY 1, 2";
    OGRLayer* rows = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (!rows) throw std::runtime_error(ds.GetDescription() + std::string(": demand by class: ") + gdal_last_error());
    const std::unique_ptr<OGRLayer, std::function<void(OGRLayer*)>> release(rows, [&](OGRLayer* l) { ds.ReleaseResultSet(l); });
    for (feature_ptr f(rows->GetNextFeature()); f; f.reset(rows->GetNextFeature())) {
        split& s = out[f->GetFieldAsString("area_class")];
        const double people = f->GetFieldAsDouble("people");
        s.population += people;
        s.of(f->GetFieldAsString("status")) += people;
    }
    return out;
}

// Facilities in the facilities layer, and how many of them are off the network.
std::pair<double, double> facilities_on_network(GDALDataset& ds) {
    OGRLayer* layer = ds.GetLayerByName("facilities");
    if (!layer || layer->GetLayerDefn()->GetFieldIndex("on_network") < 0) return {0, 0};
    double all = 0, off = 0;
    each_feature(ds, "facilities", [&](OGRFeature& f) {
        ++all;
        if (f.GetFieldAsInteger("on_network") == 0) ++off;
    });
    return {all, off};
}

const char* style = R"(
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #1a1a1a; line-height: 1.5; padding: 0 1em; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; } .subtitle { color: #555; margin-top: 0; }
h2 { font-size: 1.25em; border-bottom: 2px solid #2166ac; padding-bottom: 0.2em; margin-top: 1.8em; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: right; }
th { background: #eef3f8; } td.t, th:first-child { text-align: left; }
tr.total td { font-weight: bold; background: #f6f6f6; } tr.short td { background: #fde0dd; }
tr.meets td:nth-last-child(2) { color: #1a7a35; } tr.short td:nth-last-child(2) { color: #b2182b; font-weight: bold; }
img.map { width: 100%; border: 1px solid #ddd; } .facts span { display: inline-block; margin-right: 2em; }
.facts b { font-size: 1.3em; } footer { color: #777; font-size: 0.85em; margin-top: 2em; }
ul.warnings li { color: #8a1c1c; } dl.methods dt { font-weight: bold; margin-top: 0.5em; } dl.methods dd { margin-left: 1.5em; }
)";

// Where proposed sites are: lon/lat (WGS 84) and the admin unit holding them.
class site_locator {
public:
    site_locator(const OGRSpatialReference* from, const map_request& r) {
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (from) {
            from_ = *from;
            from_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
            to_lonlat_.reset(OGRCreateCoordinateTransformation(&from_, &wgs84));
        }
        if (r.admin.empty()) return;
        admin_ = open_vector(r.admin);
        units_ = r.admin_layer.empty() ? admin_->GetLayer(0) : admin_->GetLayerByName(r.admin_layer.c_str());
        name_field_ = r.admin_field;
        if (units_ && from && units_->GetSpatialRef()) {
            OGRSpatialReference to(*units_->GetSpatialRef());
            to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
            to_admin_.reset(OGRCreateCoordinateTransformation(&from_, &to));
        }
    }
    bool lonlat(double x, double y, double& lon, double& lat) const {
        lon = x, lat = y;
        return to_lonlat_ && to_lonlat_->Transform(1, &lon, &lat);
    }
    std::string unit(double x, double y) const {
        if (!units_) return "";
        if (to_admin_ && !to_admin_->Transform(1, &x, &y)) return "";
        OGRPoint pt(x, y);
        units_->SetSpatialFilter(&pt);
        units_->ResetReading();
        std::string name;
        for (feature_ptr f(units_->GetNextFeature()); f && name.empty(); f.reset(units_->GetNextFeature())) {
            const OGRGeometry* g = f->GetGeometryRef();
            if (g && g->Contains(&pt)) name = name_field_.empty() ? std::to_string(f->GetFID()) : text_field(*f, name_field_.c_str());
        }
        units_->SetSpatialFilter(nullptr);
        return name;
    }

private:
    struct ct_release {
        void operator()(OGRCoordinateTransformation* ct) const { OGRCoordinateTransformation::DestroyCT(ct); }
    };
    OGRSpatialReference from_;
    std::unique_ptr<OGRCoordinateTransformation, ct_release> to_lonlat_, to_admin_;
    dataset_ptr admin_;
    OGRLayer* units_ = nullptr;
    std::string name_field_;
};

std::string crs_name(const OGRSpatialReference* srs) {
    if (srs && srs->GetAuthorityName(nullptr) && srs->GetAuthorityCode(nullptr))
        return std::string(srs->GetAuthorityName(nullptr)) + ":" + srs->GetAuthorityCode(nullptr);
    return srs && srs->GetName() ? srs->GetName() : "CRS";
}

}  // namespace

void write_report_html(const map_request& r, const report_notes& notes, const std::string& png, const std::string& version,
                       const std::string& path) {
    const words w{r.lang != "en"};
    dataset_ptr ds = open_vector(output_transaction::readable_path(r.gpkg));
    std::ostringstream body;

    // Summary per admin unit, with the ratio rule (units required at the plan's ratio) beside it.
    table summary("summary", {w("行政区", "Admin unit"), w("人口", "Population"), w("覆盖", "Covered"), w("未覆盖", "Uncovered"),
                              w("路网外", "Off network"), w("不适用", "Not applicable"), w("覆盖率", "Coverage"),
                              w("按比例需配置", "Units required"), w("现有", "Units present")});
    split total;
    int summary_rows = 0;
    each_feature(*ds, "summary", [&](OGRFeature& f) {
        ++summary_rows;
        const std::string name = text_field(f, "name");
        const split s{field(f, "population"), field(f, "covered"), field(f, "uncovered"), field(f, "off_network"),
                      field(f, "not_applicable")};
        if (name == "total") total = s;
        summary.row({name == "total" ? w("合计", "Total") : name == "(outside every unit)" ? w("（行政区外）", "(outside every unit)") : name,
                     number(s.population), number(s.covered), number(s.uncovered), number(s.off_network), number(s.not_applicable),
                     s.ratio(w), number(field(f, "units_required")), number(field(f, "units_present"), 0)},
                    name == "total" ? "total" : "");
    });
    // Urban and rural from the demand points, each with all its statuses, so that its ratio is the
    // headline's formula applied to the class; the total row is the summary's.
    table classes("classes", {w("", ""), w("人口", "Population"), w("覆盖", "Covered"), w("未覆盖", "Uncovered"), w("路网外", "Off network"),
                              w("不适用", "Not applicable"), w("覆盖率", "Coverage")});
    std::map<std::string, split> by_class = demand_by_class(*ds, r.snap_limit_m);
    if (!ds->GetLayerByName("demand") && r.demand)
        for (const auto& [name, p] : {std::pair{"urban", r.demand->urban}, std::pair{"rural", r.demand->rural}})
            if (p.population > 0) by_class[name] = {p.population, p.covered, p.uncovered, p.off_network, p.not_applicable};
    auto class_row = [&](const std::string& label, const split& s, const std::string& css = "") {
        classes.row({label, number(s.population), number(s.covered), number(s.uncovered), number(s.off_network),
                     number(s.not_applicable), s.ratio(w)},
                    css);
    };
    if (!by_class.empty()) {
        for (const auto& [name, label] : {std::pair{"urban", w("城市", "Urban")}, std::pair{"rural", w("农村", "Rural")}})
            class_row(label, by_class.count(name) ? by_class.at(name) : split{});
        class_row(w("合计", "Total"), total, "total");
    }
    if (!summary.empty()) {
        body << "<div class=\"facts\" id=\"facts\"><span>" << w("总人口", "Population") << " <b>" << number(total.population)
             << "</b></span><span>" << w("覆盖", "Covered") << " <b>" << number(total.covered) << "</b></span><span>"
             << w("未覆盖", "Uncovered") << " <b>" << number(total.uncovered) << "</b></span><span>" << w("路网外", "Off network")
             << " <b>" << number(total.off_network) << "</b></span>";
        if (total.not_applicable > 0)
            body << "<span>" << w("不适用", "Not applicable") << " <b>" << number(total.not_applicable) << "</b></span>";
        body << "<span>" << w("覆盖率", "Coverage") << " <b>" << total.ratio(w) << "</b></span></div>";
        // Without admin units the summary holds the total alone.
        body << "<h2>" << (summary_rows > 1 ? w("按行政区汇总", "Summary by admin unit") : w("汇总", "Summary")) << "</h2>"
             << summary.html()
             << "<p>" << w("覆盖率 = 覆盖 /（人口 − 路网外 − 不适用），全文同一公式；路网外：距道路超过吸附距离（",
                          "Coverage = covered / (population − off network − not applicable), the one formula of every ratio "
                          "here; off network: farther than the snap limit (")
             << number(r.snap_limit_m) << w(" 米）的人口；不适用：规划未规定该地区的服务半径；按比例需配置：规划规定的每单位服务人口（如每 3 万人 1 辆救护车）。",
                                           " m) from the roads; not applicable: the plans set no limit there; units required: the "
                                           "plan's ratio (for example one ambulance per 30,000 residents).")
             << "</p>";
        if (!classes.empty()) body << "<h2>" << w("城乡分布", "Urban and rural") << "</h2>" << classes.html();
        const auto [facilities, off_network] = facilities_on_network(*ds);
        if (off_network > 0)
            body << "<p>" << number(off_network) << w(" 个设施（共 ", " of ") << number(facilities)
                 << w(" 个）距道路超过吸附距离，未计入覆盖；地图上以空心方框标出。",
                      " facilities lie farther than the snap limit from the roads and cover nobody; the map shows them as hollow squares.")
                 << "</p>";
    }

    // People by the run's --bands, cumulative, as shares of the people a limit applies to.
    table bands("bands", {w("出行成本", "Within"), w("人口", "People"), w("占比", "Share")});
    for (const report_band& b : notes.bands)
        bands.row({"≤ " + b.within, number(b.people), notes.band_base > 0 ? number(100 * b.people / notes.band_base, 1) + " %" : "–"});
    if (!bands.empty())
        body << "<h2>" << w("按出行成本累计人口", "People within each travel band") << "</h2>" << bands.html() << "<p>"
             << w("累计：每一档含更近各档的人口；占比以（人口 − 路网外 − 不适用）为分母，与覆盖率相同。",
                  "Cumulative: each band holds the nearer ones; shares are of population − off network − not applicable, as for coverage.")
             << "</p>";

    // The facilities whose closure would leave most people uncovered.
    table relied("most_relied_on", {w("编号", "Id"), w("名称", "Name"), w("服务半径内人口", "People within the limit"),
                                    w("仅由其覆盖", "Covered by it alone")});
    for (const report_facility& f : notes.most_relied_on)
        relied.row({f.id, f.name, number(f.pop_within_limit), number(f.pop_sole)});
    if (!relied.empty()) {
        body << "<h2>" << w("最受依赖的设施", "Facilities most relied on") << "</h2>" << relied.html() << "<p>"
             << w("仅由其覆盖：服务半径内没有其他设施能覆盖的人口，该设施关闭后即成为未覆盖。",
                  "Covered by it alone: people no other facility reaches within the limit; they become uncovered if it closes.");
        if (notes.facilities_none_sole > 0)
            body << w("另有 ", " ") << number(static_cast<double>(notes.facilities_none_sole)) << w(" 个设施（共 ", " of the ")
                 << number(static_cast<double>(notes.facilities_on_network))
                 << w(" 个在路网上）服务的人口均有其他设施覆盖。", " facilities on the network cover nobody that another does not also cover.");
        body << "</p>";
    }

    // Proposed sites (optimize) and ranked candidates (evaluate).
    OGRLayer* proposed = ds->GetLayerByName("proposed_sites");
    const OGRSpatialReference* out_crs = proposed ? proposed->GetSpatialRef() : nullptr;
    const site_locator where(out_crs, r);
    table sites("proposed_sites", {w("排序", "Rank"), w("编号", "Id"), w("经度", "Lon"), w("纬度", "Lat"), "X (" + crs_name(out_crs) + ")",
                                   "Y (" + crs_name(out_crs) + ")", w("所在行政区", "Admin unit"), w("新增覆盖人口", "People added"),
                                   w("累计覆盖", "Cumulative covered"), w("需配置", "Units required")});
    double covered_after = -1;
    each_feature(*ds, "proposed_sites", [&](OGRFeature& f) {
        const OGRGeometry* g = f.GetGeometryRef();
        double x = std::nan(""), y = std::nan(""), lon = std::nan(""), lat = std::nan("");
        if (g && !g->IsEmpty() && wkbFlatten(g->getGeometryType()) == wkbPoint) {
            x = g->toPoint()->getX(), y = g->toPoint()->getY();
            if (!where.lonlat(x, y, lon, lat)) lon = lat = std::nan("");
        }
        covered_after = std::max(covered_after, field(f, "cumulative_covered"));
        sites.row({number(field(f, "rank")), text_field(f, "id"), number(lon, 6), number(lat, 6), number(x, 1), number(y, 1),
                   std::isnan(x) ? "" : where.unit(x, y), number(field(f, "gain")), number(field(f, "cumulative_covered")),
                   number(field(f, "units_required"))});
    });
    if (!sites.empty()) {
        body << "<h2>" << w("建议新址", "Proposed sites") << "</h2>";
        const double base = total.population - total.off_network - total.not_applicable;
        if (covered_after >= 0 && base > 0)
            body << "<p id=\"before-after\">" << w("新增站点后覆盖率由 ", "With the proposed sites coverage rises from ") << total.ratio(w)
                 << w(" 提高到 ", " to ") << number(100 * covered_after / base, 1) << " %" << w("（新增覆盖 ", " (")
                 << number(covered_after - total.covered) << w(" 人）；地图上蓝色为新增覆盖人口。", " more people covered; blue on the map).")
                 << "</p>";
        body << sites.html();
    }
    // Candidates in rank order, best first.
    std::vector<std::pair<double, std::vector<std::string>>> ranked;
    each_feature(*ds, "candidates", [&](OGRFeature& f) {
        ranked.push_back({field(f, "rank"), {number(field(f, "rank")), text_field(f, "id"), text_field(f, "name"), number(field(f, "gain")),
                                             text_field(f, "gaining_units")}});
    });
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    table candidates("candidates", {w("排序", "Rank"), w("编号", "Id"), w("名称", "Name"), w("新增覆盖人口", "Gain"), w("受益行政区", "Gaining units")});
    for (auto& row : ranked) candidates.row(std::move(row.second));
    if (!candidates.empty()) body << "<h2>" << w("候选点评估", "Candidates") << "</h2>" << candidates.html();

    // Compliance with the plans' count and ratio rules.
    table rules("compliance", {w("行政区", "Admin unit"), w("规则", "Rule"), w("来源", "Source"), w("要求", "Required"), w("现有", "Present"),
                 w("结论", "Status"), w("说明", "Reason")});
    each_feature(*ds, "compliance", [&](OGRFeature& f) {
        const std::string status = text_field(f, "status");
        const std::string shown = status == "meets" ? w("达标", "meets") : status == "short" ? w("未达标", "short")
                                                                                              : w("无法核查", "cannot check");
        rules.row({text_field(f, "admin"), text_field(f, "description"), text_field(f, "source"), number(field(f, "required"), 1),
                   number(field(f, "present"), 1), shown, text_field(f, "reason")},
                  status == "meets" ? "meets" : "short");
    });
    if (!rules.empty()) body << "<h2>" << w("规划标准达标情况", "Compliance with the plans' rules") << "</h2>" << rules.html();

    // Warnings first among the notes: a planner must not miss them.
    if (!notes.warnings.empty()) {
        body << "<h2>" << w("警告", "Warnings") << "</h2><ul class=\"warnings\" id=\"warnings\">";
        for (const std::string& warning : notes.warnings) body << "<li>" << esc(warning) << "</li>";
        body << "</ul>";
    }
    if (!notes.methods.empty()) {
        body << "<h2>" << w("方法", "Methods") << "</h2><dl class=\"methods\" id=\"methods\">";
        for (const auto& [what, how] : notes.methods) body << "<dt>" << esc(what) << "</dt><dd>" << esc(how) << "</dd>";
        body << "</dl>";
    }

    char* b64 = CPLBase64Encode(static_cast<int>(png.size()), reinterpret_cast<const GByte*>(png.data()));
    const std::string map_data = b64 ? b64 : "";
    CPLFree(b64);

    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
    std::ostringstream page;
    page << "<!DOCTYPE html>\n<html lang=\"" << (w.zh ? "zh-CN" : "en") << "\"><head><meta charset=\"utf-8\">"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" << esc(r.title) << "</title><style>"
         << style << "</style></head><body><h1>" << esc(r.title) << "</h1><p class=\"subtitle\">" << esc(r.subtitle) << "</p>"
         << "<img class=\"map\" alt=\"" << w("覆盖地图", "Coverage map") << "\" src=\"data:image/png;base64," << map_data << "\">"
         << body.str() << "<footer>" << w("由 healthreach ", "Made with healthreach ") << esc(version) << w(" 生成，", ", ") << date
         << w("；数据：", "; data: ") << esc(std::filesystem::path(r.gpkg).filename().string()) << "</footer></body></html>\n";

    write_file_atomically(path, page.str());
}

std::string report_css() { return style; }

std::string html_table(const std::string& id, const std::vector<std::string>& header,
                       const std::vector<std::pair<std::vector<std::string>, std::string>>& rows) {
    table t(id, header);
    for (const auto& [cells, css] : rows) t.row(cells, css);
    return t.html();
}

}  // namespace healthreach::geo
