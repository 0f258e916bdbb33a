#pragma once
// Helpers shared by the tests: scratch directories, tiny GeoJSON layers, real data lookup.
#include <string>
#include <vector>

namespace healthreach::test {

// A fresh empty directory under the system temp dir, removed at exit.
std::string scratch_dir(const std::string& name);

struct line_feature {
    std::vector<std::pair<double, double>> coords;
    std::string properties;  // JSON object body, e.g. "\"highway\":\"residential\""
};

// Writes a GeoJSON LineString layer in the given EPSG code and returns its path.
std::string write_lines(const std::string& path, const std::vector<line_feature>& lines, int epsg = 32650);

// Path of a file in ../shared/data, or "" when the data are absent outside CI (the caller skips
// visibly); under CI=true absence is a test failure.
std::string shared_data(const std::string& name);

// Runs a shell command, returns its exit code; stderr goes to `err` when given.
int run(const std::string& command, std::string* err = nullptr);

bool file_exists(const std::string& path);
// Files in a directory, names only.
std::vector<std::string> list_dir(const std::string& dir);

}  // namespace healthreach::test
