// Shared by the L2 dissector tests: a recording EventSink that remembers which MAC
// every fact is about, hex helpers, and a capture replay that feeds frames to a
// session exactly as core/worker.cc feed_l2_dissectors() does.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "capture/pcap_file_source.h"
#include "dissectors/decode/packet_decoder.h"
#include "dissectors/dissector.h"

namespace ots::l2_test {

struct RecordedIdentity {
  std::string mac;  // of the side the fact is about
  Side side;
  IdentityField field;
  std::string value;
  std::string event;
};

struct RecordedOperation {
  std::string mac;  // of the side that sent it
  Side from;
  uint32_t code;
  std::string name;
  bool is_request, is_write, is_error;
  uint32_t address, quantity, unit;
  std::string object;
};

class RecordingSink final : public EventSink {
 public:
  void protocol_confirmed(const FlowContext& ctx, std::string_view) override {
    confirmations.push_back(ctx.client_mac.str());
  }
  void identity(const FlowContext& ctx, std::string_view, Side side, IdentityField field, std::string_view value,
                std::string_view event) override {
    EXPECT_FALSE(event.empty()) << "no event named for " << value;
    identities.push_back({mac_of(ctx, side), side, field, std::string(value), std::string(event)});
  }
  void operation(const FlowContext& ctx, std::string_view, Side from, const Operation& op) override {
    operations.push_back({mac_of(ctx, from), from, op.code, std::string(op.name), op.is_request, op.is_write,
                          op.is_error, op.address, op.quantity, op.unit, std::string(op.object)});
  }
  void anomaly(const FlowContext&, std::string_view, std::string_view name) override {
    anomalies.emplace_back(name);
  }

  bool has_anomaly(std::string_view name) const {
    for (const auto& a : anomalies) {
      if (a == name) return true;
    }
    return false;
  }
  bool has_identity(std::string_view mac, IdentityField field, std::string_view value) const {
    for (const auto& i : identities) {
      if (i.mac == mac && i.field == field && i.value == value) return true;
    }
    return false;
  }
  bool has_identity(IdentityField field, std::string_view value) const {
    for (const auto& i : identities) {
      if (i.field == field && i.value == value) return true;
    }
    return false;
  }
  std::set<std::string> values(IdentityField field) const {
    std::set<std::string> out;
    for (const auto& i : identities) {
      if (i.field == field) out.insert(i.value);
    }
    return out;
  }

  std::vector<std::string> confirmations;
  std::vector<RecordedIdentity> identities;
  std::vector<RecordedOperation> operations;
  std::vector<std::string> anomalies;

 private:
  static std::string mac_of(const FlowContext& ctx, Side side) {
    return (side == Side::Client ? ctx.client_mac : ctx.server_mac).str();
  }
};

inline std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> bytes;
  int high = -1;
  for (char c : hex) {
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) continue;  // spaces and separators
    if (high < 0) {
      high = v;
    } else {
      bytes.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  return bytes;
}

inline FlowContext l2_context(const char* src, const char* dst) {
  FlowContext ctx;
  ctx.client_mac = *MacAddr::parse(src);
  ctx.server_mac = *MacAddr::parse(dst);
  return ctx;
}

// Every prefix of `frame` (shorter than it) must be handled without crashing.
template <typename Session>
void feed_every_prefix(const std::vector<uint8_t>& frame) {
  RecordingSink sink;
  Session session(sink);
  FlowContext ctx = l2_context("00:11:22:33:44:55", "01:80:c2:00:00:0e");
  for (size_t n = 0; n < frame.size(); ++n) session.data(ctx, Direction::FromClient, Bytes(frame.data(), n));
  EXPECT_FALSE(session.rejected());
}

inline const std::filesystem::path kPcapDir =
    std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";

inline bool have_tshark() { return std::system("tshark -v >/dev/null 2>&1") == 0; }

inline std::vector<std::string> run_lines(const std::string& command) {
  std::vector<std::string> lines;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>/dev/null").c_str(), "r"), pclose);
  if (!pipe) return lines;
  std::string line;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe.get())) {
    line += buffer.data();
    if (line.back() == '\n') {
      line.pop_back();
      lines.push_back(std::move(line));
      line.clear();
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// tshark's decoding of `pcap`: one row of tab-separated fields (first occurrence each) per frame.
inline std::vector<std::string> tshark_rows(const std::filesystem::path& pcap, const std::string& filter,
                                            const std::string& fields) {
  return run_lines("tshark -n -r '" + pcap.string() + "' -Y '" + filter + "' -T fields -E occurrence=f " +
                   fields);
}

// Reads the capture with the project's reader and decoder and feeds every frame of `ethertype`
// to `session` as the worker does. Returns the number of frames fed.
inline size_t replay_capture(const std::filesystem::path& pcap, uint16_t ethertype,
                             DissectorSession& session) {
  auto source = open_capture_file(pcap.string());
  PacketDecoder decoder;
  DecodedPacket decoded;
  std::array<PacketView, 64> burst;
  size_t fed = 0;
  for (;;) {
    Burst got = source->receive_burst(0, burst);
    for (size_t i = 0; i < got.count; ++i) {
      if (decoder.decode(burst[i], decoded) != DecodeResult::Decoded) continue;
      if (!decoded.has_ethernet || decoded.has_arp || decoded.ip_version != 0) continue;
      if (decoded.ethertype != ethertype) continue;
      FlowContext ctx;
      ctx.ts_ns = decoded.ts_ns;
      ctx.client_mac = decoded.src_mac;
      ctx.server_mac = decoded.dst_mac;
      ctx.vlan = decoded.vlan_count ? decoded.vlans[decoded.vlan_count - 1] : 0;
      session.data(ctx, Direction::FromClient, decoded.l3_payload);
      ++fed;
    }
    source->release(0);
    if (got.status == BurstStatus::End || got.status == BurstStatus::Error) break;
  }
  return fed;
}

#define OTS_REQUIRE_CAPTURE(pcap)                                                 \
  do {                                                                            \
    if (!std::filesystem::exists(pcap)) GTEST_SKIP() << (pcap) << " not present"; \
    if (!::ots::l2_test::have_tshark()) GTEST_SKIP() << "tshark not installed";   \
  } while (0)

}  // namespace ots::l2_test
