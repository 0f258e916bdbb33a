#pragma once
// How a job reports back to its caller: progress (and cancellation) and messages. The libraries
// never print; the CLI draws a GDAL-style bar, the web server and the QGIS provider relay them.
#include "healthreach/error.hpp"

#include <functional>
#include <string>

namespace healthreach {

struct job_callbacks {
    // The phase starting or under way and the share of the whole job done (0..1). Returning false
    // asks the job to stop: it throws `cancelled` at its next check, before writing anything.
    std::function<bool(const std::string& phase, double done)> progress;
    // A line worth showing a person (counts, what was left out and why); warnings go in results.
    std::function<void(const std::string& line)> message;

    void advance(const std::string& phase, double done) const {
        if (progress && !progress(phase, done)) throw cancelled();
    }
    void say(const std::string& line) const {
        if (message) message(line);
    }
};

}  // namespace healthreach
