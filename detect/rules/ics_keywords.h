// Suricata's ICS rule keywords: parsing their values at load time, and the per-packet views
// of Modbus ADUs, DNP3 application fragments and EtherNet/IP PDUs they are evaluated on.
//
// Semantics (documented here because they are where we differ from, or pin down, Suricata):
// - modbus: evaluated on every Modbus/TCP ADU of a client-to-server payload (Suricata matches
//   Modbus requests). `function` compares the function code without the exception bit;
//   `subfunction` the FC 8 diagnostic code (and, as an extension, the FC 43 MEI type and the
//   FC 90 UMAS function code). `access read|write [table]` follows Suricata's table: read =
//   FC 1 coils, 2 discretes, 3/23 holding, 4 input; write = FC 5/15 coils, 6/16/22/23 holding.
//   `address` holds when some address of the requested range satisfies it; `value` when some
//   written value does (FC 5/6 the single value as sent, FC 16/23 each register; FC 15 coil
//   bits are not values). `unit` compares the MBAP unit id.
// - dnp3_func / dnp3_ind / dnp3_obj: evaluated on each application fragment of the payload
//   (link frames checked, CRCs removed, transport segments joined; a fragment still open at
//   the end of the payload is evaluated as far as it goes). dnp3_ind only on responses.
//   dnp3_data is that fragment (application header included) as a sticky buffer.
// - enip_command: the command of each encapsulation PDU, either direction. cip_service: the
//   service / class / attribute of each CIP request in SendRRData / SendUnitData, including
//   the requests inside Multiple Service Packet and Unconnected Send.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "detect/rules/compiled_rule.h"

namespace ots::detect::rules {

// Decimal or 0x-hex unsigned integer, whole text; false on anything else or above `max`.
bool parse_uint(std::string_view text, uint64_t max, uint64_t& out);
// "n", "!n", "<n", "<=n", ">n", ">=n", "n<>m", "n-m"; error text or "".
std::string parse_int_match(std::string_view text, uint64_t max, IntMatch& out);

// Each returns "" on success or the reason the value cannot be used.
std::string parse_modbus_keyword(std::string_view value, ModbusCondition& out);
std::string parse_dnp3_func(std::string_view value, uint8_t& out);
std::string parse_dnp3_ind(std::string_view value, uint16_t& mask);
std::string parse_dnp3_obj(std::string_view value, std::pair<uint8_t, uint8_t>& out);
std::string parse_enip_command(std::string_view value, IntMatch& out);
std::string parse_cip_service(std::string_view value, CipServiceCondition& out);

// ---- Per-packet views (fixed capacity: no allocation per packet) ----

struct ModbusAduView {
  uint8_t unit = 0;
  uint8_t function = 0;  // without the exception bit
  Bytes pdu;             // function code + data (possibly truncated at the payload end)
  bool has_subfunction = false;
  uint16_t subfunction = 0;
  bool has_range = false;
  uint16_t address = 0, quantity = 0;  // write range for FC 23
};

struct Dnp3FragmentView {
  Bytes data;  // application header + objects
  uint8_t function = 0;
  bool is_response = false;
  uint16_t iin = 0;  // IIN1 low byte, IIN2 high byte
  uint8_t object_count = 0;
  std::array<std::pair<uint8_t, uint8_t>, 32> objects{};
};

struct CipRequestView {
  uint8_t service = 0;
  bool has_class = false, has_attribute = false;
  uint16_t class_id = 0, attribute = 0;
};

class IcsView {
 public:
  static constexpr size_t kMaxModbusAdus = 16;
  static constexpr size_t kMaxDnp3Fragments = 8;
  static constexpr size_t kDnp3BufferSize = 8192;
  static constexpr size_t kMaxEnipPdus = 16;
  static constexpr size_t kMaxCipRequests = 32;

  // Forget the previous packet; decoding is lazy.
  void reset(Bytes payload, bool to_server) {
    payload_ = payload;
    to_server_ = to_server;
    modbus_done_ = dnp3_done_ = enip_done_ = false;
  }

  std::span<const ModbusAduView> modbus();
  std::span<const Dnp3FragmentView> dnp3();
  std::span<const uint16_t> enip_commands();
  std::span<const CipRequestView> cip_requests();

 private:
  void decode_enip();
  void add_cip_request(Bytes message, int depth);

  Bytes payload_;
  bool to_server_ = true;
  bool modbus_done_ = false, dnp3_done_ = false, enip_done_ = false;
  std::array<ModbusAduView, kMaxModbusAdus> modbus_{};
  size_t modbus_count_ = 0;
  std::array<uint8_t, kDnp3BufferSize> dnp3_buffer_{};
  std::array<Dnp3FragmentView, kMaxDnp3Fragments> dnp3_{};
  size_t dnp3_count_ = 0;
  std::array<uint16_t, kMaxEnipPdus> enip_{};
  size_t enip_count_ = 0;
  std::array<CipRequestView, kMaxCipRequests> cip_{};
  size_t cip_count_ = 0;
};

bool modbus_matches(const ModbusCondition& condition, const ModbusAduView& adu);
bool dnp3_matches(const Dnp3Conditions& conditions, const Dnp3FragmentView& fragment);
bool cip_matches(const CipServiceCondition& condition, const CipRequestView& request);

}  // namespace ots::detect::rules
