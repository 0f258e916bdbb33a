// End-to-end bad-input corpus ("Never lose a user's data, never crash"): every command of the
// executable on missing, empty, truncated, mistyped, mis-projected, non-finite, overlapping-path,
// unwritable, very long and non-UTF-8 inputs. Each case states the contract (DESIGN.md, README):
//   - the exit code: 2 for bad input (the message names the file, layer, field, option or value),
//     0 where the input is odd but valid (then the warning printed on stderr names the culprit);
//   - every input file byte-identical afterwards, and no new file beside the inputs;
//   - no output, or a complete one: after exit 2 no output path exists that did not exist before
//     (an earlier output is left as it was) and no `.NAME.tmp*` file is left; after exit 0 every
//     output opens and is whole, and `--json` stdout is one valid JSON document (UTF-8 included).
// The inputs are built in a scratch directory (small GeoJSON/CSV/GeoTIFF files, or copies of the
// sample region damaged there); sample-data itself is never touched. docs/bad-input.md lists the
// corpus. Optional environment variables (for the corpus document and reports, not needed to run):
//   HEALTHREACH_BAD_INPUT_REPORT=FILE  append one tab-separated line per case (command, case, result)
//   HEALTHREACH_BAD_INPUT_DOC=FILE     append one Markdown table row per case
#include "support.hpp"
#include "test_paths.hpp"

#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

using namespace healthreach;
namespace fs = std::filesystem;

namespace {

const std::string exe = HEALTHREACH_BINARY;
const std::string sample = HEALTHREACH_SAMPLE_DATA;
const char* const seconds_allowed = "60";  // per run; a hang is reported as exit 124

// ---------------------------------------------------------------------------------------------
// Small tools

std::string shell_quote(const std::string& s) {
    std::string r = "'";
    for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return r + "'";
}

// Bytes outside printable ASCII as \xNN, long texts cut in the middle: for messages.
std::string printable(const std::string& s, std::size_t max = 600) {
    std::string r;
    for (unsigned char c : s) {
        if (c == '\n') r += " | ";
        else if (c >= 0x20 && c < 0x7f) r += static_cast<char>(c);
        else if (c >= 0x80) r += static_cast<char>(c);  // UTF-8 stays readable; checked below
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            r += buf;
        }
    }
    // Invalid UTF-8 bytes (non-UTF-8 names) as \xNN so that the test log stays valid text.
    std::string out;
    for (std::size_t i = 0; i < r.size();) {
        const unsigned char c = r[i];
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = n > 0 && i + n <= r.size();
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(r[i + k]) >> 6) == 2;
        if (ok) {
            out.append(r, i, n);
            i += n;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
            ++i;
        }
    }
    if (out.size() > max) out = out.substr(0, max / 2) + " [...] " + out.substr(out.size() - max / 2);
    return out;
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    REQUIRE(out.good());
}

void copy_file(const std::string& from, const std::string& to) {
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

// The first `fraction` of a file's bytes: a download or copy cut short.
void truncated_copy(const std::string& from, const std::string& to, double fraction) {
    const std::string bytes = test::read_text(from);
    REQUIRE(bytes.size() > 16);
    write_bytes(to, bytes.substr(0, static_cast<std::size_t>(bytes.size() * fraction)));
}

void gdal_ready() {
    GDALAllRegister();
    // Opening a fixture or an output must not write .aux.xml files beside it.
    CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", "NO");
}

// ogr2ogr through the library: `args` are ogr2ogr's options.
void translate_vector(const std::string& from, const std::string& to, std::vector<std::string> args) {
    gdal_ready();
    GDALDatasetH in = GDALOpenEx(from.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    REQUIRE(in);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    GDALVectorTranslateOptions* options = GDALVectorTranslateOptionsNew(argv.data(), nullptr);
    REQUIRE(options);
    int usage_error = 0;
    GDALDatasetH out = GDALVectorTranslate(to.c_str(), nullptr, 1, &in, options, &usage_error);
    GDALVectorTranslateOptionsFree(options);
    REQUIRE(out);
    GDALClose(out);
    GDALClose(in);
}

// gdal_translate -srcwin through the library: a window of a raster, as an uncompressed GeoTIFF.
void crop_raster(const std::string& from, const std::string& to, int col, int row, int cols, int rows) {
    gdal_ready();
    GDALDatasetH in = GDALOpenEx(from.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    REQUIRE(in);
    std::vector<std::string> args = {"-srcwin", std::to_string(col), std::to_string(row), std::to_string(cols),
                                     std::to_string(rows)};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    GDALTranslateOptions* options = GDALTranslateOptionsNew(argv.data(), nullptr);
    REQUIRE(options);
    int usage_error = 0;
    GDALDatasetH out = GDALTranslate(to.c_str(), in, options, &usage_error);
    GDALTranslateOptionsFree(options);
    REQUIRE(out);
    GDALClose(out);
    GDALClose(in);
}

// The sample's population cut to 120 x 120 cells around the city centre (130,000 people): the
// analyses run in a third of the time, which keeps the corpus within its minute.
std::string city_population(const std::string& to) {
    crop_raster(sample + "/population.tif", to, 90, 130, 120, 120);
    return to;
}

// A vector file without any CRS: a shapefile whose .prj is removed. `layer`: the one layer of a
// multi-layer source to take (ogr2ogr would write a directory of shapefiles for all of them).
void shapefile_without_crs(const std::string& from, const std::string& to_shp, const std::string& layer = "") {
    std::vector<std::string> args{"-f", "ESRI Shapefile"};
    if (!layer.empty()) args.insert(args.end(), {"-sql", "SELECT * FROM " + layer});
    translate_vector(from, to_shp, args);
    REQUIRE(fs::is_regular_file(to_shp));
    fs::remove(fs::path(to_shp).replace_extension(".prj"));
}

// Sets (creating it when absent) a field of one feature of a vector file opened for update.
void set_field(const std::string& path, const std::string& layer_name, GIntBig fid, const std::string& field,
               const std::function<void(OGRFeature&, int)>& set, OGRFieldType type = OFTString) {
    gdal_ready();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    REQUIRE(ds);
    OGRLayer* layer = layer_name.empty() ? ds->GetLayer(0) : ds->GetLayerByName(layer_name.c_str());
    REQUIRE(layer);
    if (layer->GetLayerDefn()->GetFieldIndex(field.c_str()) < 0) {
        OGRFieldDefn def(field.c_str(), type);
        REQUIRE(layer->CreateField(&def) == OGRERR_NONE);
    }
    std::unique_ptr<OGRFeature> f(layer->GetFeature(fid));
    REQUIRE(f);
    set(*f, f->GetFieldIndex(field.c_str()));
    REQUIRE(layer->SetFeature(f.get()) == OGRERR_NONE);
}

// A Float32 GeoTIFF with any geotransform (rotation terms included); epsg 0 writes no CRS.
void write_grid(const std::string& path, int cols, int rows, const std::array<double, 6>& gt, const std::vector<float>& values,
                int epsg, double nodata = -9999) {
    gdal_ready();
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    std::unique_ptr<GDALDataset> ds(gtiff->Create(path.c_str(), cols, rows, 1, GDT_Float32, nullptr));
    REQUIRE(ds);
    std::array<double, 6> g = gt;
    ds->SetGeoTransform(g.data());
    if (epsg) {
        OGRSpatialReference srs;
        srs.importFromEPSG(epsg);
        ds->SetSpatialRef(&srs);
    }
    ds->GetRasterBand(1)->SetNoDataValue(nodata);
    std::vector<float> v(values);
    REQUIRE(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, cols, rows, v.data(), cols, rows, GDT_Float32, 0, 0) == CE_None);
}

// A VRT over `source` with the given geotransform (GeoTIFF cannot hold a zero pixel size).
void write_vrt(const std::string& path, const std::string& source, int cols, int rows, const std::string& geotransform) {
    std::ostringstream x;
    x << "<VRTDataset rasterXSize=\"" << cols << "\" rasterYSize=\"" << rows << "\">\n"
      << "  <SRS>EPSG:32649</SRS>\n  <GeoTransform>" << geotransform << "</GeoTransform>\n"
      << "  <VRTRasterBand dataType=\"Float32\" band=\"1\">\n    <NoDataValue>-9999</NoDataValue>\n"
      << "    <SimpleSource><SourceFilename relativeToVRT=\"0\">" << source << "</SourceFilename>"
      << "<SourceBand>1</SourceBand></SimpleSource>\n  </VRTRasterBand>\n</VRTDataset>\n";
    write_bytes(path, x.str());
}

// A path of exactly `total` characters ending in /`name`, made of nested directories (each
// component at most 200 characters), created; the path itself is returned.
std::string long_path(const std::string& base, const std::string& name, std::size_t total) {
    const std::size_t fixed = base.size() + 1 + name.size();
    REQUIRE(total > fixed + 2);
    const std::size_t need = total - fixed;  // "/c1/c2.../ck": k slashes and the components
    const std::size_t k = (need + 200) / 201;
    const std::size_t chars = need - k;
    std::string dir = base;
    for (std::size_t i = 0; i < k; ++i) {
        const std::size_t len = chars / k + (i < chars % k ? 1 : 0);
        dir += "/" + std::string(len, static_cast<char>('a' + i % 26));
    }
    fs::create_directories(dir);
    const std::string path = dir + "/" + name;
    REQUIRE(path.size() == total);
    return path;
}

// ---------------------------------------------------------------------------------------------
// JSON: one document, RFC 8259 syntax, UTF-8 text.

class json_check {
public:
    explicit json_check(const std::string& s) : s_(s) {}
    std::string problem() {
        if (!utf8()) return "not valid UTF-8 (byte " + std::to_string(i_) + ")";
        i_ = 0;
        ws();
        if (!value(0)) return "syntax error at byte " + std::to_string(i_) + ": " + printable(s_.substr(i_ > 20 ? i_ - 20 : 0, 60));
        ws();
        if (i_ != s_.size()) return "text after the document at byte " + std::to_string(i_);
        return {};
    }

private:
    bool utf8() {
        for (i_ = 0; i_ < s_.size();) {
            const unsigned char c = s_[i_];
            std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 && c >= 0xC2 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 && c <= 0xF4 ? 4 : 0;
            if (n == 0 || i_ + n > s_.size()) return false;
            for (std::size_t k = 1; k < n; ++k)
                if ((static_cast<unsigned char>(s_[i_ + k]) >> 6) != 2) return false;
            i_ += n;
        }
        return true;
    }
    void ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
    }
    bool lit(const char* word) {
        const std::size_t n = std::strlen(word);
        if (s_.compare(i_, n, word) != 0) return false;
        i_ += n;
        return true;
    }
    bool string() {
        if (s_[i_] != '"') return false;
        for (++i_; i_ < s_.size(); ++i_) {
            const unsigned char c = s_[i_];
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c < 0x20) return false;
            if (c == '\\') {
                if (++i_ >= s_.size()) return false;
                const char e = s_[i_];
                if (e == 'u') {
                    for (int k = 0; k < 4; ++k)
                        if (++i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) return false;
                } else if (!std::strchr("\"\\/bfnrt", e)) {
                    return false;
                }
            }
        }
        return false;
    }
    bool number() {
        const std::size_t start = i_;
        if (s_[i_] == '-') ++i_;
        if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
        if (s_[i_] == '0') ++i_;
        else
            while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
            while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
            while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        }
        return i_ > start;
    }
    bool value(int depth) {
        if (i_ >= s_.size() || depth > 200) return false;
        const char c = s_[i_];
        if (c == '{') {
            ++i_;
            ws();
            if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
            for (;;) {
                ws();
                if (i_ >= s_.size() || !string()) return false;
                ws();
                if (i_ >= s_.size() || s_[i_++] != ':') return false;
                ws();
                if (!value(depth + 1)) return false;
                ws();
                if (i_ >= s_.size()) return false;
                if (s_[i_] == ',') ++i_;
                else if (s_[i_] == '}') return ++i_, true;
                else return false;
            }
        }
        if (c == '[') {
            ++i_;
            ws();
            if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
            for (;;) {
                ws();
                if (!value(depth + 1)) return false;
                ws();
                if (i_ >= s_.size()) return false;
                if (s_[i_] == ',') ++i_;
                else if (s_[i_] == ']') return ++i_, true;
                else return false;
            }
        }
        if (c == '"') return string();
        if (c == 't') return lit("true");
        if (c == 'f') return lit("false");
        if (c == 'n') return lit("null");
        return number();
    }
    const std::string& s_;
    std::size_t i_ = 0;
};

