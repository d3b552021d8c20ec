// Byte builders for TPKT / COTP / S7 PDUs and an EventSink that records events.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dissectors/dissector.h"

namespace ots::s7test {

using Buf = std::vector<uint8_t>;

inline Buf cat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const Buf& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Buf be16(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }

inline Buf text(const std::string& s) { return Buf(s.begin(), s.end()); }

// Text padded with `pad` to `width` bytes.
inline Buf padded(const std::string& s, size_t width, uint8_t pad) {
  Buf out(s.begin(), s.end());
  out.resize(width, pad);
  return out;
}

inline Buf tpkt(const Buf& tpdu) {
  return cat({{0x03, 0x00}, be16(static_cast<uint16_t>(tpdu.size() + 4)), tpdu});
}

inline Buf cotp_dt(const Buf& payload, bool eot = true) {
  return cat({{0x02, 0xF0, static_cast<uint8_t>(eot ? 0x80 : 0x00)}, payload});
}

// COTP CR (client → PLC) with calling TSAP 0x0100 and the given called TSAP, TPDU size 1024.
inline Buf cotp_cr(uint16_t called_tsap) {
  Buf params = cat({{0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02}, be16(called_tsap), {0xC0, 0x01, 0x0A}});
  return cat({{static_cast<uint8_t>(6 + params.size()), 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00}, params});
}

inline Buf cotp_cc() {
  Buf params = {0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02};
  return cat({{static_cast<uint8_t>(6 + params.size()), 0xD0, 0x00, 0x01, 0x00, 0x03, 0x00}, params});
}

inline Buf s7_header(uint8_t rosctr, uint16_t pdu_ref, const Buf& params, const Buf& data) {
  return cat({{0x32, rosctr, 0x00, 0x00},
              be16(pdu_ref),
              be16(static_cast<uint16_t>(params.size())),
              be16(static_cast<uint16_t>(data.size()))});
}

inline Buf s7_job(uint16_t pdu_ref, const Buf& params, const Buf& data = {}) {
  return cat({s7_header(0x01, pdu_ref, params, data), params, data});
}

inline Buf s7_ack_data(uint16_t pdu_ref, const Buf& params, const Buf& data = {}, uint8_t error_class = 0,
                       uint8_t error_code = 0) {
  return cat({s7_header(0x03, pdu_ref, params, data), {error_class, error_code}, params, data});
}

inline Buf s7_ack(uint16_t pdu_ref, uint8_t error_class, uint8_t error_code) {
  return cat({s7_header(0x02, pdu_ref, {}, {}), {error_class, error_code}});
}

inline Buf s7_userdata(uint16_t pdu_ref, const Buf& params, const Buf& data) {
  return cat({s7_header(0x07, pdu_ref, params, data), params, data});
}

// Userdata parameters: request (4-byte form) or response (8-byte form).
inline Buf ud_request(uint8_t group, uint8_t subfunction, uint8_t sequence = 0) {
  return {0x00, 0x01, 0x12, 0x04, 0x11, static_cast<uint8_t>(0x40 | group), subfunction, sequence};
}
inline Buf ud_response(uint8_t group, uint8_t subfunction, uint8_t data_unit_ref = 0, bool last = true,
                       uint16_t error = 0, uint8_t type = 0x8) {
  return cat({{0x00, 0x01, 0x12, 0x08, 0x12, static_cast<uint8_t>(type << 4 | group), subfunction, 0x01,
               data_unit_ref, static_cast<uint8_t>(last ? 0x00 : 0x01)},
              be16(error)});
}
inline Buf ud_data(const Buf& payload, uint8_t return_code = 0xFF) {
  return cat({{return_code, 0x09}, be16(static_cast<uint16_t>(payload.size())), payload});
}

// A TPKT carrying one whole S7 PDU.
inline Buf frame(const Buf& s7) { return tpkt(cotp_dt(s7)); }

struct RecordedIdentity {
  Side side;
  IdentityField field;
  std::string value;
  std::string event;
};

struct RecordedOperation {
  Side from;
  Operation op;
  std::string name, object;
};

class RecordingSink : public EventSink {
 public:
  void protocol_confirmed(const FlowContext&, std::string_view protocol) override {
    confirmations.emplace_back(protocol);
  }
  void identity(const FlowContext&, std::string_view, Side side, IdentityField field, std::string_view value,
                std::string_view event) override {
    EXPECT_FALSE(event.empty()) << "no event named for " << value;
    identities.push_back({side, field, std::string(value), std::string(event)});
  }
  void operation(const FlowContext&, std::string_view, Side from, const Operation& op) override {
    operations.push_back({from, op, std::string(op.name), std::string(op.object)});
  }
  void anomaly(const FlowContext&, std::string_view, std::string_view name) override {
    anomalies.emplace_back(name);
  }

  bool has_anomaly(const std::string& name) const {
    for (const auto& a : anomalies) {
      if (a == name) return true;
    }
    return false;
  }
  std::string identity_value(Side side, IdentityField field) const {
    std::string last;
    for (const auto& i : identities) {
      if (i.side == side && i.field == field) last = i.value;
    }
    return last;
  }

  std::vector<std::string> confirmations;
  std::vector<RecordedIdentity> identities;
  std::vector<RecordedOperation> operations;
  std::vector<std::string> anomalies;
};

}  // namespace ots::s7test
