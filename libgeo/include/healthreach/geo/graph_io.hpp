#pragma once
// The graph contract on disk: a GeoPackage with layers `edges` and `nodes` (see DESIGN.md).
#include "healthreach/geo/network.hpp"

#include <string>

namespace healthreach::geo {

// Writes the network atomically (temporary file renamed into place).
void write_network(const network& net, const std::string& path);

// Reads a network written by write_network (or by anyone following the contract); input_error
// naming the file, layer and field on anything missing or inconsistent.
network read_network(const std::string& path);

}  // namespace healthreach::geo
