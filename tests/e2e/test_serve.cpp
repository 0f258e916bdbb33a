// End-to-end: `healthreach serve` as a real process on a free port, driven through its HTTP API:
// one added site equals what `evaluate` reports for it (sample region and Accra), malformed requests
// are 400 and the server goes on, four concurrent clients get consistent answers, SIGTERM during a
// request ends it with exit 0, a port in use is exit 2.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/json_parse.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

extern char** environ;

using namespace healthreach;
using geo::json_value;
using geo::parse_json;

namespace {

const std::string exe = HEALTHREACH_BINARY;
const std::string sample = HEALTHREACH_SAMPLE_DATA;

int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(s);
    return ntohs(addr.sin_port);
}

// A `healthreach serve` child process; killed (SIGKILL) if a test leaves it running.
class server {
public:
    server(std::vector<std::string> args, int port, const std::string& dir) : port_(port), err_(dir + "/serve-" + std::to_string(port) + ".err") {
        args.insert(args.begin(), {exe, "serve"});
        args.insert(args.end(), {"--port", std::to_string(port)});
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t files;
        posix_spawn_file_actions_init(&files);
        posix_spawn_file_actions_addopen(&files, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
        REQUIRE(posix_spawn(&pid_, exe.c_str(), &files, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&files);
    }
    ~server() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    // Waits for the URL line on stderr; false when the process ended first (its code in `code`).
    bool ready(int& code, double seconds = 120) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < until) {
            if (stderr_text().find("healthreach serve: http://") != std::string::npos) return true;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }
    // Sends a signal and waits for the exit code (-1: killed by a signal, or still running after 30 s).
    int stop(int sig) {
        ::kill(pid_, sig);
        for (int k = 0; k < 600; ++k) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return -1;
    }
    std::string stderr_text() const { return test::read_text(err_); }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port_);
        c.set_read_timeout(120, 0);
        return c;
    }

private:
    int port_;
    std::string err_;
    pid_t pid_ = -1;
};

std::vector<std::string> sample_args(const std::string& service = "ambulance") {
    return {"--roads", sample + "/roads.gpkg", "--population", sample + "/population.tif", "--facilities", sample + "/facilities.gpkg",
            "--admin", sample + "/admin.gpkg", "--service", service, "--threads", "2"};
}

json_value post(httplib::Client& c, const std::string& path, const std::string& body, int expect = 200) {
    const auto res = c.Post(path.c_str(), body, "application/json");
    REQUIRE(res);
    INFO(path << " " << body.substr(0, 200) << " -> " << res->body.substr(0, 300));
    REQUIRE(res->status == expect);
    return parse_json(res->body);
}

double number(const json_value& v, const std::string& key) { return v.find(key)->as_number(key); }

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// Adding one candidate through the API against `evaluate` on the same inputs: candidates are the
// centres of the most uncovered cells of the API's own drawing grid, written to a CSV (lon, lat).
void check_against_evaluate(const std::vector<std::string>& args, const std::string& dir, const std::string& name) {
    server s(args, free_port(), dir);
    int code = 0;
    REQUIRE(s.ready(code));
    auto c = s.client();
    const json_value base = post(c, "/api/coverage", "{\"grid\":true}");
    const double existing = number(base, "population_covered");
    const json_value& grid = *base.find("grid");
    std::vector<std::pair<double, std::size_t>> uncovered;
    for (const json_value& cell : grid.find("cells")->as_array("cells")) {
        const auto& v = cell.as_array("cell");
        uncovered.emplace_back(v[5].as_number(""), static_cast<std::size_t>(v[0].as_number("")));
    }
    std::sort(uncovered.rbegin(), uncovered.rend());
    const std::string csv = dir + "/" + name + "-candidates.csv";
    std::vector<std::pair<double, double>> points;
    {
        std::ofstream out(csv);
        out << "id,lon,lat\n";
        const double cols = number(grid, "cols");
        for (std::size_t k = 0; k < std::min<std::size_t>(12, uncovered.size()); ++k) {
            const std::size_t i = uncovered[k].second;
            const double lon = number(grid, "lon0") + (static_cast<double>(i % static_cast<std::size_t>(cols)) + 0.5) * number(grid, "dlon");
            const double lat = number(grid, "lat0") + (static_cast<double>(i / static_cast<std::size_t>(cols)) + 0.5) * number(grid, "dlat");
            points.emplace_back(lon, lat);
            out << "c" << k << "," << num(lon) << "," << num(lat) << "\n";
        }
    }
    REQUIRE(points.size() >= 5);
    std::string cmd = exe + " evaluate";
    for (const std::string& a : args) cmd += " '" + a + "'";
    cmd += " --candidates " + csv + " --out " + dir + "/" + name + "-evaluate.gpkg --json > " + dir + "/" + name + "-evaluate.json";
    std::string err;
    const int rc = test::run(cmd, &err);
    INFO(err);
    REQUIRE(rc == 0);
    const json_value ev = parse_json(test::read_text(dir + "/" + name + "-evaluate.json"));
    CHECK(number(ev, "population_covered") == existing);
    std::map<std::string, double> gain;
    for (const json_value& cand : ev.find("candidates")->as_array("candidates")) gain[cand.find("id")->as_string("id")] = number(cand, "gain");
    int compared = 0, gaining = 0;
    for (std::size_t k = 0; k < points.size(); ++k) {
        const std::string id = "c" + std::to_string(k);
        const auto res = c.Post("/api/coverage", "{\"add\":[{\"lon\":" + num(points[k].first) + ",\"lat\":" + num(points[k].second) + "}]}",
                                "application/json");
        REQUIRE(res);
        if (!gain.count(id)) {  // beyond the snap limit for evaluate: the API refuses it too
            CHECK(res->status == 400);
            continue;
        }
        REQUIRE(res->status == 200);
        INFO(name << " candidate " << id);
        CHECK(number(parse_json(res->body), "population_covered") == existing + gain[id]);
        ++compared;
        gaining += gain[id] > 0;
    }
    CHECK(compared >= 5);
    CHECK(gaining >= 1);
    CHECK(s.stop(SIGINT) == 0);
}

}  // namespace

