// tshark as a test oracle: running it over the shared public captures and reading
// its field output. Golden tests skip (GTEST_SKIP) when `shared_pcap(...)` is empty
// or `have_tshark()` is false, so they pass on machines without ../shared or tshark.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace ots::test_support {

// <repo>/../shared/pcaps; OTS_SOURCE_DIR is set by the test's CMakeLists.txt.
inline std::filesystem::path shared_pcap_dir() {
#ifdef OTS_SOURCE_DIR
  return std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";
#else
  return {};
#endif
}

// The path of one shared capture, or nullopt when the folder or file is absent.
inline std::optional<std::filesystem::path> shared_pcap(const std::string& name) {
  std::filesystem::path path = shared_pcap_dir() / name;
  if (!std::filesystem::exists(path)) return std::nullopt;
  return path;
}

inline bool have_tshark() { return std::system("tshark -v >/dev/null 2>&1") == 0; }

// Runs a shell command and returns its stdout lines (stderr discarded).
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

// tshark prints payloads as plain hex (optionally with ':' separators).
inline std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  bytes.reserve(hex.size() / 2);
  int high = -1;
  for (char c : hex) {
    int nibble = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (nibble < 0) continue;
    if (high < 0) {
      high = nibble;
    } else {
      bytes.push_back(static_cast<uint8_t>(high << 4 | nibble));
      high = -1;
    }
  }
  return bytes;
}

// tshark fields for one capture: `tshark -n -r FILE [-Y FILTER] -T fields -e F1 -e F2 ...`,
// one vector of columns per frame (rows with a different column count are skipped).
inline std::vector<std::vector<std::string>> tshark_fields(const std::filesystem::path& pcap, const std::string& filter,
                                                          const std::vector<std::string>& fields,
                                                          const std::string& extra_options = "") {
  std::string command = "tshark -n -r '" + pcap.string() + "' " + extra_options;
  if (!filter.empty()) command += " -Y '" + filter + "'";
  command += " -T fields -E occurrence=a -E aggregator=,";
  for (const auto& f : fields) command += " -e " + f;
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : run_lines(command)) {
    auto columns = split(line, '\t');
    if (columns.size() == fields.size()) rows.push_back(std::move(columns));
  }
  return rows;
}

// One TCP payload segment in capture order.
struct TcpSegment {
  uint32_t stream = 0;       // tshark's tcp.stream index
  uint16_t src_port = 0, dst_port = 0;
  std::vector<uint8_t> payload;
};

// Every TCP segment with payload matching `filter` (e.g. "tcp.port==102"), in capture
// order. tshark reports retransmissions too; filter them with "!tcp.analysis.retransmission"
// when the dissector under test would see them dropped by the reassembler.
inline std::vector<TcpSegment> tcp_segments(const std::filesystem::path& pcap, const std::string& filter) {
  std::string full = "tcp.len>0";
  if (!filter.empty()) full += " && (" + filter + ")";
  std::vector<TcpSegment> segments;
  for (auto& row : tshark_fields(pcap, full, {"tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.payload"})) {
    TcpSegment s;
    s.stream = static_cast<uint32_t>(std::stoul(row[0]));
    s.src_port = static_cast<uint16_t>(std::stoul(row[1]));
    s.dst_port = static_cast<uint16_t>(std::stoul(row[2]));
    s.payload = from_hex(row[3]);
    segments.push_back(std::move(s));
  }
  return segments;
}

// One UDP datagram in capture order.
struct UdpDatagram {
  uint16_t src_port = 0, dst_port = 0;
  std::string src_ip, dst_ip;
  std::vector<uint8_t> payload;
};

inline std::vector<UdpDatagram> udp_datagrams(const std::filesystem::path& pcap, const std::string& filter) {
  std::string full = "udp.length>8";
  if (!filter.empty()) full += " && (" + filter + ")";
  std::vector<UdpDatagram> datagrams;
  for (auto& row : tshark_fields(pcap, full, {"ip.src", "ip.dst", "udp.srcport", "udp.dstport", "udp.payload"})) {
    UdpDatagram d;
    d.src_ip = row[0];
    d.dst_ip = row[1];
    d.src_port = static_cast<uint16_t>(std::stoul(row[2]));
    d.dst_port = static_cast<uint16_t>(std::stoul(row[3]));
    d.payload = from_hex(row[4]);
    datagrams.push_back(std::move(d));
  }
  return datagrams;
}

// L2 protocols: read frame bytes with the project's own capture reader
// (open_capture_file in capture/pcap_file_source.h) and use tshark_fields() only for the oracle's facts.

}  // namespace ots::test_support
