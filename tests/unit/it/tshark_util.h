// Helpers for the golden tests of the IT dissectors: tshark field extraction over the shared
// captures (../shared/pcaps next to the repository). Tests skip when the captures or tshark are absent.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace ots::it_test {

inline const std::filesystem::path kPcapDir = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";

inline bool have_tshark() { return std::system("tshark -v >/dev/null 2>&1") == 0; }

inline std::vector<std::string> run_lines(const std::string& command) {
  std::vector<std::string> lines;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>/dev/null").c_str(), "r"), pclose);
  if (!pipe) return lines;
  std::string line;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe.get())) {
    line += buffer;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      lines.push_back(std::move(line));
      line.clear();
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

inline std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

inline std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

// tshark -T fields over `pcap` with display filter `filter`; one row of columns per frame.
inline std::vector<std::vector<std::string>> tshark_fields(const std::filesystem::path& pcap, const std::string& filter,
                                                           const std::vector<std::string>& fields) {
  std::string command = "tshark -n -r '" + pcap.string() + "' -Y '" + filter + "' -T fields -E occurrence=a";
  for (const auto& f : fields) command += " -e " + f;
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : run_lines(command)) {
    auto columns = split(line, '\t');
    if (columns.size() == fields.size()) rows.push_back(std::move(columns));
  }
  return rows;
}

#define OTS_REQUIRE_PCAP(path)                                                     \
  do {                                                                             \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << (path) << " not present"; \
    if (!::ots::it_test::have_tshark()) GTEST_SKIP() << "tshark not installed";    \
  } while (0)

}  // namespace ots::it_test