// The number after "key": in a JSON text, NaN when absent.
double json_number(const std::string& json, const std::string& key) {
    const auto at = json.find("\"" + key + "\":");
    if (at == std::string::npos) return std::numeric_limits<double>::quiet_NaN();
    return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

// ---------------------------------------------------------------------------------------------
// Output completeness

std::string incomplete_output(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return "missing";
    if (fs::is_directory(path, ec)) {  // synth's region
        for (const char* f : {"roads.gpkg", "population.tif", "facilities.gpkg", "admin.gpkg", "villages.gpkg", "urban.gpkg"}) {
            const std::string why = incomplete_output(path + "/" + f);
            if (!why.empty()) return std::string(f) + ": " + why;
        }
        return {};
    }
    if (fs::file_size(path, ec) == 0) return "empty file";
    const std::string ext = fs::path(path).extension().string();
    gdal_ready();
    if (ext == ".gpkg") {
        // SQLite's own limit is 512 bytes of path; GDAL's SQLite VFS reads longer ones (as healthreach does).
        const bool long_path = path.size() >= 500;
        if (long_path) {
            CPLSetThreadLocalConfigOption("SQLITE_USE_OGR_VFS", "YES");
            CPLSetThreadLocalConfigOption("OGR_SQLITE_VFS_MAXPATHNAME", "4096");
        }
        std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        if (long_path) {
            CPLSetThreadLocalConfigOption("SQLITE_USE_OGR_VFS", nullptr);
            CPLSetThreadLocalConfigOption("OGR_SQLITE_VFS_MAXPATHNAME", nullptr);
        }
        if (!ds) return "does not open as a GeoPackage";
        if (ds->GetLayerCount() == 0) return "holds no layer";
        for (int i = 0; i < ds->GetLayerCount(); ++i) {
            OGRLayer* layer = ds->GetLayer(i);
            GIntBig n = 0;
            for (std::unique_ptr<OGRFeature> f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) ++n;
            if (n != layer->GetFeatureCount(TRUE)) return std::string("layer ") + layer->GetName() + " cannot be read through";
        }
        return {};
    }
    if (ext == ".tif") {
        std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        if (!ds || ds->GetRasterCount() < 1) return "does not open as a raster";
        GDALRasterBand* band = ds->GetRasterBand(1);
        std::vector<float> row(ds->GetRasterXSize());
        for (int r = 0; r < ds->GetRasterYSize(); ++r)
            if (band->RasterIO(GF_Read, 0, r, ds->GetRasterXSize(), 1, row.data(), ds->GetRasterXSize(), 1, GDT_Float32, 0, 0) != CE_None)
                return "row " + std::to_string(r) + " cannot be read";
        return {};
    }
    const std::string text = test::read_text(path);
    if (ext == ".csv" && text.back() != '\n') return "does not end with a line break";
    return {};
}

// ---------------------------------------------------------------------------------------------
// The corpus

enum class want {
    error,          // exit 2, the message names the culprit(s)
    ok,             // exit 0, outputs complete
    ok_warn,        // exit 0, outputs complete, a warning line naming the culprit(s)
    error_or_warn,  // either of the two above; never a silent exit 0
    error_or_ok,    // exit 2 naming the culprit, or exit 0 with a correct result (json_check)
};

const char* want_text(want w) {
    switch (w) {
    case want::error: return "exit 2";
    case want::ok: return "exit 0";
    case want::ok_warn: return "exit 0 + warning";
    case want::error_or_warn: return "exit 2, or exit 0 + warning";
    case want::error_or_ok: return "exit 2, or exit 0 with the right result";
    }
    return "";
}

struct bad_case {
    std::string name;
    std::vector<std::string> args;       // after the sub-command; quoted by the runner
    want expect;
    std::vector<std::string> culprit;    // every one must appear in the error (or warning) message
    std::vector<std::string> outputs;    // what the command would write
    std::string why;                     // for docs/bad-input.md
    bool json = false;                   // adds --json: stdout must be one valid JSON document
    std::function<std::string(const std::string& json)> result = nullptr;  // more checks of an exit-0 JSON
    std::function<bool()> skip = nullptr;  // returns true (after a WARN) to skip visibly
};

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Every regular file under `root` (not `except`), with its bytes.
std::map<std::string, std::string> snapshot(const std::string& root, const std::string& except) {
    std::map<std::string, std::string> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const std::string p = it->path().string();
        if (p.rfind(except, 0) == 0) continue;
        if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
        files[p] = test::read_text(p);
    }
    return files;
}

class corpus {
public:
    corpus(std::string command, const std::string& dir_name) : command_(std::move(command)) {
        root_ = test::scratch_dir("bad-input-" + dir_name);
        in_ = root_ + "/in";
        out_ = root_ + "/out";
        cap_ = root_ + "/cap";
        fs::create_directories(in_);
        fs::create_directories(out_);
        fs::create_directories(cap_);
    }
    const std::string& in() const { return in_; }
    const std::string& out() const { return out_; }
    const std::string& root() const { return root_; }
    std::string in(const std::string& name) const { return in_ + "/" + name; }
    std::string out(const std::string& name) const { return out_ + "/" + name; }
    // A copy of a sample-data file in the scratch inputs.
    std::string sample_copy(const std::string& name, const std::string& as = "") {
        const std::string to = in(as.empty() ? name : as);
        copy_file(sample + "/" + name, to);
        return to;
    }

    void run_all(const std::vector<bad_case>& cases) {
        for (const bad_case& c : cases) run(c);
        document(cases);
    }

private:
    void run(const bad_case& c) {
        INFO("case: " << command_ << " / " << c.name);
        seconds_ = 0;
        if (c.skip && c.skip()) {
            report(c, "SKIPPED", -1, {});
            return;
        }
        const auto before = snapshot(root_, cap_);
        struct prior {
            bool existed;
            std::string bytes;
        };
        std::vector<prior> prior_out;
        for (const std::string& o : c.outputs) {
            std::error_code ec;
            const bool e = fs::exists(o, ec);
            prior_out.push_back({e, e && fs::is_regular_file(o, ec) ? test::read_text(o) : std::string()});
        }

        std::string cmd = "timeout -k 5 " + std::string(seconds_allowed) + " " + shell_quote(exe) + " " + command_;
        for (const std::string& a : c.args) cmd += " " + shell_quote(a);
        if (c.json) cmd += " --json";
        const std::string stdout_path = cap_ + "/stdout";
        cmd += " > " + shell_quote(stdout_path) + " < /dev/null";
        std::string err;
        const auto started = std::chrono::steady_clock::now();
        const int rc = test::run(cmd, &err);
        seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const std::string stdout_text = test::read_text(stdout_path);
        fs::remove(stdout_path);

        std::vector<std::string> problems;
        auto fail = [&](const std::string& p) { problems.push_back(p); };

        // The outcome.
        const bool as_error = rc == 2 && c.expect != want::ok && c.expect != want::ok_warn;
        const bool as_success = rc == 0 && c.expect != want::error;
        if (rc == 124 || rc == 137) fail("timed out after " + std::string(seconds_allowed) + " s");
        else if (rc > 128 || rc < 0) fail("crashed: exit " + std::to_string(rc) + " (signal " + std::to_string(rc - 128) + ")");
        else if (!as_error && !as_success)
            fail("exit " + std::to_string(rc) + ", expected " + want_text(c.expect));
        if (as_error) {
            for (const std::string& needle : c.culprit)
                if (err.find(needle) == std::string::npos) fail("the message does not name '" + printable(needle) + "'");
        }
        if (as_success) {
            const bool warn_needed = c.expect == want::ok_warn || c.expect == want::error_or_warn;
            if (warn_needed) {
                bool found = false;
                std::istringstream lines(err);
                for (std::string line; std::getline(lines, line);) {
                    if (lower(line).find("warning") == std::string::npos) continue;
                    bool all = true;
                    for (const std::string& needle : c.culprit) all = all && line.find(needle) != std::string::npos;
                    found = found || all;
                }
                if (!found) {
                    std::string names;
                    for (const std::string& n : c.culprit) names += (names.empty() ? "'" : ", '") + printable(n) + "'";
                    fail("exit 0 without a warning naming " + names);
                }
            }
            for (const std::string& o : c.outputs) {
                const std::string why = incomplete_output(o);
                if (!why.empty()) fail("output " + printable(o) + " incomplete: " + why);
            }
            if (c.json) {
                const std::string j = json_check(stdout_text).problem();
                if (!j.empty()) fail("--json stdout is not valid JSON: " + j);
                else if (c.result) {
                    const std::string r = c.result(stdout_text);
                    if (!r.empty()) fail(r);
                }
            }
        }

        // Inputs untouched; nothing but complete outputs left.
        const auto after = snapshot(root_, cap_);
        auto declared = [&](const std::string& p) {
            for (const std::string& o : c.outputs)
                if (p == o || p.rfind(o + "/", 0) == 0) return true;
            return false;
        };
        for (const auto& [path, bytes] : before) {
            if (as_success && declared(path)) continue;
            const auto it = after.find(path);
            if (it == after.end()) fail("input " + printable(path) + " was deleted");
            else if (it->second != bytes) fail("input " + printable(path) + " was modified");
        }
        for (const auto& [path, bytes] : after) {
            if (before.count(path) || declared(path)) continue;  // outputs are judged below
            const std::string name = fs::path(path).filename().string();
            fail(std::string(name.find(".tmp") != std::string::npos ? "temporary file " : "file ") + printable(path) +
                 " left behind");
        }
        if (!as_success)
            for (std::size_t i = 0; i < c.outputs.size(); ++i) {
                std::error_code ec;
                const bool now = fs::exists(c.outputs[i], ec);
                if (!prior_out[i].existed && now)
                    fail("output " + printable(c.outputs[i]) + " exists after a run that " + (rc == 0 ? "should have failed" : "failed"));
                if (prior_out[i].existed && (!now || (fs::is_regular_file(c.outputs[i], ec) &&
                                                      test::read_text(c.outputs[i]) != prior_out[i].bytes)))
                    fail("the earlier file at " + printable(c.outputs[i]) + " was replaced or removed");
                // Temporary names beside an output outside the scratch root (long paths, /tmp).
                const fs::path dir = fs::path(c.outputs[i]).parent_path();
                if (!dir.empty() && fs::is_directory(dir, ec) && dir.string().rfind(root_, 0) != 0)
                    for (const auto& e : fs::directory_iterator(dir, ec))
                        if (e.path().filename().string().find("." + fs::path(c.outputs[i]).filename().string() + ".tmp") == 0)
                            fail("temporary file " + printable(e.path().string()) + " left behind");
            }

        // Outputs of a success are removed so that the next case starts from the same inputs.
        for (std::size_t i = 0; i < c.outputs.size(); ++i)
            if (!prior_out[i].existed) {
                std::error_code ec;
                fs::remove_all(c.outputs[i], ec);
            }

        std::string summary;
        for (const std::string& p : problems) summary += (summary.empty() ? "" : "; ") + p;
        report(c, problems.empty() ? "PASS" : "FAIL", rc, summary + " || stderr: " + printable(err, 500));
        if (!problems.empty()) {
            FAIL_CHECK(command_ << " / " << c.name << ": " << summary << "\n  stderr: " << printable(err, 800));
        } else {
            SUCCEED();
        }
    }

    void report(const bad_case& c, const std::string& result, int rc, const std::string& detail) {
        const char* path = std::getenv("HEALTHREACH_BAD_INPUT_REPORT");
        if (!path || !*path) return;
        std::ofstream out(path, std::ios::app);
        out << command_ << "\t" << c.name << "\t" << result << "\t" << rc << "\t" << seconds_ << "\t" << detail << "\n";
    }

