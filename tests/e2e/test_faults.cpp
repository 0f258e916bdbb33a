// Faults: runs killed at any moment, a destination that fills up, two runs writing one output.
// Whatever happens, every output is either the previous run's or this run's, whole; a failed run
// says why; temporary files are removed, or (SIGKILL) removed by the next run.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/gdal.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace healthreach;
namespace fs = std::filesystem;

namespace {

const std::string exe = HEALTHREACH_BINARY;
const std::string sample = HEALTHREACH_SAMPLE_DATA;

std::vector<std::string> coverage_args(const std::string& service, const std::string& dir) {
    return {exe, "coverage", "--roads", sample + "/roads.gpkg", "--population", sample + "/population.tif", "--facilities",
            sample + "/facilities.gpkg", "--service", service, "--out", dir + "/out.gpkg", "--travel-raster",
            dir + "/out.tif", "--quiet"};
}

pid_t spawn(const std::vector<std::string>& args) {
    const pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> argv;
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        std::freopen("/dev/null", "w", stderr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

int wait_for(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

std::string bytes_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The service whose run wrote the GeoPackage: its demand layer's largest limit is 20,000 m for the
// ambulance and 900 s for the community station.
std::string service_of(const std::string& gpkg) {
    geo::dataset_ptr ds = geo::open_vector(gpkg);
    OGRLayer* demand = ds->GetLayerByName("demand");
    REQUIRE(demand);
    double largest = 0;
    for (geo::feature_ptr f(demand->GetNextFeature()); f; f.reset(demand->GetNextFeature()))
        largest = std::max(largest, f->GetFieldAsDouble("limit"));
    return largest > 1000 ? "ambulance" : "community-station";
}

std::vector<std::string> temporaries(const std::string& dir) {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(".healthreach-") != std::string::npos) found.push_back(e.path().string());
    return found;
}

}  // namespace

TEST_CASE("a coverage run killed at any moment leaves the previous outputs whole", "[e2e][faults]") {
    const std::string dir = test::scratch_dir("faults-kill");
    REQUIRE(wait_for(spawn(coverage_args("ambulance", dir))) == 0);
    std::string old_gpkg = bytes_of(dir + "/out.gpkg"), old_tif = bytes_of(dir + "/out.tif");
    int finished = 0, interrupted = 0;
    for (const int sig : {SIGTERM, SIGINT, SIGKILL})
        for (int delay_ms = 30; delay_ms <= 1230; delay_ms += 100) {
            const pid_t pid = spawn(coverage_args("community-station", dir));
            std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
            kill(pid, sig);
            const int status = wait_for(pid);
            const bool done = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            (done ? finished : interrupted) += 1;
            INFO("signal " << sig << " after " << delay_ms << " ms; status " << status);
            // Each output whole, from one run or the other. SIGINT and SIGTERM: both from the same run (the
            // renames are made with them held back). SIGKILL cannot be held back: a run descheduled
            // between its two renames and killed there leaves a new GeoPackage beside the old raster.
            const bool old_pair = bytes_of(dir + "/out.gpkg") == old_gpkg;
            const bool old_raster = bytes_of(dir + "/out.tif") == old_tif;
            CHECK(service_of(dir + "/out.gpkg") == (old_pair ? "ambulance" : "community-station"));
            if (sig != SIGKILL) CHECK(old_pair == old_raster);
            if (sig != SIGKILL) CHECK(temporaries(dir).empty());  // the handler removed them
            if (!old_pair || !old_raster || sig == SIGKILL) {  // back to the ambulance pair for the next round
                REQUIRE(wait_for(spawn(coverage_args("ambulance", dir))) == 0);
                CHECK(bytes_of(dir + "/out.tif") == old_tif);
                old_gpkg = bytes_of(dir + "/out.gpkg");  // GeoPackages carry their time of writing
            }
            CHECK(temporaries(dir).empty());  // a later run removes what a killed one left
        }
    INFO(finished << " runs finished before the signal, " << interrupted << " were interrupted");
    CHECK(interrupted > 0);
}

TEST_CASE("a destination that fills up: a failure that says so, no partial output", "[e2e][faults]") {
    const std::string dir = test::scratch_dir("faults-full");
    for (const int limit_kib : {16, 64, 256, 1024, 65536}) {
        fs::remove(dir + "/out.gpkg");
        fs::remove(dir + "/out.tif");
        fs::remove(dir + "/map.pdf");
        // A file size limit (RLIMIT_FSIZE) behaves as a full disk for every file the run writes.
        std::string command = "ulimit -f " + std::to_string(limit_kib) + "; trap '' XFSZ; exec";
        std::vector<std::string> args = coverage_args("ambulance", dir);
        args.push_back("--map");
        args.push_back(dir + "/map.pdf");
        for (const std::string& a : args) command += " '" + a + "'";
        std::string err;
        const int code = test::run("bash -c \"" + command + "\"", &err);
        INFO("limit " << limit_kib << " KiB: exit " << code << ", stderr " << err);
        if (code == 0) {
            CHECK(geo::open_vector(dir + "/out.gpkg")->GetLayerByName("demand") != nullptr);
            CHECK(fs::file_size(dir + "/map.pdf") > 1000);
        } else {
            CHECK((code == 1 || code == 2));
            CHECK((err.find("write") != std::string::npos || err.find("I/O") != std::string::npos));
            CHECK_FALSE(fs::exists(dir + "/out.gpkg"));
            CHECK_FALSE(fs::exists(dir + "/out.tif"));
            CHECK_FALSE(fs::exists(dir + "/map.pdf"));
        }
        CHECK(temporaries(dir).empty());
        if (limit_kib == 16) CHECK(code != 0);
        if (limit_kib == 65536) CHECK(code == 0);
    }
}

TEST_CASE("two runs writing one output at once leave one whole file", "[e2e][faults]") {
    const std::string dir = test::scratch_dir("faults-concurrent");
    const pid_t a = spawn(coverage_args("ambulance", dir));
    const pid_t b = spawn(coverage_args("community-station", dir));
    CHECK(wait_for(a) == 0);
    CHECK(wait_for(b) == 0);
    const std::string service = service_of(dir + "/out.gpkg");
    CHECK((service == "ambulance" || service == "community-station"));
    CHECK(temporaries(dir).empty());
}
