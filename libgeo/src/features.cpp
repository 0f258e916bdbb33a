#include "healthreach/geo/features.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/text.hpp"

#include <cpl_string.h>
#include <geos_c.h>

#include <iconv.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

namespace healthreach::geo {

namespace {

std::string lower_extension(const std::string& path) {
    const std::size_t dot = path.find_last_of("./");
    std::string ext = dot == std::string::npos || path[dot] == '/' ? "" : path.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

bool is_csv(const std::string& path) { return lower_extension(path) == ".csv"; }

// A field name as compared with the names we look for: separators gone, ASCII letters lower case.
std::string name_key(const std::string& name) {
    std::string k;
    for (char c : type_key(name))
        if (c != '_' && c != ' ' && c != '-' && c != '.' && c != ':') k += c;
    return k;
}

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::string field_list(OGRFeatureDefn& defn) {
    std::string fields;
    for (int k = 0; k < defn.GetFieldCount(); ++k) fields += (k ? ", " : "") + std::string(defn.GetFieldDefn(k)->GetNameRef());
    return fields.empty() ? "none" : fields;
}

// Columns a coordinate is looked for in (name_key form), when --lon-field/--lat-field are not given.
const std::vector<std::string> lon_names = {"lon", "lng", "longitude", "经度", "x"};
const std::vector<std::string> lat_names = {"lat", "latitude", "纬度", "y"};

// The one column of `names` the layer has, -1 when none; input_error when two could give the same
// coordinate (GDAL-style guessing would take either).
int coordinate_column(OGRFeatureDefn& defn, const std::vector<std::string>& names, const std::string& where,
                      const char* option) {
    int found = -1;
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        const std::string key = name_key(defn.GetFieldDefn(i)->GetNameRef());
        if (std::find(names.begin(), names.end(), key) == names.end()) continue;
        if (found >= 0)
            throw input_error(where + ": columns '" + defn.GetFieldDefn(found)->GetNameRef() + "' and '" +
                              defn.GetFieldDefn(i)->GetNameRef() + "' both name a coordinate: keep one, or name it with " +
                              option);
        found = i;
    }
    return found;
}

// A CSV file's bytes as UTF-8: as they are when they are UTF-8 (a byte-order mark included), else
// decoded as GBK (CP936, what Excel saves on Chinese Windows). input_error naming the file and the
// row when the bytes are not GBK either, or when most characters they decode to are rare ones
// (outside GB2312) or sit inside Latin words: then they are most likely in another encoding
// (Latin-1, Big5, ...) that GBK misreads.
std::string csv_text_as_utf8(const std::string& path, const std::string& bytes, std::vector<std::string>& notes) {
    if (is_utf8(bytes)) return bytes;
    auto row_of = [&](std::size_t offset) { return std::count(bytes.begin(), bytes.begin() + offset, '\n') + 1; };
    std::size_t pairs = 0, rare = 0, first_rare = std::string::npos;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (b < 0x80) continue;
        const auto t = i + 1 < bytes.size() ? static_cast<unsigned char>(bytes[i + 1]) : 0;
        if (b == 0x80 || b == 0xFF || t < 0x40 || t == 0x7F || t == 0xFF)
            throw input_error(path + ": row " + std::to_string(row_of(i)) +
                              ": the text is neither UTF-8 nor GBK (byte " + std::to_string(i) +
                              "); save the file as UTF-8 (Excel: CSV UTF-8)");
        ++pairs;
        // Outside GB2312, or glued inside a Latin word ("Esta\xE7\xE3o": Latin-1's "çã" is a GB2312 pair).
        const auto ascii_letter = [](std::size_t at, const std::string& text) {
            return at < text.size() && std::isalpha(static_cast<unsigned char>(text[at])) && static_cast<unsigned char>(text[at]) < 0x80;
        };
        const bool inside_word = i > 0 && ascii_letter(i - 1, bytes) && ascii_letter(i + 2, bytes);
        if (!(b >= 0xA1 && b <= 0xF7 && t >= 0xA1) || inside_word) {
            ++rare;
            if (first_rare == std::string::npos) first_rare = i;
        }
        ++i;
    }
    iconv_t cd = iconv_open("UTF-8", "GBK");
    if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv cannot decode GBK on this system");
    std::string out(bytes.size() * 2 + 16, '\0');
    char* in = const_cast<char*>(bytes.data());
    char* to = out.data();
    std::size_t in_left = bytes.size(), out_left = out.size();
    const std::size_t r = iconv(cd, &in, &in_left, &to, &out_left);
    iconv_close(cd);
    if (r == static_cast<std::size_t>(-1))
        throw input_error(path + ": row " + std::to_string(row_of(bytes.size() - in_left)) +
                          ": the text is neither UTF-8 nor GBK; save the file as UTF-8 (Excel: CSV UTF-8)");
    out.resize(out.size() - out_left);
    // Chinese text in GBK is almost all GB2312 characters, next to other characters, spaces,
    // digits or punctuation; a Latin-1 "é" before a letter, or Big5, reads as rare ones.
    if (rare * 4 > pairs) {
        const std::size_t newline = bytes.rfind('\n', first_rare);
        const std::size_t line_start = newline == std::string::npos ? 0 : newline + 1;
        std::string line = bytes.substr(line_start, bytes.find('\n', first_rare) - line_start);
        if (line.size() > 80) line = line.substr(0, 80);
        std::string shown;
        for (unsigned char c : line) {
            if (c >= 0x20 && c < 0x7F) shown += static_cast<char>(c);
            else {
                char hex[8];
                std::snprintf(hex, sizeof hex, "\\x%02X", c);
                shown += hex;
            }
        }
        throw input_error(path + ": row " + std::to_string(row_of(first_rare)) + " ('" + shown +
                          "'): the text is not UTF-8, and read as GBK " + std::to_string(rare) + " of its " +
                          std::to_string(pairs) +
                          " non-ASCII characters would be rare ones or sit inside Latin words: another encoding (Latin-1, Big5, ...)? "
                          "Save the file as UTF-8 (Excel: CSV UTF-8)");
    }
    notes.push_back("text read as GBK (not UTF-8)");
    return out;
}

// A GDAL configuration option set for this thread while the holder lives.
class thread_option {
public:
    thread_option(const char* name, const char* value) : name_(name) {
        const char* before = CPLGetThreadLocalConfigOption(name, nullptr);
        if (before) before_ = before;
        CPLSetThreadLocalConfigOption(name, value);
    }
    ~thread_option() { CPLSetThreadLocalConfigOption(name_, before_ ? before_->c_str() : nullptr); }
    thread_option(const thread_option&) = delete;
    thread_option& operator=(const thread_option&) = delete;

private:
    const char* name_;
    std::optional<std::string> before_;
};

// A file in GDAL's memory file system, removed when the holder goes.
struct memory_file {
    std::string path;
    ~memory_file() {
        if (!path.empty()) VSIUnlink(path.c_str());
    }
};

dataset_ptr open_points(const std::string& path, memory_file& decoded, std::vector<std::string>& notes) {
    if (!is_csv(path)) return open_vector(path);
    init_gdal();
    VSIStatBufL st;
    if (VSIStatL(path.c_str(), &st) != 0) throw input_error(path + ": no such file");
    std::string bytes;
    {
        VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
        if (!f) throw input_error(path + ": cannot open");
        bytes.resize(static_cast<std::size_t>(st.st_size));
        const std::size_t got = bytes.empty() ? 0 : VSIFReadL(bytes.data(), 1, bytes.size(), f);
        VSIFCloseL(f);
        if (got != bytes.size()) throw input_error(path + ": cannot read");
    }
    std::string open_path = path;
    if (!is_utf8(bytes)) {
        const std::string text = csv_text_as_utf8(path, bytes, notes);
        static std::atomic<unsigned> counter{0};
        decoded.path = "/vsimem/healthreach-points-" + std::to_string(counter++) + ".csv";
        auto* buffer = static_cast<GByte*>(CPLMalloc(text.size() + 1));
        std::copy(text.begin(), text.end(), buffer);
        VSIFCloseL(VSIFileFromMemBuffer(decoded.path.c_str(), buffer, text.size(), TRUE));  // the file owns the buffer
        open_path = decoded.path;
    }
    const char* csv_only[] = {"CSV", nullptr};  // not whichever driver recognises the bytes
    dataset_ptr ds(GDALDataset::Open(open_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, csv_only, nullptr));
    if (!ds) throw input_error(path + ": not a CSV file GDAL can read: " + gdal_last_error());
    return ds;
}

bool is_table(OGRLayer& layer) { return layer.GetLayerDefn()->GetGeomFieldCount() == 0; }

bool has_coordinate_columns(OGRLayer& layer, const point_options& o) {
    OGRFeatureDefn& defn = *layer.GetLayerDefn();
    auto has = [&](const std::string& named, const std::vector<std::string>& names) {
        if (!named.empty()) return defn.GetFieldIndex(named.c_str()) >= 0;
        for (int i = 0; i < defn.GetFieldCount(); ++i)
            if (std::find(names.begin(), names.end(), name_key(defn.GetFieldDefn(i)->GetNameRef())) != names.end()) return true;
        return false;
    };
    return has(o.lon_field, lon_names) && has(o.lat_field, lat_names);
}

// The layer to read: as choose_layer for point layers; a source of tables only (a workbook's
// sheets) gives its only table with coordinate columns, with a note, or is an error listing them.
OGRLayer& choose_point_layer(GDALDataset& ds, const std::string& path, const point_options& o, std::string& note) {
    bool all_tables = true;
    for (int i = 0; i < ds.GetLayerCount(); ++i) all_tables = all_tables && is_table(*ds.GetLayer(i));
    if (!o.layer.empty() || ds.GetLayerCount() == 1 || !all_tables)
        return choose_layer(ds, path, o.layer, geometry_kind::point, o.layer_option, note);
    std::vector<OGRLayer*> fitting;
    std::string listing;
    for (int i = 0; i < ds.GetLayerCount(); ++i) {
        OGRLayer* l = ds.GetLayer(i);
        if (has_coordinate_columns(*l, o)) fitting.push_back(l);
        listing += (i ? ", " : "") + std::string(l->GetName());
    }
    if (fitting.size() == 1) {
        note = path + ": " + std::to_string(ds.GetLayerCount()) + " sheets; read '" + fitting.front()->GetName() +
               "', the only one with coordinate columns (" + o.layer_option + " names another)";
        return *fitting.front();
    }
    throw input_error(path + ": " + std::to_string(ds.GetLayerCount()) + " sheets and " +
                      (fitting.empty() ? std::string("none") : std::to_string(fitting.size())) +
                      " with coordinate columns: name the one to read with " + o.layer_option + " (sheets: " + listing + ")");
}

// How a feature is named in messages: spreadsheet rows as users see them (the header is row 1).
std::string feature_label(const std::string& driver, GIntBig fid) {
    if (driver == "CSV") return "row " + std::to_string(fid + 1);
    if (driver == "XLSX" || driver == "ODS" || driver == "XLS") return "row " + std::to_string(fid);
    return "feature " + std::to_string(fid);
}

// One coordinate of a table row: a number field as it is, a text field parsed whole (spaces
// trimmed). input_error naming the row, the column and the value when it is empty, not a number or
// not finite.
double table_coordinate(OGRFeature& f, int i, const std::string& where, const std::string& row) {
    OGRFieldDefn& def = *f.GetFieldDefnRef(i);
    const std::string column = def.GetNameRef();
    if (!f.IsFieldSetAndNotNull(i) || trimmed(f.GetFieldAsString(i)).empty())
        throw input_error(where + ": " + row + ": column '" + column + "' is empty; every row needs both coordinates");
    double v = 0;
    const std::string text = trimmed(f.GetFieldAsString(i));
    if (def.GetType() == OFTReal || def.GetType() == OFTInteger || def.GetType() == OFTInteger64) {
        v = f.GetFieldAsDouble(i);
    } else {
        char* end = nullptr;
        v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0')
            throw input_error(where + ": " + row + ": column '" + column + "' holds '" + text + "', not a number");
    }
    if (!std::isfinite(v))
        throw input_error(where + ": " + row + ": column '" + column + "' holds '" + text + "', not a finite number");
    return v;
}

bool row_is_empty(OGRFeature& f) {
    for (int i = 0; i < f.GetFieldCount(); ++i)
        if (f.IsFieldSetAndNotNull(i) && !trimmed(f.GetFieldAsString(i)).empty()) return false;
    return true;
}

// Polygon features stand for a point on their surface (counted in `from_polygons`).
OGRPoint point_of(const OGRGeometry& g, const std::string& where, GIntBig fid, std::size_t& from_polygons) {
    switch (wkbFlatten(g.getGeometryType())) {
    case wkbPoint: return *g.toPoint();
    case wkbMultiPoint: return *g.toMultiPoint()->getGeometryRef(0);
    case wkbPolygon:
    case wkbMultiPolygon: {
        std::unique_ptr<OGRGeometry> inner(
            OGRGeometry::FromHandle(OGR_G_PointOnSurface(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&g)))));
        if (!inner) throw input_error(where + ": feature " + std::to_string(fid) + " has an invalid polygon");
        ++from_polygons;
        return *inner->toPoint();
    }
    default:
        throw input_error(where + ": feature " + std::to_string(fid) + " is a " + g.getGeometryName() + ", not a point");
    }
}