    void document(const std::vector<bad_case>& cases) {
        const char* path = std::getenv("HEALTHREACH_BAD_INPUT_DOC");
        if (!path || !*path) return;
        std::ofstream out(path, std::ios::app);
        for (const bad_case& c : cases) {
            std::string names;
            for (const std::string& n : c.culprit) {
                std::string shown = printable(n, 60);
                if (shown.find(root_) == 0) shown = shown.substr(root_.size() + 1);
                names += (names.empty() ? "" : ", ") + ("`" + shown + "`");
            }
            std::string expected = want_text(c.expect);
            if (!names.empty()) expected += c.expect == want::ok_warn ? " naming " + names : "; names " + names;
            if (c.json) expected += "; valid JSON";
            out << "| " << c.name << " | " << command_ << " | " << expected << " | " << c.why << " |\n";
        }
    }

    std::string command_, root_, in_, out_, cap_;
    double seconds_ = 0;
};

std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bool skip_when_root(const std::string& what) {
    if (::geteuid() != 0) return false;
    WARN("SKIPPED: " << what << ": running as root, where a read-only directory does not stop writes "
                     "(the /proc and file-as-directory cases cover unwritable destinations)");
    return true;
}

// A read-only directory (mode 0555) under `parent`.
std::string read_only_dir(const std::string& parent) {
    const std::string dir = parent + "/read-only";
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    return dir;
}

void make_writable(const std::string& dir) {
    std::error_code ec;
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
}

// Sample region (EPSG:32649): x 420000..457000, y 3950000..3987000, 100 m cells.
constexpr double region_x = 430000, region_y = 3975000;

// A 10 x 10 population grid of 100 m cells inside the region, 10 people per cell (1,000 in all).
std::vector<float> tens(int n = 100) { return std::vector<float>(n, 10.0f); }

std::function<std::string(const std::string&)> population_total_is(double expected) {
    return [expected](const std::string& json) -> std::string {
        const double total = json_number(json, "population_total");
        if (std::abs(total - expected) <= 1e-6 * std::max(1.0, expected)) return {};
        return "population_total " + std::to_string(total) + ", expected " + std::to_string(expected);
    };
}

// A name of 250 characters ending in `ext`.
std::string name_250(const std::string& ext) {
    std::string stem = "result-";
    stem += std::string(250 - stem.size() - ext.size(), 'n');
    return stem + ext;
}

const std::string latin1_e = "\xE9";  // é in ISO-8859-1: not UTF-8

}  // namespace

// ===============================================================================================

