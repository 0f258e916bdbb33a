#include "healthreach/geo/report_html.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/qgis_style.hpp"

#include <cpl_string.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <sstream>
#include <vector>

namespace healthreach::geo {

namespace {

const auto& esc = qgis::xml_escape;

std::string number(double v, int decimals = 0) {
    if (std::isnan(v)) return "–";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    // Thousands separators for the integer part.
    std::string s = buf;
    const auto dot = s.find('.');
    std::string whole = s.substr(0, dot), rest = dot == std::string::npos ? "" : s.substr(dot);
    const bool negative = !whole.empty() && whole[0] == '-';
    if (negative) whole.erase(0, 1);
    for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(static_cast<std::size_t>(i), ",");
    return (negative ? "-" : "") + whole + rest;
}

std::string percent(double part, double whole) {
    return whole > 0 ? number(100 * part / whole, 1) + " %" : "–";
}

// One translation per visible string.
struct words {
    bool zh;
    std::string operator()(const char* zh_text, const char* en_text) const { return zh ? zh_text : en_text; }
};

// Numbers are right-aligned, words left.
bool is_number(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789,.-% \xe2\x80\x93") == std::string::npos;
}

class table {
public:
    explicit table(std::vector<std::string> header) : header_(std::move(header)) {}
    void row(std::vector<std::string> cells, const std::string& css = "") { rows_.push_back({std::move(cells), css}); }
    bool empty() const { return rows_.empty(); }
    std::string html() const {
        std::ostringstream o;
        o << "<table><thead><tr>";
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
)";

}  // namespace

void write_report_html(const map_request& r, const std::string& png, const std::string& version,
                       const std::string& path) {
    const words w{r.lang != "en"};
    dataset_ptr ds = open_vector(output_transaction::readable_path(r.gpkg));
    std::ostringstream body;

    // Summary per admin unit, with the ratio rule (units required at the plan's ratio) beside it.
    table summary({w("行政区", "Admin unit"), w("人口", "Population"), w("覆盖", "Covered"), w("未覆盖", "Uncovered"),
                   w("路网外", "Off network"), w("不适用", "Not applicable"), w("覆盖率", "Coverage"),
                   w("按比例需配置", "Units required"), w("现有", "Units present")});
    table split({w("", ""), w("人口", "Population"), w("覆盖", "Covered"), w("覆盖率", "Coverage")});
    double total_pop = 0, total_cov = 0, total_off = 0, total_na = 0;
    each_feature(*ds, "summary", [&](OGRFeature& f) {
        const std::string name = text_field(f, "name");
        const bool total = name == "total";
        const double pop = field(f, "population"), cov = field(f, "covered"), off = field(f, "off_network"),
                     na = field(f, "not_applicable");
        summary.row({total ? w("合计", "Total") : name == "(outside every unit)" ? w("（行政区外）", "(outside every unit)") : name,
                     number(pop), number(cov), number(field(f, "uncovered")), number(off), number(na),
                     percent(cov, pop - off - na), number(field(f, "units_required")), number(field(f, "units_present"), 0)},
                    total ? "total" : "");
        if (total) {
            total_pop = pop, total_cov = cov, total_off = off, total_na = na;
            split.row({w("城市", "Urban"), number(field(f, "urban_population")), number(field(f, "urban_covered")),
                       percent(field(f, "urban_covered"), field(f, "urban_population"))});
            split.row({w("农村", "Rural"), number(field(f, "rural_population")), number(field(f, "rural_covered")),
                       percent(field(f, "rural_covered"), field(f, "rural_population"))});
        }
    });
    if (!summary.empty()) {
        body << "<div class=\"facts\"><span>" << w("总人口", "Population") << " <b>" << number(total_pop) << "</b></span><span>"
             << w("覆盖", "Covered") << " <b>" << number(total_cov) << "</b></span><span>" << w("覆盖率", "Coverage") << " <b>"
             << percent(total_cov, total_pop - total_off - total_na) << "</b></span></div>";
        body << "<h2>" << w("按行政区汇总", "Summary by admin unit") << "</h2>" << summary.html()
             << "<p>" << w("覆盖率 = 覆盖 /（人口 − 路网外 − 不适用）；按比例需配置：规划规定的每单位服务人口（如每 3 万人 1 辆救护车）。",
                          "Coverage = covered / (population − off network − not applicable); units required: the plan's "
                          "ratio (for example one ambulance per 30,000 residents).")
             << "</p><h2>" << w("城乡分布", "Urban and rural") << "</h2>" << split.html();
    }

    // Proposed sites (optimize) and ranked candidates (evaluate).
    table sites({w("排序", "Rank"), w("编号", "Id"), w("新增覆盖人口", "Gain"), w("累计覆盖", "Cumulative covered"),
                 w("需配置", "Units required")});
    each_feature(*ds, "proposed_sites", [&](OGRFeature& f) {
        sites.row({number(field(f, "rank")), text_field(f, "id"), number(field(f, "gain")), number(field(f, "cumulative_covered")),
                   number(field(f, "units_required"))});
    });
    if (!sites.empty()) body << "<h2>" << w("建议新址", "Proposed sites") << "</h2>" << sites.html();
    table candidates({w("排序", "Rank"), w("编号", "Id"), w("名称", "Name"), w("新增覆盖人口", "Gain"), w("受益行政区", "Gaining units")});
    each_feature(*ds, "candidates", [&](OGRFeature& f) {
        candidates.row({number(field(f, "rank")), text_field(f, "id"), text_field(f, "name"), number(field(f, "gain")),
                        text_field(f, "gaining_units")});
    });
    if (!candidates.empty()) body << "<h2>" << w("候选点评估", "Candidates") << "</h2>" << candidates.html();

    // Compliance with the plans' count and ratio rules.
    table rules({w("行政区", "Admin unit"), w("规则", "Rule"), w("来源", "Source"), w("要求", "Required"), w("现有", "Present"),
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

}  // namespace healthreach::geo
