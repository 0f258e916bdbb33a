#pragma once
// Outputs never replace inputs: every output path is compared, before any work, with every input
// path and every other output by file identity (device and inode, links resolved), not by spelling.
#include <string>
#include <vector>

namespace healthreach::geo {

// input_error naming both paths when an output is an input or two outputs are one file, or naming
// the output when its directory does not exist. Empty paths are skipped; inputs that are not files
// (GDAL connection strings, /vsi paths) are compared by spelling only.
void check_outputs(const std::vector<std::string>& outputs, const std::vector<std::string>& inputs);

// input_error naming the option, the path and the extensions it takes ("--out x.shp: ...") when
// `path` (not empty) ends otherwise (case aside): a file is written in the format its name says.
void check_extension(const std::string& path, const std::string& option, const std::vector<std::string>& allowed);

}  // namespace healthreach::geo