OGRSpatialReference wgs84() {
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    return traditional(srs);
}

// The CRS of a table's coordinates (and of a CSV's WKT column without one): --points-crs, else WGS 84.
OGRSpatialReference table_srs(const point_options& o) {
    if (o.points_crs.empty()) return wgs84();
    init_gdal();
    OGRSpatialReference srs;
    if (srs.SetFromUserInput(o.points_crs.c_str()) != OGRERR_NONE)
        throw input_error("--points-crs: cannot understand '" + o.points_crs + "' (EPSG:N)");
    return traditional(srs);
}

// CGCS2000 (EPSG:4490) differs from WGS 84 by centimetres, far below what a facility's position
// means here: it is read as WGS 84, so that GCJ-02/BD-09 conversions and transformations start from
// the same datum.
OGRSpatialReference as_wgs84_when_cgcs2000(const OGRSpatialReference& srs, std::vector<std::string>& notes) {
    const char* authority = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (authority && code && std::string(authority) == "EPSG" && std::string(code) == "4490") {
        notes.push_back("EPSG:4490 (CGCS2000) taken as WGS 84");
        return wgs84();
    }
    return srs;
}

}  // namespace

point_options placement_of(const point_options& o) {
    point_options p;
    p.lon_field = o.lon_field;
    p.lat_field = o.lat_field;
    p.points_crs = o.points_crs;
    p.coords = o.coords;
    return p;
}