TEST_CASE("bad input corpus: coverage", "[e2e][bad-input]") {
    corpus k("coverage", "coverage");
    const std::string roads = k.sample_copy("roads.gpkg"), pop = city_population(k.in("population.tif")),
                      fac = k.sample_copy("facilities.gpkg"), admin = k.sample_copy("admin.gpkg");
    auto cov = [&](const std::string& r, const std::string& p, const std::string& f, std::vector<std::string> extra) {
        return join({"--roads", r, "--population", p, "--facilities", f, "--service", "ambulance"}, extra);
    };
    const std::string out = k.out("cov.gpkg");
    const std::vector<std::string> o = {"--out", out};

    // Inputs of every kind, damaged in the scratch directory.
    write_bytes(k.in("empty.tif"), "");
    write_bytes(k.in("empty.gpkg"), "");
    truncated_copy(roads, k.in("roads-half.gpkg"), 0.5);
    truncated_copy(sample + "/population.tif", k.in("population-half.tif"), 0.5);
    write_bytes(k.in("notes.txt"), "these are my notes, not a raster\n");
    write_grid(k.in("pop-nocrs.tif"), 10, 10, {region_x, 100, 0, region_y, 0, -100}, tens(), 0);
    shapefile_without_crs(fac, k.in("fac-nocrs.shp"));
    translate_vector(fac, k.in("fac-4326.geojson"), {"-f", "GeoJSON", "-t_srs", "EPSG:4326"});
    translate_vector(roads, k.in("roads-4326.gpkg"), {"-f", "GPKG", "-t_srs", "EPSG:4326"});
    write_grid(k.in("pop-4326.tif"), 10, 10, {110.30, 0.001, 0, 35.86, 0, -0.001}, tens(), 4326);
    // Metric coordinates in a GeoJSON without a crs member: read as degrees (RFC 7946).
    {
        std::ofstream f(k.in("fac-no-crs-member.geojson"));
        f << "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"id\":\"A\"},"
             "\"geometry\":{\"type\":\"Point\",\"coordinates\":[430000,3975000]}}]}\n";
    }
    write_bytes(k.in("fac-nan.csv"), "id,name,type,lon,lat\nA,nan station,ambulance-station,nan,nan\nB,ok,ambulance-station,110.25,35.85\n");
    write_bytes(k.in("fac-inf.csv"), "id,name,type,lon,lat\nA,inf station,ambulance-station,inf,35.85\nB,ok,ambulance-station,110.25,35.85\n");
    {
        std::vector<float> v = tens();
        v[37] = std::numeric_limits<float>::infinity();
        write_grid(k.in("pop-inf.tif"), 10, 10, {region_x, 100, 0, region_y, 0, -100}, v, 32649);
        v[37] = -25;
        write_grid(k.in("pop-neg.tif"), 10, 10, {region_x, 100, 0, region_y, 0, -100}, v, 32649);
        v[37] = std::numeric_limits<float>::quiet_NaN();
        write_grid(k.in("pop-nan.tif"), 10, 10, {region_x, 100, 0, region_y, 0, -100}, v, 32649);
        v = tens();
        const float big_nodata = -std::numeric_limits<float>::max();
        for (int i = 0; i < 50; ++i) v[i] = big_nodata;  // real rasters' nodata (-3.4e38), half the cells
        write_grid(k.in("pop-nodata-3.4e38.tif"), 10, 10, {region_x, 100, 0, region_y, 0, -100}, v, 32649, big_nodata);
    }
    // Facility vocabularies and point tables (stations of the sample: Luzhou 434540,3969500 and
    // Shangdang 436540,3969500, EPSG:32649).
    test::write_points(k.in("fac-vocab.geojson"),
                       {{434540, 3969500, "\"id\":\"H1\",\"type\":\"Hospital\""},
                        {436540, 3969500, "\"id\":\"C1\",\"type\":\"Clinic\""},
                        {436540, 3969600, "\"id\":\"M1\",\"type\":\"Maternity Home\""}},
                       32649);
    test::write_points(k.in("fac-untyped.geojson"),
                       {{434540, 3969500, "\"id\":\"A\""}, {436540, 3969500, "\"id\":\"B\""}}, 32649);
    write_bytes(k.in("fac-nocoords.csv"), "id,name,type,address\nA,Luzhou,ambulance-station,Yingxiong Road\n");
    write_bytes(k.in("fac-comma.csv"), "id,type,x,y\nA,ambulance-station,434540,3969500\nB,ambulance-station,\"436540,5\",3969500\n");
    write_bytes(k.in("fac-xy.csv"), "id,type,x,y\nA,ambulance-station,434540,3969500\n");
    // "急救站" in GBK, and a Latin-1 file that GBK would misread ("Estaç" + "ão").
    write_bytes(k.in("fac-gbk.csv"), "id,\xC3\xFB\xB3\xC6,type,x,y\nA,\xBC\xB1\xBE\xC8\xD5\xBE,ambulance-station,434540,3969500\n");
    write_bytes(k.in("fac-latin1.csv"), "id,name,type,x,y\nA,Esta\xE7\xE3o Central,ambulance-station,434540,3969500\n");
    write_grid(k.in("pop-small.tif"), 10, 10, {region_x, 100, 0, region_y, 0, -100}, tens(), 32649);
    write_vrt(k.in("pop-zero-pixel.vrt"), k.in("pop-small.tif"), 10, 10, "430000, 0, 0, 3975000, 0, -100");
    write_grid(k.in("pop-rotated.tif"), 10, 10, {region_x, 100, 20, region_y, 20, -100}, tens(), 32649);
    write_grid(k.in("pop-far.tif"), 10, 10, {region_x, 100, 0, 3700000, 0, -100}, tens(), 32649);
    test::write_points(k.in("fac-far.geojson"), {{region_x, 3700000, "\"id\":\"far\",\"type\":\"ambulance-station\""}}, 32649);
    test::write_points(k.in("fac-dup.geojson"),
                       {{425100, 3960100, "\"id\":\"S-dup\",\"name\":\"west\",\"type\":\"ambulance-station\""},
                        {448888.18, 3978444.30, "\"id\":\"S-dup\",\"name\":\"east\",\"type\":\"ambulance-station\""}},
                       32649);
    test::write_boxes(k.in("admin-latin1.geojson"), {{420000, 3950000, 438500, 3987000}, {438500, 3950000, 457000, 3987000}},
                      {"West" + latin1_e + "district", "East"}, 32649);
    const std::string fac_latin1_path = k.in("fac-" + latin1_e + "t" + latin1_e + ".gpkg");
    copy_file(fac, fac_latin1_path);
    copy_file(roads, k.in("roads-maxspeed-inf.gpkg"));
    set_field(k.in("roads-maxspeed-inf.gpkg"), "", 1, "maxspeed", [](OGRFeature& f, int i) { f.SetField(i, "inf"); });
    write_bytes(k.in("standards-cut.toml"), "[services.ambulance\nmetric = \"dist");
    fs::create_directories(k.in("x"));
    fs::create_symlink(roads, k.out("link-to-roads.gpkg"));
    write_bytes(k.out("file-not-dir"), "a file\n");
    copy_file(fac, k.out("previous.gpkg"));  // an earlier result the user keeps

    const std::string long_dir_base = k.root() + "/long";
    fs::create_directories(long_dir_base);
    const std::string long_out = long_path(long_dir_base, "coverage.gpkg", 2890);
    const std::string long_in = fs::path(long_out).parent_path().string();
    copy_file(pop, long_in + "/population.tif");
    const std::string ro = read_only_dir(k.root());
    const std::string latin_out = k.out("r" + latin1_e + "sultat.gpkg"), latin_tif = k.out("co" + latin1_e + "t.tif");

    // The same analysis on the metric inputs: what the reprojected ones must give.
    REQUIRE(test::run(shell_quote(exe) + " coverage --quiet --roads " + shell_quote(roads) + " --population " + shell_quote(pop) +
                      " --facilities " + shell_quote(fac) + " --service ambulance --json --out " +
                      shell_quote(k.root() + "/baseline.gpkg") + " > " + shell_quote(k.root() + "/baseline.json")) == 0);
    const std::string baseline = test::read_text(k.root() + "/baseline.json");
    fs::remove(k.root() + "/baseline.gpkg");
    fs::remove(k.root() + "/baseline.json");
    const double base_total = json_number(baseline, "population_total"), base_covered = json_number(baseline, "population_covered"),
                 base_used = json_number(baseline, "facilities_used");
    REQUIRE(base_total > 0);

    const std::vector<bad_case> cases = {
        {"missing roads file", cov(k.in("no-such-roads.gpkg"), pop, fac, o), want::error, {"no-such-roads.gpkg"}, {out},
         "a mistyped path"},
        {"empty (0-byte) population raster", cov(roads, k.in("empty.tif"), fac, o), want::error, {"empty.tif"}, {out},
         "an interrupted download leaves an empty file"},
        {"empty (0-byte) facilities GeoPackage", cov(roads, pop, k.in("empty.gpkg"), o), want::error, {"empty.gpkg"}, {out},
         "an interrupted copy"},
        {"roads GeoPackage cut in half", cov(k.in("roads-half.gpkg"), pop, fac, o), want::error, {"roads-half.gpkg"}, {out},
         "a truncated SQLite file opens but fails while read"},
        {"population GeoTIFF cut in half", cov(roads, k.in("population-half.tif"), fac, o), want::error,
         {"population-half.tif"}, {out}, "a truncated GeoTIFF opens but its later tiles are missing"},
        {"raster given as roads", cov(pop, pop, fac, o), want::error, {"population.tif"}, {out}, "wrong file in the wrong option"},
        {"text file given as population raster", cov(roads, k.in("notes.txt"), fac, o), want::error, {"notes.txt"}, {out},
         "wrong type"},
        {"vector GeoPackage given as population raster", cov(roads, roads, fac, o), want::error, {"roads.gpkg"}, {out},
         "a GeoPackage may hold rasters; this one does not"},
        {"points given as roads", cov(fac, pop, fac, o), want::error, {"facilities.gpkg"}, {out}, "wrong geometry"},
        {"polygons given as facilities", cov(roads, pop, admin, join(o, {"--all-facilities"})), want::error_or_warn,
         {"admin.gpkg"}, {out}, "polygons may be turned into representative points, but never silently"},
        {"lines given as admin units", cov(roads, pop, fac, join(o, {"--admin", roads})), want::error, {"roads.gpkg"}, {out},
         "wrong geometry"},
        {"population raster without CRS", cov(roads, k.in("pop-nocrs.tif"), fac, o), want::error, {"pop-nocrs.tif"}, {out},
         "no CRS: cells cannot be placed"},
        {"facilities shapefile without .prj", cov(roads, pop, k.in("fac-nocrs.shp"), o), want::error, {"fac-nocrs.shp"}, {out},
         "no CRS"},
        {"metric coordinates in a GeoJSON without crs (read as degrees)",
         cov(roads, pop, k.in("fac-no-crs-member.geojson"), o), want::error, {"fac-no-crs-member.geojson"}, {out},
         "GeoJSON without crs is WGS 84 by RFC 7946; 430000 is not a longitude"},
        {"facilities in EPSG:4326", cov(roads, pop, k.in("fac-4326.geojson"), o), want::ok, {}, {out},
         "degrees are valid: reprojected", true,
         [base_used](const std::string& j) -> std::string {
             const double used = json_number(j, "facilities_used");
             return used == base_used ? "" : "facilities_used " + std::to_string(used) + ", " + std::to_string(base_used) +
                                                 " with the metric layer";
         }},
        {"roads in EPSG:4326", cov(k.in("roads-4326.gpkg"), pop, fac, o), want::ok, {}, {out}, "degrees are valid: reprojected",
         true,
         [base_total, base_covered](const std::string& j) -> std::string {
             const double covered = json_number(j, "population_covered");
             return std::abs(covered - base_covered) <= 0.001 * base_covered
                        ? population_total_is(base_total)(j)
                        : "population_covered " + std::to_string(covered) + ", not about " + std::to_string(base_covered) +
                              " as with the metric roads";
         }},
        {"population raster in EPSG:4326", cov(roads, k.in("pop-4326.tif"), fac, o), want::ok, {}, {out},
         "degrees are valid: cell centres transformed, never resampled", true, population_total_is(1000)},
        {"NaN facility coordinates (CSV)", cov(roads, pop, k.in("fac-nan.csv"), o), want::error, {"fac-nan.csv"}, {out},
         "a facility must not vanish silently"},
        {"infinite facility coordinate (CSV)", cov(roads, pop, k.in("fac-inf.csv"), o), want::error, {"fac-inf.csv"}, {out},
         "non-finite coordinate"},
        {"population cell of +inf", cov(roads, k.in("pop-inf.tif"), fac, o), want::error, {"pop-inf.tif"}, {out},
         "infinite people would make every total infinite"},
        {"population cell negative", cov(roads, k.in("pop-neg.tif"), fac, o), want::error, {"pop-neg.tif"}, {out},
         "negative people"},
        {"population cell NaN (not the nodata value)", cov(roads, k.in("pop-nan.tif"), fac, o), want::error, {"pop-nan.tif"},
         {out}, "NaN people"},
        {"population nodata -3.4e38 (real-data style)", cov(roads, k.in("pop-nodata-3.4e38.tif"), fac, o), want::ok, {}, {out},
         "huge negative nodata values are valid (PITFALLS.md): read the band's nodata", true, population_total_is(500)},
        {"population pixel width 0 (VRT geotransform)", cov(roads, k.in("pop-zero-pixel.vrt"), fac, o), want::error,
         {"pop-zero-pixel.vrt"}, {out}, "zero-size cells have no area and no place"},
        {"rotated population raster", cov(roads, k.in("pop-rotated.tif"), fac, o), want::error_or_ok, {"pop-rotated.tif"},
         {out}, "rotation terms: either refused by name or every cell placed by the full geotransform", true,
         population_total_is(1000)},
        {"population raster far from the roads", cov(roads, k.in("pop-far.tif"), fac, o), want::ok_warn, {"pop-far.tif"},
         {out}, "valid but nobody is on the network: the user must be told"},
        {"facilities far from the roads", cov(roads, pop, k.in("fac-far.geojson"), o), want::error_or_warn,
         {"fac-far.geojson"}, {out}, "no facility reaches the network: zero coverage must not look like a result"},
        {"duplicate facility ids", cov(roads, pop, k.in("fac-dup.geojson"), o), want::error_or_warn, {"S-dup"}, {out},
         "nearest_id would be ambiguous"},
        {"non-UTF-8 admin unit name", cov(roads, pop, fac, join(o, {"--admin", k.in("admin-latin1.geojson")})),
         want::error_or_warn, {"admin-latin1.geojson"}, {out}, "a Latin-1 name; JSON must stay valid UTF-8", true},
        {"non-UTF-8 facilities path", cov(roads, pop, fac_latin1_path, o), want::ok, {}, {out},
         "a valid file under a Latin-1 name; the JSON (provenance) must stay valid", true},
        {"non-UTF-8 output paths", cov(roads, pop, fac, {"--out", latin_out, "--travel-raster", latin_tif}), want::ok, {},
         {latin_out, latin_tif}, "valid; the JSON must stay valid", true},
        {"maxspeed=inf on a road (drive time service)",
         join({"--roads", k.in("roads-maxspeed-inf.gpkg"), "--population", pop, "--facilities", fac, "--service",
               "township-centre"},
              o),
         want::error_or_warn, {"maxspeed"}, {out}, "an infinite speed makes a road free to cross"},
        {"--threads 100000", cov(roads, pop, fac, join(o, {"--threads", "100000"})), want::ok_warn, {"--threads"}, {out},
         "absurd but harmless: cut back, with a warning"},
        {"--rural-limit 0", cov(roads, pop, fac, join(o, {"--rural-limit", "0"})), want::error, {"--rural-limit"}, {out},
         "a zero limit covers nobody"},
        {"--snap-limit nan", cov(roads, pop, fac, join(o, {"--snap-limit", "nan"})), want::error, {"--snap-limit"}, {out},
         "not a number"},
        {"unknown service", join({"--roads", roads, "--population", pop, "--facilities", fac, "--service", "dentist"}, o),
         want::error, {"dentist"}, {out}, "typo in the service name"},
        {"standards file cut short", cov(roads, pop, fac, join(o, {"--standards", k.in("standards-cut.toml")})), want::error,
         {"standards-cut.toml"}, {out}, "truncated TOML"},
        {"--out is the facilities file (./x/../ spelling)", cov(roads, pop, fac, {"--out", k.in("x/../facilities.gpkg")}),
         want::error, {"facilities.gpkg"}, {k.in("x/../facilities.gpkg")}, "the user's data would be overwritten"},
        {"--out is a symlink to the roads file", cov(roads, pop, fac, {"--out", k.out("link-to-roads.gpkg")}), want::error,
         {"roads.gpkg"}, {k.out("link-to-roads.gpkg")}, "a link is the file it points to"},
        {"--out is the population raster (./ spelling)", cov(roads, pop, fac, {"--out", k.in() + "/./population.tif"}),
         want::error, {"population.tif"}, {k.in() + "/./population.tif"}, "the user's raster would be overwritten"},
        {"--travel-raster is the population raster", cov(roads, pop, fac, join(o, {"--travel-raster", k.in("x/../population.tif")})),
         want::error, {"population.tif"}, {out, k.in("x/../population.tif")}, "same grid, same file: it would be replaced"},
        {"--graph-cache is the roads file", cov(roads, pop, fac, join(o, {"--graph-cache", roads})), want::error,
         {"roads.gpkg"}, {out}, "the cache would overwrite the roads"},
        {"--out and --travel-raster the same path", cov(roads, pop, fac, {"--out", k.out("both.tif"), "--travel-raster", k.out("both.tif")}),
         want::error, {"both.tif"}, {k.out("both.tif")}, "two outputs cannot share a file"},
        {"failed run keeps an earlier output",
         join({"--roads", roads, "--population", pop, "--facilities", fac, "--service", "dentist"}, {"--out", k.out("previous.gpkg")}),
         want::error, {"dentist"}, {k.out("previous.gpkg")}, "the earlier result must survive a failed run"},
        {"--out in a directory that does not exist", cov(roads, pop, fac, {"--out", k.out("no-dir/cov.gpkg")}), want::error,
         {"no-dir"}, {k.out("no-dir/cov.gpkg")}, "found before any work"},
        {"--out under a file used as a directory", cov(roads, pop, fac, {"--out", k.out("file-not-dir/cov.gpkg")}), want::error,
         {"file-not-dir"}, {k.out("file-not-dir/cov.gpkg")}, "unwritable destination"},
        {"--out under /proc", cov(roads, pop, fac, {"--out", "/proc/healthreach-bad-input.gpkg"}), want::error,
         {"/proc/healthreach-bad-input.gpkg"}, {"/proc/healthreach-bad-input.gpkg"}, "unwritable destination (even as root)"},
        {"--travel-raster under /proc", cov(roads, pop, fac, join(o, {"--travel-raster", "/proc/healthreach-bad-input.tif"})),
         want::error, {"/proc/healthreach-bad-input.tif"}, {out, "/proc/healthreach-bad-input.tif"},
         "the second output fails after the first: neither may be left"},
        {"--out in a read-only directory", cov(roads, pop, fac, {"--out", ro + "/cov.gpkg"}), want::error, {"read-only"},
         {ro + "/cov.gpkg"}, "unwritable destination (skipped as root)", false, nullptr,
         [] { return skip_when_root("coverage --out in a read-only directory"); }},
        {"2890-character output path (nested directories)",
         cov(roads, long_in + "/population.tif", fac, {"--out", long_out, "--travel-raster", long_in + "/cost.tif"}), want::ok,
         {}, {long_out, long_in + "/cost.tif"}, "valid: Linux allows 4096", true},
        {"250-character output file name", cov(roads, pop, fac, {"--out", k.out(name_250(".gpkg"))}), want::ok, {},
         {k.out(name_250(".gpkg"))}, "valid: 255 is the limit (temporary names must fit too)"},
        {"--type-map entry naming a type no service knows", cov(roads, pop, fac, join(o, {"--type-map", "Hospital=ambulanse-station"})),
         want::error, {"--type-map", "Hospital=ambulanse-station"}, {out}, "a typo in the standards' type would match nothing"},
        {"--type-map with an empty entry", cov(roads, pop, fac, join(o, {"--type-map", "Hospital=ambulance-station,,"})),
         want::error, {"--type-map", "entry 2 is empty"}, {out}, "a stray comma: say where, do not guess"},
        {"--type-map entry without '='", cov(roads, pop, fac, join(o, {"--type-map", "Hospital"})), want::error,
         {"--type-map", "'Hospital' has no '='"}, {out}, "half an entry"},
        {"--type-field that does not exist", cov(roads, pop, fac, join(o, {"--type-field", "kind"})), want::error,
         {"'kind'", "--type-field"}, {out}, "the named field must exist (the message lists the fields)"},
        {"types neither in --type-map nor in the standards",
         cov(roads, pop, k.in("fac-vocab.geojson"), join(o, {"--type-map", "Hospital=ambulance-station"})), want::ok_warn,
         {"fac-vocab.geojson", "'Clinic' 1", "'Maternity Home' 1"}, {out},
         "features of unknown types are left out, and the planner is told which", true,
         [](const std::string& j) -> std::string {
             return json_number(j, "facilities_used") == 1 && j.find("\"types_mapped\":1") != std::string::npos
                        ? ""
                        : "expected 1 facility used and types_mapped 1";
         }},
        {"--all-facilities counts the types it takes", cov(roads, pop, fac, join(o, {"--all-facilities"})), want::ok_warn,
         {"--all-facilities", "distinct types", "'ambulance-station'"}, {out},
         "every clinic and school would count as an ambulance station without a word", true},
        {"facilities without a type field", cov(roads, pop, k.in("fac-untyped.geojson"), o), want::ok_warn,
         {"fac-untyped.geojson", "no type field", "all 2 features"}, {out}, "every feature is used: say so", true},
        {"CSV without coordinate columns", cov(roads, pop, k.in("fac-nocoords.csv"), o), want::error,
         {"fac-nocoords.csv", "no coordinate columns"}, {out}, "a list of addresses is not a layer of points"},
        {"CSV row with an unparsable coordinate", cov(roads, pop, k.in("fac-comma.csv"), join(o, {"--points-crs", "EPSG:32649"})),
         want::error, {"fac-comma.csv", "row 3", "'436540,5'"}, {out}, "a decimal comma: never a facility dropped"},
        {"CSV x/y in metres without --points-crs", cov(roads, pop, k.in("fac-xy.csv"), o), want::error,
         {"fac-xy.csv", "row 2", "--points-crs"}, {out}, "x/y are read as degrees unless told"},
        {"GBK CSV (Chinese Excel)", cov(roads, pop, k.in("fac-gbk.csv"), join(o, {"--points-crs", "EPSG:32649"})), want::ok,
         {}, {out}, "valid: decoded as GBK, the name kept", true,
         [](const std::string& j) -> std::string {
             return j.find("text read as GBK") != std::string::npos ? "" : "the input summary does not say GBK";
         }},
        {"GBK text with a wrong encoding guess (a Latin-1 CSV)",
         cov(roads, pop, k.in("fac-latin1.csv"), join(o, {"--points-crs", "EPSG:32649"})), want::error,
         {"fac-latin1.csv", "row 2", "UTF-8"}, {out}, "a Latin-1 name would read as Chinese characters"},
        {"--coords gcj02 on a layer in metres", cov(roads, pop, fac, join(o, {"--coords", "gcj02"})), want::error,
         {"--coords", "EPSG:32649"}, {out}, "web-map offsets apply to longitudes and latitudes only"},
        {"--coords mars", cov(roads, pop, fac, join(o, {"--coords", "mars"})), want::error, {"--coords", "mars"}, {out},
         "an unknown coordinate system"},
        {"--bands not ascending", cov(roads, pop, fac, join(o, {"--bands", "5000,2500"})), want::error, {"--bands", "2500", "ascending"},
         {out}, "bands are cumulative upper edges: out of order they would count nonsense"},
        {"--bands with a zero edge", cov(roads, pop, fac, join(o, {"--bands", "0,5000"})), want::error, {"--bands", "0 is not a positive"},
         {out}, "a band of cost <= 0 holds nobody but the facilities' doorsteps"},
        {"--bands with a negative edge", cov(roads, pop, fac, join(o, {"--bands=-100,5000"})), want::error, {"--bands", "-100"}, {out},
         "a negative cost does not exist"},
        {"--bands not a number", cov(roads, pop, fac, join(o, {"--bands", "2.5km,5km"})), want::error, {"--bands", "'2.5km'"}, {out},
         "units are the service's (metres or seconds), never written in"},
        {"--population-group without '='", cov(roads, pop, fac, join(o, {"--population-group", "elderly"})), want::error,
         {"--population-group", "'elderly'", "'='"}, {out}, "NAME=RASTER: half a spec"},
        {"--population-group name given twice",
         cov(roads, pop, fac, join(o, {"--population-group", "old=" + pop, "--population-group", "old=" + pop})), want::error,
         {"--population-group", "'old'", "twice"}, {out}, "two groups under one JSON key"},
        {"--population-group raster missing", cov(roads, pop, fac, join(o, {"--population-group", "elderly=" + k.in("no-such-65.tif")})),
         want::error, {"--population-group", "no-such-65.tif"}, {out}, "a mistyped path"},
        {"--population-group raster on another grid", cov(roads, pop, fac, join(o, {"--population-group", "elderly=" + sample + "/population.tif"})),
         want::error, {"--population-group", "population.tif", "size"}, {out},
         "refused, not resampled: resampling people is never neutral (docs/decisions.md)"},
    };
    k.run_all(cases);
    make_writable(ro);
}

