// The committed sample captures under pcaps/ and their expectation files.
#pragma once

#include <string>
#include <vector>

namespace ots::pcapgen {

// Writes every sample capture and its <name>.expected.json into `dir` (which
// must exist) and returns the file names written.
std::vector<std::string> write_samples(const std::string& dir);

}  // namespace ots::pcapgen