const std::vector<std::string> name_field_guesses = {"name", "名称", "facility_name", "机构名称", "医院名称", "单位名称",
                                                     "hospital_name", "health_facility_name", "site_name", "name_en",
                                                     "name_zh"};

namespace {

// The field a user named (input_error listing the layer's fields when it is absent), or else the
// default name when the layer has it (-1 when not).
int named_field(OGRFeatureDefn& defn, const std::string& named, const char* fallback, const std::string& where,
                const char* role) {
    if (named.empty()) return defn.GetFieldIndex(fallback);
    const int i = defn.GetFieldIndex(named.c_str());
    if (i >= 0) return i;
    throw input_error(where + ": no field '" + named + "' (" + role + "; fields: " + field_list(defn) + ")");
}

// The name field when none is named: the first of name_field_guesses the layer has, or -1.
int guessed_name_field(OGRFeatureDefn& defn) {
    for (const std::string& guess : name_field_guesses)
        for (int i = 0; i < defn.GetFieldCount(); ++i)
            if (name_key(defn.GetFieldDefn(i)->GetNameRef()) == name_key(guess)) return i;
    return -1;
}

// Warnings about a layer's names or ids: repeated ones (the first few named) and ones that are not
// UTF-8 (written with U+FFFD in JSON).
void check_names(const std::vector<std::string>& names, const std::string& where, const char* what,
                 std::vector<std::string>& warnings) {
    std::map<std::string, int> seen;
    std::vector<std::string> repeated;
    std::size_t not_utf8 = 0;
    for (const std::string& n : names) {
        if (!n.empty() && ++seen[n] == 2) repeated.push_back(n);  // no name is not a repeated one
        if (!is_utf8(n)) ++not_utf8;
    }
    if (!repeated.empty()) {
        std::string list;
        for (std::size_t i = 0; i < repeated.size() && i < 5; ++i) list += (i ? ", " : "") + std::string("'") + repeated[i] + "'";
        if (repeated.size() > 5) list += ", ...";
        warnings.push_back(where + ": " + std::to_string(repeated.size()) + " " + what +
                           " used by more than one feature (" + list + "); results name them alike");
    }
    if (not_utf8)
        warnings.push_back(where + ": " + std::to_string(not_utf8) + " " + what +
                           " are not UTF-8 text (another encoding?): shown with the replacement character");
}

}  // namespace