TEST_CASE("bad input corpus: evaluate", "[e2e][bad-input]") {
    corpus k("evaluate", "evaluate");
    const std::string roads = k.sample_copy("roads.gpkg"), pop = city_population(k.in("population.tif")),
                      fac = k.sample_copy("facilities.gpkg"), admin = k.sample_copy("admin.gpkg");
    test::write_points(k.in("cand.geojson"), {{448888.18, 3978444.30, "\"id\":\"east\""}, {425100, 3960100, "\"id\":\"west\""}}, 32649);
    const std::string cand = k.in("cand.geojson");
    auto ev = [&](const std::string& c, std::vector<std::string> extra) {
        return join({"--roads", roads, "--population", pop, "--facilities", fac, "--service", "ambulance", "--candidates", c},
                    extra);
    };
    const std::string out = k.out("eval.gpkg");
    const std::vector<std::string> o = {"--out", out};

    write_bytes(k.in("cand-empty.geojson"), "");
    test::write_points(k.in("cand-none.geojson"), {}, 32649);
    truncated_copy(fac, k.in("cand-half.gpkg"), 0.5);
    write_bytes(k.in("cand-nan.csv"), "id,lon,lat\nnan-site,nan,nan\nok,110.25,35.85\n");
    translate_vector(cand, k.in("cand-4326.geojson"), {"-f", "GeoJSON", "-t_srs", "EPSG:4326"});
    shapefile_without_crs(cand, k.in("cand-nocrs.shp"));
    test::write_points(k.in("cand-dup.geojson"), {{448888.18, 3978444.30, "\"id\":\"C-dup\""}, {425100, 3960100, "\"id\":\"C-dup\""}},
                       32649);
    test::write_points(k.in("cand-latin1.geojson"), {{448888.18, 3978444.30, "\"id\":\"est-" + latin1_e + "\""}}, 32649);
    test::write_points(k.in("cand-far.geojson"), {{region_x, 3700000, "\"id\":\"far\""}}, 32649);
    const std::string cand_latin_path = k.in("candidats-" + latin1_e + ".geojson");
    copy_file(cand, cand_latin_path);
    copy_file(cand, k.in("scenario.geojson"));
    fs::create_directories(k.in("x"));
    fs::create_symlink(cand, k.out("link-to-cand.geojson"));

    const std::vector<bad_case> cases = {
        {"missing candidates file", ev(k.in("no-such-cand.gpkg"), o), want::error, {"no-such-cand.gpkg"}, {out}, "a mistyped path"},
        {"empty (0-byte) candidates file", ev(k.in("cand-empty.geojson"), o), want::error, {"cand-empty.geojson"}, {out},
         "an interrupted copy"},
        {"candidates layer without features", ev(k.in("cand-none.geojson"), o), want::error, {"cand-none.geojson"}, {out},
         "nothing to evaluate"},
        {"candidates GeoPackage cut in half", ev(k.in("cand-half.gpkg"), o), want::error, {"cand-half.gpkg"}, {out},
         "truncated file"},
        {"polygons given as candidates", ev(admin, o), want::error_or_warn, {"admin.gpkg"}, {out},
         "polygons may become representative points, never silently"},
        {"lines given as candidates", ev(roads, o), want::error, {"roads.gpkg"}, {out}, "wrong geometry"},
        {"raster given as candidates", ev(pop, o), want::error, {"population.tif"}, {out}, "wrong type"},
        {"NaN candidate coordinates (CSV)", ev(k.in("cand-nan.csv"), o), want::error, {"cand-nan.csv"}, {out},
         "a candidate must not vanish silently"},
        {"candidates without CRS", ev(k.in("cand-nocrs.shp"), o), want::error, {"cand-nocrs.shp"}, {out}, "no CRS"},
        {"candidates in EPSG:4326", ev(k.in("cand-4326.geojson"), o), want::ok, {}, {out}, "degrees are valid: reprojected", true},
        {"duplicate candidate ids", ev(k.in("cand-dup.geojson"), o), want::error_or_warn, {"C-dup"}, {out},
         "ranked candidates would be ambiguous"},
        {"non-UTF-8 candidate id", ev(k.in("cand-latin1.geojson"), o), want::error_or_warn, {"cand-latin1.geojson"}, {out},
         "a Latin-1 id; JSON must stay valid UTF-8", true},
        {"candidates far from the roads", ev(k.in("cand-far.geojson"), o), want::error_or_warn, {"cand-far.geojson"}, {out},
         "no candidate reaches the network"},
        {"non-UTF-8 candidates path", ev(cand_latin_path, o), want::ok, {}, {out}, "valid; JSON must stay valid", true},
        {"missing scenario file", ev(cand, join(o, {"--scenario", k.in("no-such-scenario.gpkg")})), want::error,
         {"no-such-scenario.gpkg"}, {out}, "a mistyped path"},
        {"--out is a symlink to the candidates", ev(cand, {"--out", k.out("link-to-cand.geojson")}), want::error,
         {"cand.geojson"}, {k.out("link-to-cand.geojson")}, "the candidates would be overwritten"},
        {"--out is the scenario file (./x/../ spelling)",
         ev(cand, {"--scenario", k.in("scenario.geojson"), "--out", k.in("x/../scenario.geojson")}), want::error,
         {"scenario.geojson"}, {k.in("x/../scenario.geojson")}, "the scenario would be overwritten"},
        {"--threads 100000", ev(cand, join(o, {"--threads", "100000"})), want::ok_warn, {"--threads"}, {out}, "cut back, with a warning"},
        {"250-character output file name", ev(cand, {"--out", k.out(name_250(".gpkg"))}), want::ok, {},
         {k.out(name_250(".gpkg"))}, "valid: temporary names must fit too"},
    };
    k.run_all(cases);
}

TEST_CASE("bad input corpus: access", "[e2e][bad-input]") {
    corpus k("access", "access");
    const std::string roads = k.sample_copy("roads.gpkg"), pop = city_population(k.in("population.tif"));
    auto stations = [&](const std::string& file, const std::string& second_supply) {
        test::write_points(k.in(file), {{448888.18, 3978444.30, "\"id\":\"east\",\"type\":\"ambulance-station\",\"doctors\":4"},
                                        {425100, 3960100, "\"id\":\"west\",\"type\":\"ambulance-station\",\"doctors\":" + second_supply}},
                           32649);
        return k.in(file);
    };
    const std::string fac = stations("stations.geojson", "2"), negative = stations("stations-neg.geojson", "-3"),
                      text = stations("stations-text.geojson", "\"many\""), empty = stations("stations-null.geojson", "null");
    auto acc = [&](const std::string& f, std::vector<std::string> extra) {
        return join({"--roads", roads, "--population", pop, "--facilities", f, "--service", "ambulance"}, extra);
    };
    const std::string out = k.out("access.gpkg"), raster = k.out("access.tif");
    const std::vector<std::string> o = {"--out", out};

    const std::vector<bad_case> cases = {
        {"supply field missing", acc(fac, join(o, {"--supply-field", "beds"})), want::error, {"stations.geojson", "beds", "doctors"},
         {out}, "names the field and lists the layer's fields"},
        {"negative supply", acc(negative, join(o, {"--supply-field", "doctors"})), want::error, {"doctors", "west", "-3"}, {out},
         "supply is people or units, never below 0"},
        {"non-numeric supply", acc(text, join(o, {"--supply-field", "doctors"})), want::error, {"doctors", "west", "many"}, {out},
         "text where a number belongs"},
        {"empty supply", acc(empty, join(o, {"--supply-field", "doctors"})), want::error, {"doctors", "west", "empty"}, {out},
         "a facility must not count as 0 silently"},
        {"unknown decay", acc(fac, join(o, {"--decay", "linear"})), want::error, {"--decay", "linear"}, {out},
         "step or gaussian"},
        {"--access-raster is the population", acc(fac, join(o, {"--access-raster", pop})), want::error, {"population.tif"}, {out},
         "the population would be overwritten"},
        {"--access-raster not .tif", acc(fac, join(o, {"--access-raster", k.out("access.png")})), want::error,
         {"--access-raster", "access.png"}, {out, k.out("access.png")}, "a GeoTIFF is written"},
        {"supply field, step decay and an access raster", acc(fac, join(o, {"--supply-field", "doctors", "--decay", "step", "--access-raster", raster})),
         want::ok, {}, {out, raster}, "valid", true},
    };
    k.run_all(cases);
}