TEST_CASE("serve: one added site equals evaluate's gain (sample region)", "[e2e][serve]") {
    check_against_evaluate(sample_args(), test::scratch_dir("e2e-serve-exact"), "sample");
}

TEST_CASE("serve: one added site equals evaluate's gain (Accra, real data)", "[e2e][serve][real]") {
    const std::string roads = test::shared_data("accra-roads.gpkg");
    if (roads.empty()) return;
    check_against_evaluate({"--roads", roads, "--population", test::shared_data("accra-pop-2015.tif"), "--facilities",
                            test::shared_data("accra-health.gpkg"), "--all-facilities", "--service", "community-station",
                            "--threads", "2"},
                           test::scratch_dir("e2e-serve-accra"), "accra");
}

TEST_CASE("serve: malformed requests are 400 with an error, and the server goes on", "[e2e][serve]") {
    const std::string dir = test::scratch_dir("e2e-serve-bad");
    server s(sample_args(), free_port(), dir);
    int code = 0;
    REQUIRE(s.ready(code));
    auto c = s.client();
    const double base = number(post(c, "/api/coverage", "{}"), "population_covered");
    const std::pair<const char*, std::string> bad[] = {
        {"/api/coverage", "{"},
        {"/api/coverage", "not json"},
        {"/api/coverage", "[1,2]"},
        {"/api/coverage", "{\"service\":\"no-such-service\"}"},
        {"/api/coverage", "{\"remove\":[\"no-such-facility\"]}"},
        {"/api/coverage", "{\"remove\":\"1\"}"},
        {"/api/coverage", "{\"add\":[{\"lon\":0,\"lat\":0}]}"},  // far beyond the snap limit
        {"/api/coverage", "{\"add\":[{\"lon\":\"110\",\"lat\":35}]}"},
        {"/api/coverage", "{\"add\":[{\"x\":1}]}"},
        {"/api/coverage", "{\"limits\":{\"urban\":-1}}"},
        {"/api/coverage", "{\"limits\":{\"suburban\":1000}}"},
        {"/api/coverage", "{\"surprise\":1}"},
        {"/api/coverage", "{\"a\":1,\"a\":1}"},
        {"/api/coverage", "{\"add\":[]} trailing"},
        {"/api/optimize", "{\"objective\":\"max-cover\"}"},
        {"/api/optimize", "{\"objective\":\"teleport\",\"sites\":1}"},
        {"/api/optimize", "{\"objective\":\"max-cover\",\"sites\":1.5}"},
        {"/api/download/gpkg", "{\"remove\":[\"nope\"]}"},
        {"/api/coverage", "{\"add\":[" + std::string(1100000, ' ') + "]}"},  // over 1 MiB
    };
    for (const auto& [path, body] : bad) {
        const auto res = c.Post(path, body, "application/json");
        REQUIRE(res);
        INFO(path << " " << body.substr(0, 80) << " -> " << res->status << " " << res->body.substr(0, 200));
        CHECK(res->status == 400);
        const json_value e = parse_json(res->body);
        CHECK(!e.find("error")->as_string("error").empty());
    }
    CHECK(number(post(c, "/api/coverage", "{}"), "population_covered") == base);
    const auto region = c.Get("/api/region");
    REQUIRE(region);
    CHECK(region->status == 200);
    CHECK(s.stop(SIGTERM) == 0);
}

