// Byte builders for BVLC / NPDU / APDU / tags and an EventSink that records events.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dissectors/dissector.h"

namespace ots::bactest {

using Buf = std::vector<uint8_t>;

inline Buf cat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const Buf& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Buf be16(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }

// ---- BVLC / NPDU ----

inline Buf make_bvlc(uint8_t function, const Buf& body) {
  return cat({{0x81, function}, be16(static_cast<uint16_t>(body.size() + 4)), body});
}
inline Buf make_npdu(const Buf& apdu, uint8_t control = 0x00) { return cat({{0x01, control}, apdu}); }
inline Buf unicast(const Buf& apdu) { return make_bvlc(0x0A, make_npdu(apdu)); }
inline Buf broadcast(const Buf& apdu) { return make_bvlc(0x0B, make_npdu(apdu)); }
// A network-layer message (control 0x80) of `type` with its parameters.
inline Buf network_message(uint8_t type, const Buf& params) {
  return make_bvlc(0x0B, cat({{0x01, 0x80, type}, params}));
}

// ---- Tags (20.2) ----

inline Buf tag(uint8_t number, bool context, const Buf& value) {
  Buf out;
  uint8_t lvt = value.size() < 5 ? static_cast<uint8_t>(value.size()) : 5;
  out.push_back(static_cast<uint8_t>((number < 15 ? number << 4 : 0xF0) | (context ? 0x08 : 0) | lvt));
  if (number >= 15) out.push_back(number);
  if (lvt == 5) {
    if (value.size() < 254) {
      out.push_back(static_cast<uint8_t>(value.size()));
    } else {
      out.push_back(254);
      Buf length = be16(static_cast<uint16_t>(value.size()));
      out.insert(out.end(), length.begin(), length.end());
    }
  }
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

inline Buf unsigned_bytes(uint32_t v) {
  Buf out;
  for (int shift = 24; shift > 0; shift -= 8) {
    if (v >> shift) out.push_back(static_cast<uint8_t>(v >> shift));
  }
  out.push_back(static_cast<uint8_t>(v));
  return out;
}
inline Buf object_bytes(uint16_t type, uint32_t instance) {
  uint32_t raw = uint32_t{type} << 22 | (instance & 0x3FFFFF);
  return {static_cast<uint8_t>(raw >> 24), static_cast<uint8_t>(raw >> 16), static_cast<uint8_t>(raw >> 8),
          static_cast<uint8_t>(raw)};
}
inline Buf string_bytes(const std::string& s, uint8_t charset = 0) {
  Buf out{charset};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

inline Buf ctx_unsigned(uint8_t n, uint32_t v) { return tag(n, true, unsigned_bytes(v)); }
inline Buf ctx_object(uint8_t n, uint16_t type, uint32_t instance) {
  return tag(n, true, object_bytes(type, instance));
}
inline Buf ctx_string(uint8_t n, const std::string& s) { return tag(n, true, string_bytes(s)); }
inline Buf open_tag(uint8_t n) { return {static_cast<uint8_t>(n << 4 | 0x0E)}; }
inline Buf close_tag(uint8_t n) { return {static_cast<uint8_t>(n << 4 | 0x0F)}; }
inline Buf app_unsigned(uint32_t v) { return tag(2, false, unsigned_bytes(v)); }
inline Buf app_enumerated(uint32_t v) { return tag(9, false, unsigned_bytes(v)); }
inline Buf app_object(uint16_t type, uint32_t instance) {
  return tag(12, false, object_bytes(type, instance));
}
inline Buf app_string(const std::string& s, uint8_t charset = 0) {
  return tag(7, false, string_bytes(s, charset));
}
inline Buf app_real() { return tag(4, false, {0x42, 0xC8, 0x00, 0x00}); }  // 100.0

// ---- APDUs (clause 20) ----

constexpr uint16_t kDevice = 8, kAnalogInput = 0, kAnalogOutput = 1;

inline Buf confirmed_request(uint8_t invoke, uint8_t service, const Buf& params) {
  return cat({{0x00, 0x05, invoke, service}, params});
}
inline Buf unconfirmed_request(uint8_t service, const Buf& params) { return cat({{0x10, service}, params}); }
inline Buf simple_ack(uint8_t invoke, uint8_t service) { return {0x20, invoke, service}; }
inline Buf complex_ack(uint8_t invoke, uint8_t service, const Buf& params) {
  return cat({{0x30, invoke, service}, params});
}
inline Buf error_pdu(uint8_t invoke, uint8_t service, uint32_t error_class, uint32_t error_code) {
  return cat({{0x50, invoke, service}, app_enumerated(error_class), app_enumerated(error_code)});
}
inline Buf reject_pdu(uint8_t invoke, uint8_t reason) { return {0x60, invoke, reason}; }
inline Buf abort_pdu(uint8_t invoke, uint8_t reason, bool by_server = true) {
  return {static_cast<uint8_t>(by_server ? 0x71 : 0x70), invoke, reason};
}

inline Buf i_am(uint32_t instance, uint32_t vendor) {
  return unconfirmed_request(
      0, cat({app_object(kDevice, instance), app_unsigned(1476), app_enumerated(3), app_unsigned(vendor)}));
}
inline Buf read_property(uint8_t invoke, uint16_t type, uint32_t instance, uint32_t property) {
  return confirmed_request(invoke, 12, cat({ctx_object(0, type, instance), ctx_unsigned(1, property)}));
}
inline Buf read_property_ack(uint8_t invoke, uint16_t type, uint32_t instance, uint32_t property,
                             const Buf& value) {
  return complex_ack(
      invoke, 12,
      cat({ctx_object(0, type, instance), ctx_unsigned(1, property), open_tag(3), value, close_tag(3)}));
}
inline Buf write_property(uint8_t invoke, uint16_t type, uint32_t instance, uint32_t property,
                          const Buf& value, uint8_t priority) {
  return confirmed_request(invoke, 15,
                           cat({ctx_object(0, type, instance), ctx_unsigned(1, property), open_tag(3), value,
                                close_tag(3), ctx_unsigned(4, priority)}));
}

// ---- Recording sink ----

struct RecordedIdentity {
  Side side;
  IdentityField field;
  std::string value;
  std::string ip;  // the address of the side the fact is about
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
  void identity(const FlowContext& ctx, std::string_view, Side side, IdentityField field, std::string_view value,
                std::string_view event) override {
    EXPECT_FALSE(event.empty()) << "no event named for " << value;
    identities.push_back({side, field, std::string(value),
                          (side == Side::Client ? ctx.client_ip : ctx.server_ip).str(), std::string(event)});
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
  size_t identity_count(Side side, IdentityField field) const {
    size_t n = 0;
    for (const auto& i : identities) n += i.side == side && i.field == field;
    return n;
  }
  void clear() {
    confirmations.clear();
    identities.clear();
    operations.clear();
    anomalies.clear();
  }

  std::vector<std::string> confirmations;
  std::vector<RecordedIdentity> identities;
  std::vector<RecordedOperation> operations;
  std::vector<std::string> anomalies;
};

}  // namespace ots::bactest
