// S7comm wire grammar: TPKT (RFC 1006), COTP class 0 (ISO 8073) and the S7
// communication PDU (job / ack / ack-data / userdata), plus the SZL records the
// inventory needs. Pure functions over Bytes: no state, no I/O, no allocation.
// Each returns Anomaly::None on success or the named failure (STYLE.md 7, 11).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/bytes.h"

namespace ots::s7comm {

enum class Anomaly : uint8_t {
  None,
  InvalidTpktLength,   // TPKT header unusable: version ≠ 3 or length < 7
  InvalidCotp,         // COTP length indicator / TPDU type / parameters malformed
  InvalidProtocolId,   // S7 PDU not starting with 0x32
  InvalidRosctr,       // S7 PDU type not 1, 2, 3 or 7
  LengthMismatch,      // declared lengths disagree with the bytes present
  InvalidItem,         // read/write item, data item or SZL record malformed
  UnknownFunction,     // function code / userdata header not understood
  UnmatchedResponse,   // ack / ack-data / userdata response without a pending request
  ReassemblyOverflow,  // COTP or SZL fragment reassembly exceeded its cap
  Truncated,           // a structure ends before its required fields (or the stream ends mid-TPKT)
};
std::string_view anomaly_name(Anomaly a);  // stable: "s7comm.invalid_tpkt_length", …

// ---- TPKT ----------------------------------------------------------------------------------------
inline constexpr size_t kTpktHeaderSize = 4;
inline constexpr size_t kMinTpktLength = 7;  // header + smallest COTP DT (LI, type, EOT/number)

enum class TpktStatus : uint8_t { Complete, NeedMore, Invalid };
struct TpktFrame {
  TpktStatus status = TpktStatus::NeedMore;
  size_t length = 0;  // total TPKT length (header included); known once 4 bytes are present
};
// Looks at the start of a byte stream: is a whole TPKT there?
TpktFrame tpkt_frame(Bytes stream);
// A plausible TPKT + COTP header at the start of `b` (needs 6 bytes); used to resynchronise after a gap.
bool plausible_tpkt_start(Bytes b);

// ---- COTP ----------------------------------------------------------------------------------------
namespace cotp {
// Class-0 TPDU codes (high nibble); expedited data, acks and rejects belong to classes 1–4.
constexpr uint8_t kConnectRequest = 0xE0, kConnectConfirm = 0xD0, kData = 0xF0, kDisconnectRequest = 0x80,
                  kDisconnectConfirm = 0xC0, kError = 0x70;
constexpr uint8_t kParamTpduSize = 0xC0, kParamCallingTsap = 0xC1, kParamCalledTsap = 0xC2;
}  // namespace cotp

struct CotpPdu {
  uint8_t type = 0;  // high nibble of the TPDU code (cotp::k…)
  // DT
  bool last_data_unit = false;  // EOT
  uint8_t tpdu_number = 0;
  Bytes user_data;
  // CR / CC
  uint16_t dst_ref = 0, src_ref = 0;
  uint8_t class_option = 0;
  Bytes calling_tsap, called_tsap;
  uint32_t tpdu_size = 0;  // bytes; 0 when absent
};
// `tpdu` is the TPKT payload (after the 4-byte header).
Anomaly parse_cotp(Bytes tpdu, CotpPdu& out);

struct RackSlot {
  uint8_t rack = 0, slot = 0;
};
// Rack and slot from the remote (called) TSAP of a classic S7 connection: second byte = rack << 5 | slot,
// first byte the connection type (1 PG, 2 OP, 3 S7 basic). Other TSAPs (S7-200, LOGO!, names) give nothing.
std::optional<RackSlot> rack_slot_from_tsap(Bytes tsap);
// S7comm-plus connections (S7-1200/1500) name their TSAP "SIMATIC-ROOT-…".
bool is_s7plus_tsap(Bytes tsap);

// ---- S7 PDU --------------------------------------------------------------------------------------
inline constexpr uint8_t kProtocolId = 0x32;
inline constexpr uint8_t kProtocolIdPlus = 0x72;  // S7comm-plus: another dissector's business
namespace rosctr {
constexpr uint8_t kJob = 1, kAck = 2, kAckData = 3, kUserdata = 7;
}

struct S7Pdu {
  uint8_t rosctr = 0;
  uint16_t redundancy_id = 0;
  uint16_t pdu_ref = 0;
  uint8_t error_class = 0, error_code = 0;  // ack / ack-data only
  Bytes params, data;
};
// `bytes` is one whole S7 PDU (a reassembled COTP DT message).
Anomaly parse_s7_pdu(Bytes bytes, S7Pdu& out);

// ---- Job / Ack-Data parameters -------------------------------------------------------------------
struct SetupCommunication {
  uint16_t max_amq_calling = 0, max_amq_called = 0, pdu_length = 0;
};
Anomaly parse_setup_communication(Bytes params, SetupCommunication& out);

struct VarAddress {
  uint8_t syntax_id = 0;
  uint8_t transport_size = 0;
  uint16_t length = 0;
  uint16_t db_number = 0;
  uint8_t area = 0;
  uint32_t address = 0;  // raw 24 bits: byte << 3 | bit, or the number for timers/counters
  bool is_s7any() const { return syntax_id == 0x10; }
  uint32_t byte_offset() const;  // address of the first byte (timer/counter number as is)
  uint8_t bit() const;
};
struct VarRequest {
  uint8_t item_count = 0;
  VarAddress first;  // meaningful when item_count > 0
};
// Read Var / Write Var job parameters (also validates every item).
Anomaly parse_var_request(Bytes params, VarRequest& out);
// Read Var / Write Var ack-data parameters: function + item count.
Anomaly parse_var_response_params(Bytes params, uint8_t& item_count);

struct DataItems {
  uint16_t count = 0;
  uint16_t failed = 0;  // items whose return code is not success
};
// Data items of a Write Var job or a Read Var ack-data: return code, transport size, length, value, pad.
Anomaly parse_data_items(Bytes data, uint8_t expected_count, DataItems& out);
// Write Var ack-data data: one return code per item.
Anomaly parse_write_results(Bytes data, uint8_t expected_count, DataItems& out);

struct BlockTransfer {
  uint8_t function = 0;
  uint8_t status = 0;
  std::string_view filename;  // "_0A00001P"; empty for Upload / End Upload
};
// Job parameters of 0x1A…0x1F (request download … end upload).
Anomaly parse_block_transfer(Bytes params, BlockTransfer& out);

struct PiServiceCall {
  std::string_view service;  // "_INSE", "P_PROGRAM" …
  Bytes parameter_block;
  uint8_t block_count = 0;       // _INSE / _DELE
  std::string_view first_block;  // 8 characters "0A00001P", when block_count > 0
};
Anomaly parse_pi_service(Bytes params, PiServiceCall& out);
// PLC Stop job parameters: function, 5 reserved bytes, service name.
Anomaly parse_plc_stop(Bytes params, std::string_view& service);

// "0A00001P" or "_0A00001P" → "DB1"; empty if not a block name. `buffer` receives the text.
std::string_view format_block_name(std::string_view name, std::span<char> buffer);
// S7ANY address → "DB1.DBX 0.0 BYTE 10", "M 10.0 BYTE 4", "T 5 TIMER 1".
std::string_view format_address(const VarAddress& a, std::span<char> buffer);

// ---- Userdata ------------------------------------------------------------------------------------
struct UserdataParams {
  uint8_t method = 0;  // 0x11 request, 0x12 response
  uint8_t type = 0;    // userdata_type::k…
  uint8_t group = 0;
  uint8_t subfunction = 0;
  uint8_t sequence = 0;
  bool extended = false;  // the 8-byte form with data unit reference and error code
  uint8_t data_unit_ref = 0;
  bool last_data_unit = true;
  uint16_t error_code = 0;
};
Anomaly parse_userdata_params(Bytes params, UserdataParams& out);

struct UserdataData {
  bool present = false;
  uint8_t return_code = 0;
  uint8_t transport_size = 0;
  Bytes payload;
};
Anomaly parse_userdata_data(Bytes data, UserdataData& out);

// ---- SZL (system status list) --------------------------------------------------------------------
struct SzlRequest {
  uint16_t id = 0, index = 0;
};
Anomaly parse_szl_request(Bytes payload, SzlRequest& out);

struct SzlList {
  uint16_t id = 0, index = 0;
  uint16_t entry_length = 0, entry_count = 0;
  Bytes entries;  // entry_count records of entry_length bytes (fewer if the list was cut)
};
// The first SZL response fragment (or the reassembled whole) starts with this header.
Anomaly parse_szl_list(Bytes payload, SzlList& out);
// The i-th record, or empty if it is not entirely present.
Bytes szl_entry(const SzlList& list, size_t i);

struct ModuleIdentification {  // SZL 0x0011 / 0x0111 record (28 bytes)
  uint16_t index = 0;
  std::string_view order_number;  // MLFB, trailing blanks and NULs removed
  uint16_t module_type = 0;
  uint16_t ausbg = 0, ausbe = 0;  // version words
};
Anomaly parse_module_identification(Bytes entry, ModuleIdentification& out);
// "V3.2.7" when ausbg carries 'V' in its high byte (firmware records); otherwise empty.
std::string_view format_firmware_version(uint16_t ausbg, uint16_t ausbe, std::span<char> buffer);

struct ComponentIdentification {  // SZL 0x001C / 0x011C record (34 bytes)
  uint16_t index = 0;
  std::string_view text;  // names, serial numbers: up to the first NUL, trimmed; empty for binary records
};
Anomaly parse_component_identification(Bytes entry, ComponentIdentification& out);

struct ModeTransition {  // SZL 0x0424 record (20 bytes)
  uint16_t event_id = 0;
  uint8_t requested_mode = 0, previous_mode = 0;
};
Anomaly parse_mode_transition(Bytes entry, ModeTransition& out);

}  // namespace ots::s7comm