TEST_CASE("bad input corpus: optimize", "[e2e][bad-input]") {
    corpus k("optimize", "optimize");
    const std::string roads = k.sample_copy("roads.gpkg"), pop = city_population(k.in("population.tif")),
                      fac = k.sample_copy("facilities.gpkg"), admin = k.sample_copy("admin.gpkg");
    test::write_points(k.in("cand.geojson"),
                       {{448888.18, 3978444.30, "\"id\":\"east\""}, {425100, 3960100, "\"id\":\"west\""},
                        {446501.88, 3966627.29, "\"id\":\"c\""}},
                       32649);
    const std::string cand = k.in("cand.geojson");
    auto opt = [&](std::vector<std::string> extra) {
        return join({"--roads", roads, "--population", pop, "--facilities", fac, "--service", "ambulance"}, extra);
    };
    const std::string out = k.out("opt.gpkg");
    const std::vector<std::string> o = {"--out", out};
    const std::vector<std::string> mc = {"--candidates", cand, "--objective", "max-cover", "--sites", "1"};

    write_bytes(k.in("cand-nan.csv"), "id,lon,lat\nnan-site,nan,nan\nok,110.25,35.85\n");
    test::write_points(k.in("cand-dup.geojson"),
                       {{448888.18, 3978444.30, "\"id\":\"C-dup\""}, {425100, 3960100, "\"id\":\"C-dup\""}}, 32649);
    test::write_points(k.in("fac-none.geojson"), {}, 32649);
    translate_vector(cand, k.in("cand-4326.geojson"), {"-f", "GeoJSON", "-t_srs", "EPSG:4326"});
    const std::string cand_latin_path = k.in("candidats-" + latin1_e + ".geojson");
    copy_file(cand, cand_latin_path);
    fs::create_directories(k.in("x"));
    fs::create_symlink(roads, k.out("link-to-roads.gpkg"));

    const std::vector<bad_case> cases = {
        {"--sites 0", opt(join({"--candidates", cand, "--objective", "max-cover", "--sites", "0"}, o)), want::error, {"--sites"},
         {out}, "no new site to place"},
        {"--sites -1", opt(join({"--candidates", cand, "--objective", "max-cover", "--sites=-1"}, o)), want::error, {"--sites"},
         {out}, "negative count"},
        {"unknown objective", opt(join({"--candidates", cand, "--objective", "best-ever", "--sites", "1"}, o)), want::error,
         {"best-ever"}, {out}, "typo in the objective"},
        {"--candidate-spacing 0", opt(join({"--candidate-spacing", "0", "--objective", "max-cover", "--sites", "1"}, o)),
         want::error, {"--candidate-spacing"}, {out}, "infinitely many candidates"},
        {"--time-limit 0", opt(join(mc, join({"--exact", "--time-limit", "0"}, o))), want::error, {"--time-limit"}, {out},
         "no time to solve"},
        {"--target -0.5", opt(join({"--candidates", cand, "--objective", "cover-all", "--target=-0.5"}, o)), want::error,
         {"--target"}, {out}, "a fraction must be within 0..1"},
        {"--busy-fraction nan", opt(join({"--candidates", cand, "--objective", "expected", "--vehicles", "2", "--busy-fraction", "nan"}, o)),
         want::error, {"--busy-fraction"}, {out}, "not a probability"},
        {"--vehicles 0 (expected)", opt(join({"--candidates", cand, "--objective", "expected", "--vehicles", "0"}, o)),
         want::error, {"--vehicles"}, {out}, "nothing to place"},
        {"polygons given as candidates", opt(join({"--candidates", admin, "--objective", "max-cover", "--sites", "1"}, o)),
         want::error_or_warn, {"admin.gpkg"}, {out}, "polygons may become representative points, never silently"},
        {"NaN candidate coordinates (CSV)",
         opt(join({"--candidates", k.in("cand-nan.csv"), "--objective", "max-cover", "--sites", "1"}, o)), want::error,
         {"cand-nan.csv"}, {out}, "a candidate must not vanish silently"},
        {"duplicate candidate ids", opt(join({"--candidates", k.in("cand-dup.geojson"), "--objective", "max-cover", "--sites", "1"}, o)),
         want::error_or_warn, {"C-dup"}, {out}, "the selected id would be ambiguous"},
        {"facilities layer without features", join({"--roads", roads, "--population", pop, "--facilities", k.in("fac-none.geojson"),
                                                    "--service", "ambulance"},
                                                   join(mc, o)),
         want::error_or_warn, {"fac-none.geojson"}, {out}, "an empty layer is probably the wrong layer; omit --facilities instead"},
        {"missing --min-distance-from file",
         join({"--roads", roads, "--population", pop, "--service", "sub-centre", "--candidates", fac, "--admin", admin,
               "--objective", "sub-centres", "--min-distance-from", k.in("no-such-hospitals.gpkg")},
              o),
         want::error,
         {"no-such-hospitals.gpkg"}, {out}, "a mistyped path"},
        {"candidates in EPSG:4326", opt(join({"--candidates", k.in("cand-4326.geojson"), "--objective", "max-cover", "--sites", "1"}, o)),
         want::ok, {}, {out}, "degrees are valid: reprojected", true},
        {"non-UTF-8 candidates path", opt(join({"--candidates", cand_latin_path, "--objective", "max-cover", "--sites", "1"}, o)),
         want::ok, {}, {out}, "valid; JSON must stay valid", true},
        {"--out is the candidates file (./x/../ spelling)", opt(join(mc, {"--out", k.in("x/../cand.geojson")})), want::error,
         {"cand.geojson"}, {k.in("x/../cand.geojson")}, "the candidates would be overwritten"},
        {"--graph-cache is a symlink to the roads file", opt(join(mc, join(o, {"--graph-cache", k.out("link-to-roads.gpkg")}))),
         want::error, {"roads.gpkg"}, {out}, "the cache would overwrite the roads"},
        {"--out and --travel-raster the same path", opt(join(mc, {"--out", k.out("same.gpkg"), "--travel-raster", k.out("same.gpkg")})),
         want::error, {"same.gpkg"}, {k.out("same.gpkg")}, "two outputs cannot share a file"},
        {"--threads 100000", opt(join(mc, join(o, {"--threads", "100000"}))), want::ok_warn, {"--threads"}, {out},
         "cut back, with a warning"},
        {"--out under /proc", opt(join(mc, {"--out", "/proc/healthreach-bad-input.gpkg"})), want::error,
         {"/proc/healthreach-bad-input.gpkg"}, {"/proc/healthreach-bad-input.gpkg"}, "unwritable destination"},
        {"250-character output file name", opt(join(mc, {"--out", k.out(name_250(".gpkg"))})), want::ok, {},
         {k.out(name_250(".gpkg"))}, "valid: temporary names must fit too"},
    };
    k.run_all(cases);
}

TEST_CASE("bad input corpus: compliance", "[e2e][bad-input]") {
    corpus k("compliance", "compliance");
    const std::string pop = k.sample_copy("population.tif"), fac = k.sample_copy("facilities.gpkg"),
                      admin = k.sample_copy("admin.gpkg"), villages = k.sample_copy("villages.gpkg"),
                      roads = k.sample_copy("roads.gpkg");
    auto comp = [&](const std::string& p, const std::string& f, const std::string& a, std::vector<std::string> extra) {
        return join({"--population", p, "--facilities", f, "--admin", a, "--villages", villages}, extra);
    };
    const std::string out = k.out("comp.gpkg"), csv = k.out("comp.csv");
    const std::vector<std::string> o = {"--out", out};

    write_bytes(k.in("empty.gpkg"), "");
    write_bytes(k.in("notes.txt"), "not a raster\n");
    truncated_copy(villages, k.in("villages-half.gpkg"), 0.5);
    shapefile_without_crs(admin, k.in("admin-nocrs.shp"), "counties");
    translate_vector(admin, k.in("admin-4326.gpkg"), {"-f", "GPKG", "-t_srs", "EPSG:4326"});
    test::write_boxes(k.in("admin-latin1.geojson"), {{420000, 3950000, 438500, 3987000}, {438500, 3950000, 457000, 3987000}},
                      {"West" + latin1_e + "county", "East"}, 32649);
    test::write_boxes(k.in("admin-dup.geojson"), {{420000, 3950000, 438500, 3987000}, {438500, 3950000, 457000, 3987000}},
                      {"Dup County", "Dup County"}, 32649);
    {
        std::vector<float> v = tens();
        v[5] = std::numeric_limits<float>::infinity();
        write_grid(k.in("pop-inf.tif"), 10, 10, {region_x, 100, 0, region_y, 0, -100}, v, 32649);
    }
    write_bytes(k.in("fac.csv"), "id,name,type,lon,lat\nA,Station A,ambulance-station,110.25,35.85\n");
    fs::create_directories(k.in("x"));
    fs::create_symlink(admin, k.out("link-to-admin.gpkg"));
    write_bytes(k.out("file-not-dir"), "a file\n");
    const std::string latin_out = k.out("conformit" + latin1_e + ".gpkg"), latin_csv = k.out("conformit" + latin1_e + ".csv");
    const std::string long_out = long_path(k.root() + "/long", "compliance.gpkg", 2890);
    const std::string long_csv = fs::path(long_out).replace_extension(".csv").string();

    const std::vector<bad_case> cases = {
        {"missing admin file", comp(pop, fac, k.in("no-such-admin.gpkg"), o), want::error, {"no-such-admin.gpkg"}, {out, csv},
         "a mistyped path"},
        {"points given as admin units", comp(pop, fac, fac, o), want::error, {"facilities.gpkg"}, {out, csv}, "wrong geometry"},
        {"lines given as villages", join({"--population", pop, "--facilities", fac, "--admin", admin, "--villages", roads}, o),
         want::error, {"roads.gpkg"}, {out, csv}, "wrong geometry"},
        {"villages GeoPackage cut in half", join({"--population", pop, "--facilities", fac, "--admin", admin, "--villages",
                                                  k.in("villages-half.gpkg")},
                                                 o),
         want::error, {"villages-half.gpkg"}, {out, csv}, "truncated file"},
        {"admin units without CRS", comp(pop, fac, k.in("admin-nocrs.shp"), o), want::error, {"admin-nocrs.shp"}, {out, csv},
         "no CRS"},
        {"text file given as population", comp(k.in("notes.txt"), fac, admin, o), want::error, {"notes.txt"}, {out, csv},
         "wrong type"},
        {"empty (0-byte) facilities file", comp(pop, k.in("empty.gpkg"), admin, o), want::error, {"empty.gpkg"}, {out, csv},
         "an interrupted copy"},
        {"population cell of +inf", comp(k.in("pop-inf.tif"), fac, admin, o), want::error, {"pop-inf.tif"}, {out, csv},
         "infinite people"},
        {"unknown --admin-layer", comp(pop, fac, admin, join(o, {"--admin-layer", "parishes"})), want::error, {"parishes"},
         {out, csv}, "the message lists the layers"},
        {"admin units in EPSG:4326", comp(pop, fac, k.in("admin-4326.gpkg"), o), want::ok, {}, {out, csv},
         "degrees are valid: reprojected", true},
        {"non-UTF-8 admin unit name", comp(pop, fac, k.in("admin-latin1.geojson"), o), want::error_or_warn,
         {"admin-latin1.geojson"}, {out, csv}, "a Latin-1 name; JSON must stay valid UTF-8", true},
        {"duplicate admin unit names", comp(pop, fac, k.in("admin-dup.geojson"), o), want::error_or_warn, {"Dup County"},
         {out, csv}, "two units with one name cannot be told apart in the report"},
        {"--out is a symlink to the admin file", comp(pop, fac, admin, {"--out", k.out("link-to-admin.gpkg")}), want::error,
         {"admin.gpkg"}, {k.out("link-to-admin.gpkg"), k.out("link-to-admin.csv")}, "the admin units would be overwritten"},
        {"--csv is the facilities file (./x/../ spelling)", comp(pop, fac, admin, join(o, {"--csv", k.in("x/../facilities.gpkg")})),
         want::error, {"facilities.gpkg"}, {out, k.in("x/../facilities.gpkg")}, "the facilities would be overwritten"},
        {"default CSV beside --out is the facilities CSV", comp(pop, k.in("fac.csv"), admin, {"--out", k.in("fac.gpkg")}),
         want::error, {"fac.csv"}, {k.in("fac.gpkg"), k.in("fac.csv")},
         "--out fac.gpkg writes fac.csv beside it: the input CSV would be overwritten"},
        {"--out in a directory that does not exist", comp(pop, fac, admin, {"--out", k.out("no-dir/comp.gpkg")}), want::error,
         {"no-dir"}, {k.out("no-dir/comp.gpkg"), k.out("no-dir/comp.csv")}, "found before any work"},
        {"--out under a file used as a directory", comp(pop, fac, admin, {"--out", k.out("file-not-dir/comp.gpkg")}),
         want::error, {"file-not-dir"}, {k.out("file-not-dir/comp.gpkg"), k.out("file-not-dir/comp.csv")},
         "unwritable destination"},
        {"--csv under /proc", comp(pop, fac, admin, join(o, {"--csv", "/proc/healthreach-bad-input.csv"})), want::error,
         {"/proc/healthreach-bad-input.csv"}, {out, "/proc/healthreach-bad-input.csv"},
         "the second output fails after the first: neither may be left"},
        {"non-UTF-8 output path", comp(pop, fac, admin, {"--out", latin_out}), want::ok, {}, {latin_out, latin_csv},
         "valid; JSON must stay valid", true},
        {"2890-character output path (nested directories)", comp(pop, fac, admin, {"--out", long_out}), want::ok, {},
         {long_out, long_csv}, "valid: Linux allows 4096"},
    };
    k.run_all(cases);
}