point_set read_points(const std::string& path, const OGRSpatialReference& metric, const point_options& options) {
    // A spreadsheet's first row is its header, also when every cell is text (coordinates copied
    // as text): GDAL's guess would take such a header for data. Read lazily, so held throughout.
    const thread_option xlsx_headers("OGR_XLSX_HEADERS", "FORCE"), ods_headers("OGR_ODS_HEADERS", "FORCE");
    point_set pts;
    memory_file decoded;  // outlives the dataset read from it
    dataset_ptr ds = open_points(path, decoded, pts.notes);
    std::string picked;
    OGRLayer& layer = choose_point_layer(*ds, path, options, picked);
    const std::string where = path + " layer " + layer.GetName();
    const std::string driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";
    OGRFeatureDefn& defn = *layer.GetLayerDefn();
    const bool table = is_table(layer);
    pts.path = path;
    pts.layer = layer.GetName();
    if (!picked.empty()) pts.warnings.push_back(picked);

    int i_lon = -1, i_lat = -1;
    OGRSpatialReference srs;
    if (table) {
        i_lon = options.lon_field.empty() ? coordinate_column(defn, lon_names, where, "--lon-field")
                                          : named_field(defn, options.lon_field, "", where, "--lon-field");
        i_lat = options.lat_field.empty() ? coordinate_column(defn, lat_names, where, "--lat-field")
                                          : named_field(defn, options.lat_field, "", where, "--lat-field");
        if (i_lon < 0 || i_lat < 0)
            throw input_error(where + ": no coordinate columns: lon, lng, longitude or 经度 and lat, latitude or 纬度 "
                              "(or x and y, with --points-crs when they are not degrees); --lon-field and --lat-field "
                              "name others (fields: " + field_list(defn) + ")");
        pts.lon_field = defn.GetFieldDefn(i_lon)->GetNameRef();
        pts.lat_field = defn.GetFieldDefn(i_lat)->GetNameRef();
        srs = table_srs(options);
        if (!options.points_crs.empty()) pts.notes.push_back("coordinates in " + options.points_crs + " (--points-crs)");
    } else if (const OGRSpatialReference* own = layer.GetSpatialRef()) {
        srs = traditional(*own);
    } else if (is_csv(path)) {
        srs = table_srs(options);  // a WKT column: no CRS can be stored in a CSV
    } else {
        throw input_error(where + ": has no CRS");
    }
    srs = as_wgs84_when_cgcs2000(srs, pts.notes);
    if (options.coords != lonlat_system::wgs84 && !srs.IsGeographic())
        throw input_error(where + ": --coords " + std::string(lonlat_system_name(options.coords)) +
                          " applies to longitudes and latitudes, and this layer is in " + crs_label(srs));

    const int i_id = named_field(defn, options.id_field, "id", where, "--id-field");
    int i_name = named_field(defn, options.name_field, "name", where, "--name-field");
    if (i_name < 0 && options.name_field.empty()) {
        i_name = guessed_name_field(defn);
        if (i_name >= 0)
            pts.notes.push_back(std::string("name field '") + defn.GetFieldDefn(i_name)->GetNameRef() +
                                "' guessed from its name (--name-field names another)");
    }
    const int i_type = named_field(defn, options.type_field, "type", where, "--type-field");
    pts.has_type = i_type >= 0;
    if (i_id >= 0) pts.id_field = defn.GetFieldDefn(i_id)->GetNameRef();
    if (i_name >= 0) pts.name_field = defn.GetFieldDefn(i_name)->GetNameRef();
    if (i_type >= 0) pts.type_field = defn.GetFieldDefn(i_type)->GetNameRef();
    std::map<std::string, std::string> mapped;  // by type_key
    for (const auto& [from, to] : options.types) mapped.emplace(type_key(from), to);
    for (int k = 0; k < defn.GetFieldCount(); ++k) pts.field_names.push_back(defn.GetFieldDefn(k)->GetNameRef());
    std::vector<std::pair<int, std::vector<std::optional<double>>*>> numeric;
    for (const std::string& f : options.numeric_fields) {
        const int i = field_index(defn, f);
        if (i >= 0 && !pts.numbers.count(f)) numeric.emplace_back(i, &pts.numbers[f]);
    }
    std::vector<std::pair<int, std::vector<std::string>*>> textual;
    for (const std::string& f : options.text_fields) {
        const int i = field_index(defn, f);
        if (i >= 0 && !pts.texts.count(f)) textual.emplace_back(i, &pts.texts[f]);
    }
    std::size_t from_polygons = 0, without_geometry = 0, empty_rows = 0;
    for (feature_ptr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
        double px = 0, py = 0;
        if (table) {
            if (row_is_empty(*f)) {
                ++empty_rows;
                continue;
            }
            const std::string row = feature_label(driver, f->GetFID());
            px = table_coordinate(*f, i_lon, where, row);
            py = table_coordinate(*f, i_lat, where, row);
            if (srs.IsGeographic() && (std::fabs(px) > 180 || std::fabs(py) > 90))
                throw input_error(where + ": " + row + ": (" + f->GetFieldAsString(i_lon) + ", " + f->GetFieldAsString(i_lat) +
                                  ") in columns '" + pts.lon_field + "', '" + pts.lat_field +
                                  "' is no longitude and latitude: give their CRS with --points-crs EPSG:N");
        } else {
            const OGRGeometry* g = f->GetGeometryRef();
            if (!g || g->IsEmpty()) {
                // A CSV row whose WKT GDAL could not read is a typo to fix, never a facility to drop.
                if (is_csv(path))
                    throw input_error(where + ": " + feature_label(driver, f->GetFID()) + " has no usable geometry");
                ++without_geometry;
                continue;
            }
            const OGRPoint p = point_of(*g, where, f->GetFID(), from_polygons);
            px = p.getX();
            py = p.getY();
            if (!std::isfinite(px) || !std::isfinite(py))
                throw input_error(where + ": feature " + std::to_string(f->GetFID()) + " has a coordinate that is not a finite number");
        }
        if (options.coords != lonlat_system::wgs84) {
            if (to_wgs84(options.coords, px, py)) ++pts.coords_converted;
            else ++pts.coords_outside_china;
        }
        pts.x.push_back(px);
        pts.y.push_back(py);
        pts.id.push_back(i_id >= 0 && f->IsFieldSetAndNotNull(i_id) ? f->GetFieldAsString(i_id) : std::to_string(f->GetFID()));
        pts.name.push_back(i_name >= 0 && f->IsFieldSetAndNotNull(i_name) ? f->GetFieldAsString(i_name) : "");
        const std::string source_type = i_type >= 0 && f->IsFieldSetAndNotNull(i_type) ? trimmed(f->GetFieldAsString(i_type)) : "";
        const auto m = mapped.find(type_key(source_type));
        pts.type.push_back(m != mapped.end() ? m->second : source_type);
        pts.type_mapped += m != mapped.end() && m->second != source_type;
        pts.source_type.push_back(source_type);
        for (auto& [i, values] : numeric) {
            std::optional<double> v;
            // An empty cell of a table is no value (CSV fields are text: set, but empty).
            const std::string text = f->IsFieldSetAndNotNull(i) ? trimmed(f->GetFieldAsString(i)) : "";
            if (!text.empty()) {
                char* end = nullptr;
                const double d = std::strtod(text.c_str(), &end);
                if (end == text.c_str() || *end != '\0')
                    throw input_error(where + ": field '" + defn.GetFieldDefn(i)->GetNameRef() + "' of " +
                                      feature_label(driver, f->GetFID()) + " is not a number: '" + text + "'");
                v = d;
            }
            values->push_back(v);
        }
        for (auto& [i, values] : textual) values->push_back(f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "");
    }
    transformer(srs, metric).apply(pts.x, pts.y, where);
    if (options.coords != lonlat_system::wgs84) {
        std::string note = std::string(lonlat_system_name(options.coords)) + " coordinates converted to WGS 84 (--coords): " +
                           std::to_string(pts.coords_converted) + " points";
        if (pts.coords_outside_china)
            note += "; " + std::to_string(pts.coords_outside_china) + " outside China's rectangle left as they are";
        pts.notes.push_back(note);
    }
    if (pts.coords_outside_china)
        pts.warnings.push_back(where + ": " + std::to_string(pts.coords_outside_china) + " of " + std::to_string(pts.size()) +
                               " points lie outside China, where --coords " + lonlat_system_name(options.coords) +
                               " leaves coordinates as they are: are they really from a Chinese web map?");
    if (empty_rows) pts.notes.push_back(std::to_string(empty_rows) + " empty rows skipped");
    if (from_polygons)
        pts.warnings.push_back(where + ": " + std::to_string(from_polygons) +
                               " features are polygons; each stands for a point on its surface");
    if (without_geometry)
        pts.warnings.push_back(where + ": " + std::to_string(without_geometry) + " features have no geometry; left out");
    if (i_id >= 0) check_names(pts.id, where, "ids", pts.warnings);
    else check_names(pts.name, where, "names", pts.warnings);
    return pts;
}

