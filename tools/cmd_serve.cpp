// healthreach serve: the planning workbench. The region is loaded once (scenario_engine); a local
// web page (web/, compiled in) and the HTTP API answer trials of added and closed sites. This file
// only wires HTTP to the library.
#include "cli.hpp"
#include "web_assets.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/json_parse.hpp"
#include "healthreach/geo/region_layers.hpp"
#include "healthreach/geo/scenario.hpp"

#include <httplib.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <fstream>
#include <sstream>
#include <thread>

namespace healthreach::cli {

namespace {

constexpr std::size_t max_body = 1 << 20;  // 1 MiB

struct serve_options {
    analysis_cli analysis;
    std::string candidates, candidates_layer;
    double candidate_spacing_m = 0;
    std::string host = "127.0.0.1";
    int port = 8765;
};

void send_json(httplib::Response& res, const std::string& body, int status = 200) {
    res.status = status;
    // With a charset parameter httplib 0.11 does not compress: it would pick brotli at its top
    // quality whenever the browser offers it, 1.4 s for an answer on Accra that takes 0.15 s raw.
    res.set_content(body, "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, const std::string& message, int status = 400) {
    geo::json_writer j;
    j.begin_object().field("error", message).end_object();
    send_json(res, j.str(), status);
}

// Runs a JSON endpoint: input_error (bad request body, unknown ids, points off the network) -> 400,
// anything else -> 500; the server goes on either way.
template <class F>
void answer(const httplib::Request& req, httplib::Response& res, F&& f) {
    try {
        if (req.body.size() > max_body) throw input_error("request body over 1 MiB");
        f();
    } catch (const input_error& e) {
        send_error(res, e.what(), 400);
    } catch (const std::exception& e) {
        send_error(res, e.what(), 500);
    }
}

// A directory of its own under the system's temp dir, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "healthreach-serve-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory in " + pattern);
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    if (!in && !in.eof()) throw std::runtime_error(path + ": cannot read");
    return s.str();
}

// A map's or report's subtitle for a trial: its coverage is the scenario's, not the existing
// facilities', and the changes are named.
void describe_trial(geo::presentation& p, const geo::scenario_request& r, bool zh) {
    const std::string existing = zh ? "现有设施覆盖" : "existing coverage", trial = zh ? "方案覆盖" : "scenario coverage";
    if (const auto at = p.map.subtitle.find(existing); at != std::string::npos) p.map.subtitle.replace(at, existing.size(), trial);
    p.map.subtitle += zh ? " · 新增 " + std::to_string(r.add.size()) + " 处，关闭 " + std::to_string(r.remove.size()) + " 处"
                     : " · " + std::to_string(r.add.size()) + " added, " + std::to_string(r.remove.size()) + " closed";
}

}  // namespace

command_runner add_serve_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("serve", "Planning workbench: a local web page where sites are added and closed and coverage answers at once");
    auto o = std::make_shared<serve_options>();
    add_analysis_options(*cmd, o->analysis, true);
    // The workbench writes no file of its own: every output is a download of the page.
    for (const char* name : {"--out", "--travel-raster", "--qgis-project", "--map", "--report", "--json"})
        cmd->remove_option(cmd->get_option(name));
    auto* cand = cmd->add_option("--candidates", o->candidates, "Candidate sites for \"propose N sites\": OGR point layer or CSV");
    cmd->add_option("--candidates-layer", o->candidates_layer, "Layer of the --candidates file (default: its only point layer)");
    cmd->add_option("--candidate-spacing", o->candidate_spacing_m, "Candidates: network nodes every M metres in and near populated areas")
        ->excludes(cand)
        ->check(positive);
    cmd->add_option("--host", o->host, "Address to listen on (default 127.0.0.1: this machine only)");
    cmd->add_option("--port", o->port, "Port (default 8765)")->check(CLI::Range(1, 65535));