TEST_CASE("bad input corpus: audit", "[e2e][bad-input]") {
    corpus k("audit", "audit");
    const std::string roads = k.sample_copy("roads.gpkg"), pop = k.sample_copy("population.tif"),
                      fac = k.sample_copy("facilities.gpkg"), admin = k.sample_copy("admin.gpkg");
    auto audit = [&](const std::string& f, std::vector<std::string> extra) {
        return join({"--roads", roads, "--population", pop, "--facilities", f, "--admin", admin, "--threads", "2"}, extra);
    };
    const std::string out = k.out("audit.gpkg"), report = k.out("audit.html");
    const std::vector<std::string> o = {"--out", out, "--report", report};
    fs::create_symlink(admin, k.out("link-to-admin.html"));
    write_bytes(k.in("fac-untyped.csv"), "id,name,lon,lat\nA,Station A,110.25,35.85\n");
    write_bytes(k.in("fac-hospitals.csv"), "id,name,type,lon,lat\nA,Station A,Hospital,110.25,35.85\nB,Station B,Clinic,110.26,35.86\n");

    const std::vector<bad_case> cases = {
        {"missing facilities file", audit(k.in("no-such-facilities.gpkg"), o), want::error, {"no-such-facilities.gpkg"}, {out, report},
         "a mistyped path"},
        {"facilities without a type field", audit(k.in("fac-untyped.csv"), o), want::error, {"fac-untyped.csv", "type"}, {out, report},
         "without types the audit cannot tell the services apart"},
        {"facility types of no service", audit(k.in("fac-hospitals.csv"), o), want::error, {"fac-hospitals.csv", "Hospital"},
         {out, report}, "nothing to audit: a wrong file or a vocabulary to map (--type-map)"},
        {"--type-field naming no field", audit(fac, join(o, {"--type-field", "kind_of_site"})), want::error, {"kind_of_site"},
         {out, report}, "a mistyped field"},
        {"--profile given", audit(fac, join(o, {"--profile", "walk"})), want::error, {"--profile"}, {out, report},
         "each service runs on its own profile"},
        {"--lang fr", audit(fac, join(o, {"--lang", "fr"})), want::error, {"fr"}, {out, report}, "zh, en or both"},
        {"--report is the population raster", audit(fac, {"--out", out, "--report", pop}), want::error, {"population.tif"}, {out},
         "a report is .html: refused before any work, the raster untouched"},
        {"--report is a symlink to the admin file", audit(fac, {"--out", out, "--report", k.out("link-to-admin.html")}), want::error,
         {"admin.gpkg"}, {out, k.out("link-to-admin.html")}, "the admin units would be overwritten"},
        {"--out in a directory that does not exist", audit(fac, {"--out", k.out("no-dir/audit.gpkg")}), want::error, {"no-dir"},
         {k.out("no-dir/audit.gpkg")}, "found before any work"},
        {"no admin units", join({"--roads", roads, "--population", pop, "--facilities", fac, "--threads", "2"}, o), want::ok, {},
         {out, report}, "valid: every service for the whole region; the rules are said not checked", true,
         [](const std::string& json) -> std::string {
             return json.find("\"assessed\":false,\"reason\":\"no admin units") == std::string::npos ? "compliance not said unchecked" : "";
         }},
    };
    k.run_all(cases);
}

TEST_CASE("bad input corpus: network", "[e2e][bad-input]") {
    corpus k("network", "network");
    const std::string roads = k.sample_copy("roads.gpkg"), pop = k.sample_copy("population.tif"),
                      fac = k.sample_copy("facilities.gpkg");
    const std::string out = k.out("net.gpkg");
    const std::vector<std::string> o = {"--out", out};
    auto net = [&](const std::string& r, std::vector<std::string> extra) { return join({"--roads", r}, extra); };

    write_bytes(k.in("empty.gpkg"), "");
    truncated_copy(roads, k.in("roads-half.gpkg"), 0.5);
    test::write_lines(k.in("roads-none.geojson"), {});
    {
        std::string text = test::read_text(test::write_lines(
            k.in("roads-full.geojson"),
            {{{{0, 0}, {100, 0}}, "\"highway\":\"residential\""}, {{{100, 0}, {100, 100}}, "\"highway\":\"residential\""}}));
        write_bytes(k.in("roads-cut.geojson"), text.substr(0, text.size() * 2 / 3));
    }
    {
        std::ofstream f(k.in("roads-polygons.geojson"));
        f << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32650\"}},"
             "\"features\":[{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[0,0],[100,0],[100,100],[0,0]]]}}]}\n";
    }
    {
        std::ofstream f(k.in("roads-nan.geojson"));
        f << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32650\"}},"
             "\"features\":[{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},\"geometry\":{\"type\":\"LineString\","
             "\"coordinates\":[[0,0],[100,0],[NaN,5]]}},{\"type\":\"Feature\",\"properties\":{\"highway\":\"residential\"},"
             "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[100,0],[100,100]]}}]}\n";
    }
    shapefile_without_crs(roads, k.in("roads-nocrs.shp"));
    translate_vector(roads, k.in("roads-4326.geojson"), {"-f", "GeoJSON", "-t_srs", "EPSG:4326"});
    for (const auto& [file, value] : std::vector<std::pair<std::string, std::string>>{
             {"roads-maxspeed-inf.gpkg", "inf"}, {"roads-maxspeed-1e308.gpkg", "1e308"},
             {"roads-maxspeed-negative.gpkg", "-50"}, {"roads-maxspeed-nan.gpkg", "nan"}}) {
        copy_file(roads, k.in(file));
        const std::string v = value;
        set_field(k.in(file), "", 1, "maxspeed", [v](OGRFeature& f, int i) { f.SetField(i, v.c_str()); });
    }
    const std::string roads_latin_path = k.in("routes-" + latin1_e + ".gpkg");
    copy_file(roads, roads_latin_path);
    fs::create_directories(k.in("x"));
    fs::create_symlink(roads, k.out("link-to-roads.gpkg"));
    write_bytes(k.out("file-not-dir"), "a file\n");
    // Terrain and scenario layers: a DEM of another place, closures and speed factors of the wrong kind.
    write_grid(k.in("dem-far.tif"), 10, 10, {region_x, 100, 0, 3700000, 0, -100}, tens(), 32649);
    {
        std::vector<float> west(100 * 100, 500.0f);
        for (int r = 0; r < 100; ++r)
            for (int c = 75; c < 100; ++c) west[r * 100 + c] = -9999;  // the eastern quarter is nodata
        write_grid(k.in("dem-west.tif"), 100, 100, {420000, 370, 0, 3987000, 0, -370}, west, 32649, -9999);
    }
    const std::string admin = k.sample_copy("admin.gpkg");
    {
        std::ofstream f(k.in("snow-negative.geojson"));
        f << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32649\"}},"
             "\"features\":[{\"type\":\"Feature\",\"properties\":{\"factor\":-0.5},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[430000,3960000],[440000,3960000],[440000,3970000],[430000,3960000]]]}}]}\n";
    }
    const std::string long_out = long_path(k.root() + "/long", "network.gpkg", 2890);
    const std::string long_roads = fs::path(long_out).parent_path().string() + "/roads.gpkg";
    copy_file(roads, long_roads);
    const std::string ro = read_only_dir(k.root());

    auto maxspeed_case = [&](const std::string& file, const std::string& what) {
        return bad_case{"maxspeed=" + what + " on a road", net(k.in(file), o), want::error_or_warn, {"maxspeed"}, {out},
                        "a speed that is not a positive finite km/h must be refused or replaced with a warning"};
    };

    const std::vector<bad_case> cases = {
        {"missing roads file", net(k.in("no-such-roads.gpkg"), o), want::error, {"no-such-roads.gpkg"}, {out}, "a mistyped path"},
        {"empty (0-byte) roads GeoPackage", net(k.in("empty.gpkg"), o), want::error, {"empty.gpkg"}, {out}, "an interrupted copy"},
        {"roads GeoPackage cut in half", net(k.in("roads-half.gpkg"), o), want::error, {"roads-half.gpkg"}, {out},
         "a truncated SQLite file opens but fails while read"},
        {"roads GeoJSON cut short", net(k.in("roads-cut.geojson"), o), want::error, {"roads-cut.geojson"}, {out},
         "a truncated text file"},
        {"roads layer without features", net(k.in("roads-none.geojson"), o), want::error, {"roads-none.geojson"}, {out},
         "nothing to route"},
        {"raster given as roads", net(pop, o), want::error, {"population.tif"}, {out}, "wrong type"},
        {"points given as roads", net(fac, o), want::error, {"facilities.gpkg"}, {out}, "wrong geometry"},
        {"polygons with a highway field given as roads", net(k.in("roads-polygons.geojson"), o), want::error,
         {"roads-polygons.geojson"}, {out}, "wrong geometry"},
        {"NaN coordinate in a road line", net(k.in("roads-nan.geojson"), o), want::error, {"roads-nan.geojson"}, {out},
         "a NaN vertex would poison every length"},
        {"roads shapefile without .prj", net(k.in("roads-nocrs.shp"), o), want::error, {"roads-nocrs.shp"}, {out}, "no CRS"},
        {"roads in EPSG:4326", net(k.in("roads-4326.geojson"), o), want::ok, {}, {out}, "degrees are valid: reprojected"},
        maxspeed_case("roads-maxspeed-inf.gpkg", "inf"),
        maxspeed_case("roads-maxspeed-1e308.gpkg", "1e308"),
        maxspeed_case("roads-maxspeed-negative.gpkg", "-50"),
        maxspeed_case("roads-maxspeed-nan.gpkg", "nan"),
        {"--dem of another place", net(roads, join(o, {"--dem", k.in("dem-far.tif")})), want::error, {"dem-far.tif", "does not cover"},
         {out}, "a DEM that misses the roads would leave every slope flat"},
        {"--dem missing the eastern quarter of the region", net(roads, join(o, {"--dem", k.in("dem-west.tif"), "--profile", "walk"})),
         want::ok_warn, {"dem-west.tif", "off the DEM"}, {out}, "roads off the DEM are taken as flat; the km are counted"},
        {"--closures given points", net(roads, join(o, {"--closures", fac})), want::error, {"facilities.gpkg", "not a polygon"},
         {out}, "closures are areas"},
        {"--speed-factors without a factor field", net(roads, join(o, {"--speed-factors", admin})), want::error,
         {"admin.gpkg", "factor"}, {out}, "nothing says how much slower"},
        {"--speed-factors with a negative factor", net(roads, join(o, {"--speed-factors", k.in("snow-negative.geojson")})),
         want::error, {"snow-negative.geojson", "-0.5"}, {out}, "a speed cannot be negative"},
        {"unknown --profile", net(roads, join(o, {"--profile", "bike"})), want::error, {"bike"}, {out}, "typo"},
        {"--junction-tolerance -1", net(roads, join(o, {"--junction-tolerance=-1"})), want::error, {"--junction-tolerance"},
         {out}, "negative distance"},
        {"--crs EPSG:4326 (not metric)", net(roads, join(o, {"--crs", "EPSG:4326"})), want::error, {"EPSG:4326"}, {out},
         "lengths need a metric CRS"},
        {"--threads 100000 (network has no --threads)", net(roads, join(o, {"--threads", "100000"})), want::error, {"--threads"}, {out},
         "the network build is single-threaded: the option does not exist"},
        {"--out is a symlink to the roads file", net(roads, {"--out", k.out("link-to-roads.gpkg")}), want::error, {"roads.gpkg"},
         {k.out("link-to-roads.gpkg")}, "the roads would be overwritten"},
        {"--out is the roads file (./x/../ spelling)", net(roads, {"--out", k.in("x/../roads.gpkg")}), want::error,
         {"roads.gpkg"}, {k.in("x/../roads.gpkg")}, "the roads would be overwritten"},
        {"--graph-cache is the roads file", net(roads, join(o, {"--graph-cache", k.in("./roads.gpkg")})), want::error,
         {"roads.gpkg"}, {out}, "the cache would overwrite the roads"},
        {"--graph-cache is --out", net(roads, join(o, {"--graph-cache", out})), want::error, {"net.gpkg"}, {out},
         "two outputs cannot share a file"},
        {"--out under a file used as a directory", net(roads, {"--out", k.out("file-not-dir/net.gpkg")}), want::error,
         {"file-not-dir"}, {k.out("file-not-dir/net.gpkg")}, "unwritable destination"},
        {"--out under /proc", net(roads, {"--out", "/proc/healthreach-bad-input.gpkg"}), want::error,
         {"/proc/healthreach-bad-input.gpkg"}, {"/proc/healthreach-bad-input.gpkg"}, "unwritable destination (even as root)"},
        {"--out in a read-only directory", net(roads, {"--out", ro + "/net.gpkg"}), want::error, {"read-only"},
         {ro + "/net.gpkg"}, "unwritable destination (skipped as root)", false, nullptr,
         [] { return skip_when_root("network --out in a read-only directory"); }},
        {"non-UTF-8 roads path", net(roads_latin_path, o), want::ok, {}, {out}, "valid"},
        {"2890-character paths (nested directories)", net(long_roads, {"--out", long_out}), want::ok, {}, {long_out},
         "valid: Linux allows 4096"},
        {"250-character output file name", net(roads, {"--out", k.out(name_250(".gpkg"))}), want::ok, {},
         {k.out(name_250(".gpkg"))}, "valid: temporary names must fit too"},
    };
    k.run_all(cases);
    make_writable(ro);
}

