#pragma once
// Error types of the libraries. The CLI maps input_error to exit code 2 and anything else to 1.
#include <stdexcept>
#include <string>

namespace healthreach {

// Bad input or bad usage: the message names the file, layer, field or value at fault.
class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace healthreach