    return [o]() {
        const logger log(o->analysis.common.quiet);
        stopwatch total;
        // SIGINT and SIGTERM go to one thread that stops the server (or the loading) cleanly; every
        // other thread, those of the analysis and the server included, has them blocked.
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
        std::atomic<bool> stop{false}, finished{false};
        httplib::Server server;
        std::thread watcher([&] {
            const timespec tick{0, 100 * 1000 * 1000};
            while (!finished) {
                if (!stop && sigtimedwait(&stop_signals, nullptr, &tick) > 0) stop = true;
                // Again at every tick: a signal before the server listens stops it once it does.
                if (stop) {
                    server.stop();
                    nanosleep(&tick, nullptr);
                }
            }
        });
        struct join_at_exit {
            std::thread& t;
            std::atomic<bool>& f;
            ~join_at_exit() {
                f = true;
                t.join();
            }
        } joiner{watcher, finished};

        finish_analysis_options(o->analysis, {o->candidates});
        if (o->host.empty()) throw input_error("--host: empty");
        // One workbench per service: the --service one at start, others on their first request
        // (their own graph profile, metric and facilities: a load each, kept for the server's life).
        struct workbench {
            std::unique_ptr<geo::scenario_engine> engine;
            std::string region, roads, admin;
        };
        std::map<std::string, std::unique_ptr<workbench>> benches;
        std::mutex loading;
        std::vector<std::string> known;  // the standards' services
        const logger quiet(true);
        auto load = [&](const std::string& service, bool first) {
            geo::analysis_options options = o->analysis.analysis;
            options.service = service;
            // Later loads happen during requests: no progress bar, their messages only.
            progress_bar bar(first ? log : quiet, "loading " + service);
            job_callbacks cb = stderr_callbacks(log, bar);
            cb.progress = [&bar, &stop](const std::string&, double done) {
                bar(done);
                return !stop.load();
            };
            auto a = geo::run_analysis(options, cb);
            std::optional<geo::candidate_set> candidates;
            if (!o->candidates.empty()) {
                geo::point_options fields = options.facility_fields;
                fields.layer = o->candidates_layer;
                fields.layer_option = "--candidates-layer";
                candidates = geo::candidates_from_points(*a, o->candidates, fields);
            } else if (o->candidate_spacing_m > 0) {
                candidates = geo::candidates_on_spacing(*a, o->candidate_spacing_m);
            }
            bar.done();
            if (first) report_analysis(o->analysis, *a, log);
            if (candidates) {
                a->warnings.insert(a->warnings.end(), candidates->warnings.begin(), candidates->warnings.end());
                log.info(service, " candidates: ", candidates->sites.size(), " on the network, ", candidates->off_network,
                         " beyond the snap limit");
            }
            auto b = std::make_unique<workbench>();
            geo::json_writer region, roads, admin;
            region.begin_object();
            geo::write_region_json(*a, region);
            region.field("lang", o->analysis.present.lang).field("candidates", candidates.has_value());
            region.field("version", HEALTHREACH_VERSION).end_object();
            roads.begin_object();
            geo::write_roads_geojson(*a, roads);
            roads.end_object();
            admin.begin_object();
            geo::write_admin_geojson(*a, admin);
            admin.end_object();
            b->region = region.str();
            b->roads = roads.str();
            b->admin = admin.str();
            if (first)
                for (const auto& [name, svc] : a->rules.services) known.push_back(name);
            b->engine = std::make_unique<geo::scenario_engine>(std::move(a), std::move(candidates));
            return b;
        };
        const std::string default_service = o->analysis.analysis.service;
        try {
            benches[default_service] = load(default_service, true);
        } catch (const cancelled&) {
            log.info("interrupted while loading");
            return 0;
        }
        // The workbench of a request's service (the --service one when it names none); input_error
        // for a service the standards do not have, or one the inputs cannot serve.
        auto bench_for = [&](const std::string& service) -> workbench& {
            const std::string name = service.empty() ? default_service : service;
            std::lock_guard<std::mutex> hold(loading);
            if (auto it = benches.find(name); it != benches.end()) return *it->second;
            if (std::find(known.begin(), known.end(), name) == known.end()) {
                std::string list;
                for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
                throw input_error("service: unknown service '" + name + "' (" + list + ")");
            }
            log.info("loading the ", name, " service for a request");
            return *(benches[name] = load(name, false));
        };
        auto service_of = [](const geo::json_value& body) {
            const geo::json_value* s = body.is_object() ? body.find("service") : nullptr;
            return s && s->is_string() ? s->as_string("service") : std::string();
        };
        auto query_service = [](const httplib::Request& req) { return req.has_param("service") ? req.get_param_value("service") : std::string(); };
        const std::string lang = o->analysis.present.lang;

        for (const web_asset& asset : web_assets()) {
            server.Get(asset.url, [&asset](const httplib::Request&, httplib::Response& res) {
                res.set_content(asset.data, asset.size, asset.content_type);
            });
        }
        server.Get("/api/region", [&](const httplib::Request& req, httplib::Response& res) {
            answer(req, res, [&] { send_json(res, bench_for(query_service(req)).region); });
        });
        server.Get("/api/layers/roads", [&](const httplib::Request& req, httplib::Response& res) {
            answer(req, res, [&] { send_json(res, bench_for(query_service(req)).roads); });
        });
        server.Get("/api/layers/admin", [&](const httplib::Request& req, httplib::Response& res) {
            answer(req, res, [&] { send_json(res, bench_for(query_service(req)).admin); });
        });
        server.Post("/api/coverage", [&](const httplib::Request& req, httplib::Response& res) {
            answer(req, res, [&] {
                const geo::json_value body = geo::parse_json(req.body);
                geo::scenario_engine& engine = *bench_for(service_of(body)).engine;
                const geo::scenario_request r = engine.read_request(body, {"grid"});
                const geo::json_value* grid = body.find("grid");
                geo::json_writer j;
                j.begin_object();
                engine.coverage_json(r, j, HEALTHREACH_VERSION, grid && grid->as_bool("grid"));
                j.end_object();
                send_json(res, j.str());
            });
        });
        server.Post("/api/optimize", [&](const httplib::Request& req, httplib::Response& res) {
            answer(req, res, [&] {
                const geo::json_value body = geo::parse_json(req.body);
                geo::scenario_engine& engine = *bench_for(service_of(body)).engine;
                const geo::scenario_optimize_request r = engine.read_optimize_request(body);
                geo::json_writer j;
                j.begin_object();
                engine.optimize_json(r, j, HEALTHREACH_VERSION);
                j.end_object();
                send_json(res, j.str());
            });
        });
        // Downloads of the trial: what `coverage` writes, through the same writers.
        server.Post(R"(/api/download/(gpkg|report|map))", [&](const httplib::Request& req, httplib::Response& res) {
            answer(req, res, [&] {
                const std::string kind = req.matches[1];
                const geo::json_value body = geo::parse_json(req.body);
                geo::scenario_engine& engine = *bench_for(service_of(body)).engine;
                const geo::scenario_request r = engine.read_request(body);
                const std::string service = engine.base().svc->name;
                const temp_dir dir;
                const std::string gpkg = dir / "scenario.gpkg";
                geo::presentation p;
                geo::presentation_options po;
                po.lang = lang;
                engine.with_scenario(r, true, [&](const geo::analysis& view) {
                    geo::write_coverage_gpkg(view, gpkg);
                    p = geo::analysis_presentation(view, gpkg, po, "coverage");
                });
                describe_trial(p, r, lang == "zh");
                std::string file = gpkg, type = "application/geopackage+sqlite3", name = "healthreach-" + service + "-scenario.gpkg";
                if (kind != "gpkg") {
                    if (kind == "report") {
                        file = po.report = dir / "report.html";
                        // Not text/html: httplib would brotli-compress the page (its map inlined)
                        // for seconds; the browser saves the bytes as they are.
                        type = "application/octet-stream";
                        name = "healthreach-" + service + "-scenario.html";
                    } else {
                        file = po.map = dir / "map.png";
                        type = "image/png";
                        name = "healthreach-" + service + "-scenario.png";
                    }
                    geo::write_presentations(po, p, HEALTHREACH_VERSION);
                }
                res.set_content(read_bytes(file), type.c_str());
                res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
            });
        });
        server.set_payload_max_length(max_body);
        // httplib's default also sets SO_REUSEPORT, which lets a second server take the same port
        // silently (the kernel then shares connections between them): reuse of the address only.
        server.set_socket_options([](socket_t sock) {
            int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        });
        // httplib answers a body over the limit with 413 and other faults without a body: the API
        // promises 400 with {"error"} for bad requests.
        server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            if (res.status == 413) send_error(res, "request body over 1 MiB", 400);
            else if (req.path.rfind("/api/", 0) == 0) send_error(res, "no such endpoint: " + req.method + " " + req.path, res.status);
            else return httplib::Server::HandlerResponse::Unhandled;
            return httplib::Server::HandlerResponse::Handled;
        }));
        server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                send_error(res, e.what(), 500);
            } catch (...) {
                send_error(res, "unknown failure", 500);
            }
        });

        if (stop) return 0;
        if (!server.bind_to_port(o->host, o->port))
            throw input_error("--port " + std::to_string(o->port) + ": cannot listen on " + o->host + ":" + std::to_string(o->port) +
                              " (the port is in use, or the address is not this machine's)");
        char buf[160];
        std::snprintf(buf, sizeof buf, "ready in %.1f s; peak memory %.0f MiB", total.seconds(), peak_memory_mib());
        log.info(buf);
        const std::string host = o->host.find(':') != std::string::npos ? "[" + o->host + "]" : o->host;
        std::fprintf(stderr, "healthreach serve: http://%s:%d/ (Ctrl-C to stop)\n", host.c_str(), o->port);
        std::fflush(stderr);
        if (!stop) server.listen_after_bind();
        log.info("stopped");
        return 0;
    };
}

}  // namespace healthreach::cli
