#pragma once
// The error types every healthreach library throws. Front ends map input_error to exit code 2
// (HTTP 400, a QGIS parameter error), cancelled to the front end's "stopped" path, anything else to 1.
#include <stdexcept>
#include <string>

namespace healthreach {

// Bad input or bad usage: the message names the file, layer, field or value at fault.
class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The caller's progress callback asked the job to stop; nothing was written.
class cancelled : public std::runtime_error {
public:
    cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace healthreach