polygon_set read_polygons(const std::string& path, const OGRSpatialReference& metric, const std::string& layer_name,
                          const std::string& name_field) {
    dataset_ptr ds = open_vector(path);
    // Unnamed: the first polygon layer (admin files hold counties, then townships; DESIGN.md), so a
    // layer of points or lines before it is never read as the units.
    OGRLayer* first_polygons = nullptr;
    for (int i = 0; i < ds->GetLayerCount() && layer_name.empty() && !first_polygons; ++i) {
        const auto t = wkbFlatten(ds->GetLayer(i)->GetGeomType());
        if (t == wkbPolygon || t == wkbMultiPolygon) first_polygons = ds->GetLayer(i);
    }
    OGRLayer& layer = first_polygons ? *first_polygons : find_layer(*ds, path, layer_name);
    const std::string where = path + " layer " + layer.GetName();
    const OGRSpatialReference* srs = layer.GetSpatialRef();
    if (!srs) throw input_error(where + ": has no CRS");
    const transformer to_metric(traditional(*srs), metric);
    polygon_set out;
    out.path = path;
    out.layer = layer.GetName();
    const int i_name = named_field(*layer.GetLayerDefn(), name_field, "name", where, "name field");
    if (i_name >= 0) out.name_field = layer.GetLayerDefn()->GetFieldDefn(i_name)->GetNameRef();
    const int i_kind = layer.GetLayerDefn()->GetFieldIndex("kind");
    for (feature_ptr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        const auto type = wkbFlatten(g->getGeometryType());
        if (type != wkbPolygon && type != wkbMultiPolygon)
            throw input_error(where + ": feature " + std::to_string(f->GetFID()) + " is a " + g->getGeometryName() +
                              ", not a polygon");
        std::unique_ptr<OGRGeometry> geom(g->clone());
        to_metric.apply(*geom, where);
        out.name.push_back(i_name >= 0 ? f->GetFieldAsString(i_name) : std::to_string(f->GetFID()));
        out.kind.push_back(i_kind >= 0 ? f->GetFieldAsString(i_kind) : "");
        out.geometry.push_back(std::move(geom));
    }
    if (out.size() == 0) throw input_error(where + ": no polygon");
    if (i_name >= 0) check_names(out.name, where, "names", out.warnings);
    return out;
}

