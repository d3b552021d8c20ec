// Helpers for the rule-engine tests: payload builders and a one-call evaluation.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "detect/rules/rules.h"
#include "dissectors/dnp3/dnp3_parser.h"

namespace ots::detect::rules::test {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string test_rules_path() { return std::string(OTS_SOURCE_DIR) + "/tests/unit/rules/data/ics_test.rules"; }

inline Variables test_variables() {
  Variables v = Variables::defaults();
  v.set("MODBUS_CLIENT", "10.0.0.1");
  v.set("DNP3_CLIENT", "10.0.0.1");
  return v;
}

// Modbus/TCP ADU: MBAP (transaction 1, protocol 0, length, unit) + PDU.
inline std::vector<uint8_t> modbus_adu(uint8_t unit, std::vector<uint8_t> pdu, uint16_t transaction = 1) {
  std::vector<uint8_t> adu = {static_cast<uint8_t>(transaction >> 8), static_cast<uint8_t>(transaction), 0, 0,
                              static_cast<uint8_t>((pdu.size() + 1) >> 8), static_cast<uint8_t>(pdu.size() + 1), unit};
  adu.insert(adu.end(), pdu.begin(), pdu.end());
  return adu;
}

// DNP3 link frames carrying one application fragment (split into transport segments of at
// most `segment` application bytes), CRCs included.
inline std::vector<uint8_t> dnp3_frames(const std::vector<uint8_t>& fragment, bool from_master = true,
                                        size_t segment = 249) {
  std::vector<uint8_t> out;
  size_t offset = 0;
  uint8_t sequence = 0;
  do {
    size_t piece = std::min(segment, fragment.size() - offset);
    std::vector<uint8_t> user = {static_cast<uint8_t>((offset == 0 ? 0x40 : 0) |
                                                      (offset + piece == fragment.size() ? 0x80 : 0) | sequence++)};
    user.insert(user.end(), fragment.begin() + static_cast<long>(offset), fragment.begin() + static_cast<long>(offset + piece));
    std::vector<uint8_t> header = {0x05, 0x64, static_cast<uint8_t>(5 + user.size()),
                                   static_cast<uint8_t>(from_master ? 0xC4 : 0x44), 0x0A, 0x00, 0x01, 0x00};
    uint16_t crc = dnp3::crc16(header);
    header.push_back(static_cast<uint8_t>(crc));
    header.push_back(static_cast<uint8_t>(crc >> 8));
    out.insert(out.end(), header.begin(), header.end());
    for (size_t block = 0; block < user.size(); block += 16) {
      size_t n = std::min<size_t>(16, user.size() - block);
      std::vector<uint8_t> chunk(user.begin() + static_cast<long>(block), user.begin() + static_cast<long>(block + n));
      uint16_t block_crc = dnp3::crc16(chunk);
      out.insert(out.end(), chunk.begin(), chunk.end());
      out.push_back(static_cast<uint8_t>(block_crc));
      out.push_back(static_cast<uint8_t>(block_crc >> 8));
    }
    offset += piece;
  } while (offset < fragment.size());
  return out;
}

// EtherNet/IP encapsulation PDU (little endian header) around `data`.
inline std::vector<uint8_t> enip_pdu(uint16_t command, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> pdu(24, 0);
  pdu[0] = static_cast<uint8_t>(command);
  pdu[1] = static_cast<uint8_t>(command >> 8);
  pdu[2] = static_cast<uint8_t>(data.size());
  pdu[3] = static_cast<uint8_t>(data.size() >> 8);
  pdu[4] = 0x01;  // session handle
  pdu.insert(pdu.end(), data.begin(), data.end());
  return pdu;
}

// SendRRData carrying one unconnected CIP request.
inline std::vector<uint8_t> enip_send_rr(const std::vector<uint8_t>& cip) {
  std::vector<uint8_t> data = {0, 0, 0, 0, 0x0A, 0x00,  // interface handle, timeout
                               0x02, 0x00,              // item count
                               0x00, 0x00, 0x00, 0x00,  // null address item
                               0xB2, 0x00, static_cast<uint8_t>(cip.size()), static_cast<uint8_t>(cip.size() >> 8)};
  data.insert(data.end(), cip.begin(), cip.end());
  return enip_pdu(0x006F, data);
}

struct Harness {
  CompileResult compiled;
  RuleEvaluator evaluator;
  FlowRuleState flow;
  RuleInput input;
  std::vector<RuleMatch> matches;

  explicit Harness(std::string_view text, const Variables& variables = test_variables())
      : compiled(compile_rules(text, variables)) {
    input.transport = 6;
    input.src_ip = *IpAddr::parse("10.0.0.1");
    input.dst_ip = *IpAddr::parse("10.0.0.2");
    input.src_port = 40000;
    input.dst_port = 502;
    input.to_server = true;
    input.established = true;
  }

  // The sids that alert for `payload` (the input's other fields as set).
  std::vector<uint32_t> sids(const std::vector<uint8_t>& payload) {
    input.payload = payload;
    matches.clear();
    evaluator.evaluate(*compiled.rules, input, flow, matches);
    std::vector<uint32_t> out;
    for (const RuleMatch& m : matches) out.push_back(m.sid);
    return out;
  }
  bool alerts(const std::vector<uint8_t>& payload) { return !sids(payload).empty(); }
};

inline std::vector<uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace ots::detect::rules::test
