#include "support.hpp"

#include "test_paths.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

namespace healthreach::test {

namespace fs = std::filesystem;

std::string scratch_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("healthreach-test-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    static struct cleanup {
        ~cleanup() {
            std::error_code ec;
            fs::remove_all(fs::temp_directory_path() / ("healthreach-test-" + std::to_string(::getpid())), ec);
        }
    } at_exit;
    return dir.string();
}

std::string write_lines(const std::string& path, const std::vector<line_feature>& lines, int epsg) {
    std::ofstream out(path);
    out.precision(17);
    out << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::"
        << epsg << "\"}},\"features\":[";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out << (i ? "," : "") << "{\"type\":\"Feature\",\"properties\":{" << lines[i].properties
            << "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[";
        for (std::size_t j = 0; j < lines[i].coords.size(); ++j)
            out << (j ? "," : "") << "[" << lines[i].coords[j].first << "," << lines[i].coords[j].second << "]";
        out << "]}}";
    }
    out << "]}\n";
    return path;
}

std::string shared_data(const std::string& name) {
    const fs::path p = fs::path(HEALTHREACH_SHARED_DATA) / name;
    if (fs::exists(p)) return p.string();
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL("real data missing under CI: " << p);
    WARN("SKIPPED: real data absent: " << p);
    return "";
}

int run(const std::string& command, std::string* err) {
    std::string cmd = command;
    std::string err_file;
    if (err) {
        err_file = (fs::temp_directory_path() / ("healthreach-stderr-" + std::to_string(::getpid()))).string();
        cmd += " 2>" + err_file;
    }
    const int status = std::system(cmd.c_str());
    if (err) {
        std::ifstream in(err_file);
        std::stringstream ss;
        ss << in.rdbuf();
        *err = ss.str();
        fs::remove(err_file);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool file_exists(const std::string& path) { return fs::exists(path); }

std::vector<std::string> list_dir(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    return names;
}

}  // namespace healthreach::test