prepared_polygons::prepared_polygons(const polygon_set& polygons) : ctx(GEOS_init_r()) {
    try {
        for (const auto& g : polygons.geometry) {
            GEOSGeometry* geos = g->exportToGEOS(ctx);
            if (!geos) throw input_error(polygons.path + ": a polygon cannot be used (invalid geometry)");
            geoms.push_back(geos);
            prepared.push_back(GEOSPrepare_r(ctx, geos));
            OGREnvelope env;
            g->getEnvelope(&env);
            envelopes.push_back(env);
        }
    } catch (...) {
        release();  // an unfinished constructor runs no destructor
        throw;
    }
}

prepared_polygons::~prepared_polygons() { release(); }

void prepared_polygons::release() {
    for (auto* p : prepared) GEOSPreparedGeom_destroy_r(ctx, p);
    for (auto* g : geoms) GEOSGeom_destroy_r(ctx, g);
    GEOS_finish_r(ctx);
}

int polygon_locator::find(double x, double y) const {
    GEOSGeometry* point = nullptr;
    int found = -1;
    for (std::size_t i = 0; i < polygons_.prepared.size() && found < 0; ++i) {
        const OGREnvelope& e = polygons_.envelopes[i];
        if (x < e.MinX || x > e.MaxX || y < e.MinY || y > e.MaxY) continue;
        if (!point) point = GEOSGeom_createPointFromXY_r(polygons_.ctx, x, y);
        if (GEOSPreparedIntersects_r(polygons_.ctx, polygons_.prepared[i], point) == 1) found = static_cast<int>(i);
    }
    if (point) GEOSGeom_destroy_r(polygons_.ctx, point);
    return found;
}

}  // namespace healthreach::geo
