// healthreach synth: write the synthetic sample region.
#include "cli.hpp"

#include "healthreach/geo/synth.hpp"

namespace healthreach::cli {

command_runner add_synth_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("synth", "Write a deterministic synthetic region modelled on Changzhi (Shanxi)");
    struct options {
        std::string out, scale = "small";
        std::uint64_t seed = 1;
        bool quiet = false;
    };
    auto o = std::make_shared<options>();
    cmd->add_option("--out", o->out, "Output directory (created if missing)")->required();
    cmd->add_option("--scale", o->scale, "small (about 300,000 people), prefecture (about 3.1 million) or province (11 prefectures, about 36 million)");
    // Checked as text: CLI11 would otherwise wrap "-1" into a huge unsigned seed.
    cmd->add_option("--seed", o->seed, "Random seed, an integer >= 0 (default 1)")->check(non_negative);
    cmd->add_flag("--quiet", o->quiet, "No messages on stderr");
    return [o]() {
        const logger log(o->quiet);
        stopwatch clock;
        const geo::synth_summary s = geo::write_synthetic_region(o->out, geo::parse_synth_scale(o->scale), o->seed);
        log.info("synth: ", s.prefectures, " prefecture(s), ", s.counties, " counties/districts, ", s.townships, " townships/sub-districts, ", s.villages,
                 " villages, ", s.facilities, " facilities, ", s.road_lines, " road lines; population ",
                 static_cast<long long>(s.population));
        char buf[96];
        std::snprintf(buf, sizeof buf, "time: %.2f s; peak memory %.0f MiB", clock.seconds(), peak_memory_mib());
        log.info(buf);
        return 0;
    };
}

}  // namespace healthreach::cli