TEST_CASE("serve: 200 mixed requests from 4 clients, consistent answers", "[e2e][serve]") {
    const std::string dir = test::scratch_dir("e2e-serve-load");
    server s([] {
        auto a = sample_args();
        a.insert(a.end(), {"--candidate-spacing", "2000"});
        return a;
    }(), free_port(), dir);
    int code = 0;
    REQUIRE(s.ready(code));
    auto c0 = s.client();
    const json_value region = parse_json(c0.Get("/api/region")->body);
    const auto& facilities = region.find("facilities")->as_array("facilities");
    const std::string first = facilities.front().find("id")->as_string("id");
    const double lon = facilities.back().find("lon")->as_number("lon") + 0.02, lat = facilities.back().find("lat")->as_number("lat");
    const std::vector<std::pair<std::string, std::string>> kinds = {
        {"/api/coverage", "{}"},
        {"/api/coverage", "{\"remove\":[\"" + first + "\"]}"},
        {"/api/coverage", "{\"add\":[{\"lon\":" + num(lon) + ",\"lat\":" + num(lat) + "}],\"grid\":true}"},
        {"/api/coverage", "{\"limits\":{\"rural\":12000},\"remove\":[\"" + first + "\"]}"},
        {"/api/optimize", "{\"objective\":\"max-cover\",\"sites\":2,\"remove\":[\"" + first + "\"]}"},
        {"/api/coverage", "{broken"},
    };
    std::vector<std::string> expected;
    for (const auto& [path, body] : kinds) {
        const auto res = c0.Post(path.c_str(), body, "application/json");
        REQUIRE(res);
        expected.push_back(res->status == 200 ? num(number(parse_json(res->body), "population_covered")) : "400");
    }
    CHECK(expected.back() == "400");
    std::atomic<int> failures{0}, done{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t)
        clients.emplace_back([&, t] {
            auto c = s.client();
            for (int k = 0; k < 50; ++k) {
                const std::size_t which = static_cast<std::size_t>(t * 7 + k * 5) % kinds.size();
                const auto res = c.Post(kinds[which].first.c_str(), kinds[which].second, "application/json");
                std::string got = !res ? "no answer" : res->status == 200 ? num(number(parse_json(res->body), "population_covered"))
                                                                            : std::to_string(res->status);
                if (got != expected[which]) ++failures;
                ++done;
            }
        });
    for (auto& th : clients) th.join();
    CHECK(done == 200);
    CHECK(failures == 0);
    CHECK(s.stop(SIGTERM) == 0);
}

TEST_CASE("serve: SIGTERM during a request exits 0, a port in use is exit 2", "[e2e][serve]") {
    const std::string dir = test::scratch_dir("e2e-serve-stop");
    const int port = free_port();
    server s(sample_args(), port, dir);
    int code = 0;
    REQUIRE(s.ready(code));
    server again(sample_args(), port, dir + "/..");
    CHECK_FALSE(again.ready(code));
    CHECK(code == 2);
    CHECK(again.stderr_text().find("--port " + std::to_string(port)) != std::string::npos);
    std::thread request([&] {
        auto c = s.client();
        c.Post("/api/download/map", "{\"remove\":[]}", "application/json");  // about a second of work
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    CHECK(s.stop(SIGTERM) == 0);
    request.join();
    CHECK(s.stderr_text().find("stopped") != std::string::npos);
}

TEST_CASE("serve: another service of the standards is loaded on its first request, as coverage computes it", "[e2e][serve]") {
    const std::string dir = test::scratch_dir("e2e-serve-services");
    server s(sample_args(), free_port(), dir);
    int code = 0;
    REQUIRE(s.ready(code));
    auto c = s.client();
    const json_value region = parse_json(c.Get("/api/region")->body);
    const auto& services = region.find("services")->as_array("services");
    CHECK(services.size() > 1);
    std::string cmd = exe + " coverage";
    for (const std::string& a : sample_args("community-station")) cmd += " '" + a + "'";
    REQUIRE(test::run(cmd + " --out " + dir + "/cs.gpkg --json > " + dir + "/cs.json") == 0);
    const json_value cli = parse_json(test::read_text(dir + "/cs.json"));
    const json_value got = post(c, "/api/coverage", "{\"service\":\"community-station\"}");
    CHECK(number(got, "population_covered") == number(cli, "population_covered"));
    CHECK(number(got, "population_not_applicable") == number(cli, "population_not_applicable"));
    const json_value other = parse_json(c.Get("/api/region?service=community-station")->body);
    CHECK(other.find("service")->as_string("service") == "community-station");
    // The --service one is unchanged beside it.
    CHECK(post(c, "/api/coverage", "{}").find("service")->as_string("service") == "ambulance");
    CHECK(s.stop(SIGTERM) == 0);
}