TEST_CASE("bad input corpus: reach", "[e2e][bad-input]") {
    corpus k("reach", "reach");
    const std::string roads = k.sample_copy("roads.gpkg");
    const std::string graph = k.in("net.gpkg");
    REQUIRE(test::run(shell_quote(exe) + " network --quiet --roads " + shell_quote(roads) + " --out " + shell_quote(graph)) == 0);
    write_bytes(k.in("s.csv"), "node_id\n0\n10\n");
    const std::string src = k.in("s.csv");
    const std::string out = k.out("reach.csv");
    const std::vector<std::string> o = {"--out", out};
    auto reach = [&](const std::string& g, const std::string& s, std::vector<std::string> extra) {
        return join({"--graph", g, "--sources", s, "--limit", "2000"}, extra);
    };

    truncated_copy(graph, k.in("net-half.gpkg"), 0.5);
    copy_file(graph, k.in("net-negative-time.gpkg"));
    set_field(k.in("net-negative-time.gpkg"), "edges", 2, "time_s", [](OGRFeature& f, int i) { f.SetField(i, -5.0); }, OFTReal);
    copy_file(graph, k.in("net-nan-length.gpkg"));
    set_field(k.in("net-nan-length.gpkg"), "edges", 2, "length_m",
              [](OGRFeature& f, int i) { f.SetField(i, std::numeric_limits<double>::quiet_NaN()); }, OFTReal);
    write_bytes(k.in("s-empty.csv"), "");
    write_bytes(k.in("s-nocol.csv"), "node\n0\n");
    write_bytes(k.in("s-text.csv"), "node_id\nabc\n");
    write_bytes(k.in("s-nan.csv"), "node_id\nnan\n");
    write_bytes(k.in("s-dup.csv"), "node_id\n10\n10\n");
    const std::string src_latin_path = k.in("sources-" + latin1_e + ".csv");
    copy_file(src, src_latin_path);
    fs::create_directories(k.in("x"));
    fs::create_symlink(src, k.out("link-to-sources.csv"));
    const std::string long_out = long_path(k.root() + "/long", "reach.csv", 2890);

    const std::vector<bad_case> cases = {
        {"missing graph file", reach(k.in("no-such-net.gpkg"), src, o), want::error, {"no-such-net.gpkg"}, {out},
         "a mistyped path"},
        {"graph GeoPackage cut in half", reach(k.in("net-half.gpkg"), src, o), want::error, {"net-half.gpkg"}, {out},
         "truncated file"},
        {"roads file given as the graph", reach(roads, src, o), want::error, {"roads.gpkg"}, {out},
         "not a network export: no edges layer"},
        {"graph edge with a negative time_s", reach(k.in("net-negative-time.gpkg"), src, join(o, {"--metric", "time"})),
         want::error, {"time_s"}, {out}, "Dijkstra is wrong on negative costs"},
        {"graph edge with a NaN (NULL) length_m", reach(k.in("net-nan-length.gpkg"), src, o), want::error, {"length_m"}, {out},
         "a missing length must not read as 0"},
        {"missing sources file", reach(graph, k.in("no-such-sources.csv"), o), want::error, {"no-such-sources.csv"}, {out},
         "a mistyped path"},
        {"empty (0-byte) sources file", reach(graph, k.in("s-empty.csv"), o), want::error, {"s-empty.csv"}, {out},
         "an interrupted copy"},
        {"sources without a node_id column", reach(graph, k.in("s-nocol.csv"), o), want::error, {"node_id"}, {out},
         "the required column is named"},
        {"sources node_id abc", reach(graph, k.in("s-text.csv"), o), want::error, {"abc"}, {out}, "not a number"},
        {"sources node_id nan", reach(graph, k.in("s-nan.csv"), o), want::error, {"nan"}, {out}, "not a node"},
        {"duplicate source node_id", reach(graph, k.in("s-dup.csv"), o), want::error_or_warn, {"s-dup.csv"}, {out},
         "repeated rows are probably a mistake"},
        {"--limit -1", join({"--graph", graph, "--sources", src, "--limit=-1"}, o), want::error, {"--limit"}, {out},
         "negative limit"},
        {"--limit nan", join({"--graph", graph, "--sources", src, "--limit", "nan"}, o), want::error, {"--limit"}, {out},
         "not a number"},
        {"--limit 1e308 (everything)", join({"--graph", graph, "--sources", src, "--limit", "1e308"}, o), want::ok, {}, {out},
         "huge but valid: every reachable node"},
        {"unknown --metric", reach(graph, src, join(o, {"--metric", "minutes"})), want::error, {"minutes"}, {out}, "typo"},
        {"--threads 100000", reach(graph, src, join(o, {"--threads", "100000"})), want::ok_warn, {"--threads"}, {out},
         "cut back, with a warning"},
        {"--out is a symlink to the sources", reach(graph, src, {"--out", k.out("link-to-sources.csv")}), want::error,
         {"s.csv"}, {k.out("link-to-sources.csv")}, "the sources would be overwritten"},
        {"--out is the graph (./x/../ spelling)", reach(graph, src, {"--out", k.in("x/../net.gpkg")}), want::error,
         {"net.gpkg"}, {k.in("x/../net.gpkg")}, "the graph would be overwritten"},
        {"--out in a directory that does not exist", reach(graph, src, {"--out", k.out("no-dir/reach.csv")}), want::error,
         {"no-dir"}, {k.out("no-dir/reach.csv")}, "found before any work"},
        {"--out under /proc", reach(graph, src, {"--out", "/proc/healthreach-bad-input.csv"}), want::error,
         {"/proc/healthreach-bad-input.csv"}, {"/proc/healthreach-bad-input.csv"}, "unwritable destination"},
        {"non-UTF-8 sources path", reach(graph, src_latin_path, o), want::ok, {}, {out}, "valid"},
        {"2890-character output path (nested directories)", reach(graph, src, {"--out", long_out}), want::ok, {}, {long_out},
         "valid: Linux allows 4096"},
        {"250-character output file name", reach(graph, src, {"--out", k.out(name_250(".csv"))}), want::ok, {},
         {k.out(name_250(".csv"))}, "valid: temporary names must fit too"},
    };
    k.run_all(cases);
}

TEST_CASE("bad input corpus: synth", "[e2e][bad-input]") {
    corpus k("synth", "synth");
    write_bytes(k.in("my-notes.txt"), "a file the user keeps\n");
    const std::string ro = read_only_dir(k.root());
    const std::string latin_dir = k.out("r" + latin1_e + "gion");
    const std::string long_dir = long_path(k.root() + "/long", "region", 2890);

    const std::vector<bad_case> cases = {
        {"unknown --scale", {"--out", k.out("r1"), "--scale", "huge"}, want::error, {"huge"}, {k.out("r1")}, "typo"},
        {"--seed abc", {"--out", k.out("r2"), "--seed", "abc"}, want::error, {"--seed"}, {k.out("r2")}, "not a number"},
        {"--seed -1", {"--out", k.out("r3"), "--seed=-1"}, want::error, {"--seed"}, {k.out("r3")},
         "an unsigned seed must not wrap silently"},
        {"--out is an existing file", {"--out", k.in("my-notes.txt")}, want::error, {"my-notes.txt"}, {k.in("my-notes.txt")},
         "a file is not a directory; it must stay as it was"},
        {"--out under a file used as a directory", {"--out", k.in("my-notes.txt") + "/region"}, want::error, {"my-notes.txt"},
         {k.in("my-notes.txt") + "/region"}, "unwritable destination"},
        {"--out under /proc", {"--out", "/proc/healthreach-bad-input-region"}, want::error, {"/proc/healthreach-bad-input-region"},
         {"/proc/healthreach-bad-input-region"}, "unwritable destination (even as root)"},
        {"--out in a read-only directory", {"--out", ro + "/region"}, want::error, {"read-only"}, {ro + "/region"},
         "unwritable destination (skipped as root)", false, nullptr,
         [] { return skip_when_root("synth --out in a read-only directory"); }},
        {"non-UTF-8 output directory", {"--out", latin_dir, "--quiet"}, want::ok, {}, {latin_dir}, "valid"},
        {"2890-character output directory (nested)", {"--out", long_dir, "--quiet"}, want::ok, {}, {long_dir},
         "valid: Linux allows 4096"},
    };
    k.run_all(cases);
    make_writable(ro);
}
