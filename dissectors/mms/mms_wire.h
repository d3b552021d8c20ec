// IEC 61850 / ISO 9506 MMS over the OSI upper layers, as carried in COTP data on TCP 102:
// ISO 8327 session SPDUs → ISO 8823 presentation PPDUs (fully-encoded user data) →
// ACSE (ISO 8650: AARQ/AARE/RLRQ/RLRE/ABRT) → MMS PDUs, all BER. Pure functions over Bytes:
// no state, no I/O, no allocation.
//
// The BER reader is strictly bounded: definite lengths only (at most 4 length bytes), tags of
// at most 4 bytes, every TLV inside its enclosing value. The parsers descend a fixed number of
// levels written out in code (no recursion on input), so nesting depth is bounded by
// construction; lists are walked with explicit item caps.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"  // ProbeResult

namespace ots::mms {

enum class Anomaly : uint8_t {
  None,
  InvalidTpkt,         // TPKT header unusable
  InvalidCotp,         // COTP header malformed
  ReassemblyOverflow,  // a COTP message beyond its cap
  ResyncFailed,        // no TPKT header found again after a gap
  InvalidSpdu,         // session SPDU header or parameters malformed
  UnknownSpdu,         // session SPDU type not understood
  InvalidPpdu,         // presentation PPDU (CP / CPA / user data) malformed
  InvalidAcse,         // ACSE APDU malformed
  InvalidBer,          // a TLV with an indefinite or overlong length, or beyond its parent
  InvalidPdu,          // MMS PDU structure wrong (missing invokeID, service …)
  UnknownService,      // confirmed / unconfirmed service not in the table
  UnmatchedResponse,   // response or error without a pending request of that invokeID
};
std::string_view anomaly_name(Anomaly a);  // stable: "mms.invalid_spdu", …

// ---- BER --------------------------------------------------------------------------------------------
namespace ber {
constexpr uint8_t kUniversal = 0, kApplication = 1, kContext = 2, kPrivate = 3;
}
struct Tlv {
  uint8_t cls = 0;
  bool constructed = false;
  uint32_t tag = 0;
  Bytes value;
  bool is(uint8_t c, uint32_t t) const { return cls == c && tag == t; }
  bool is_context(uint32_t t) const { return cls == ber::kContext && tag == t; }
};
// Reads one TLV; false (and a failed reader) when malformed.
bool read_tlv(ByteReader& r, Tlv& out);
// The first TLV of `bytes` with class `cls` and tag `tag` among its top-level TLVs; false if absent.
bool find_tlv(Bytes bytes, uint8_t cls, uint32_t tag, Tlv& out);
// An unsigned INTEGER value of up to 4 bytes (a leading 0x00 allowed); false otherwise.
bool ber_unsigned(Bytes value, uint32_t& out);

// ---- Session (ISO 8327) -----------------------------------------------------------------------------
namespace spdu {
constexpr uint8_t kDataTransfer = 1;  // also Give Tokens (category 0) in front of it
constexpr uint8_t kNotFinished = 8, kFinish = 9, kDisconnect = 10, kRefuse = 12, kConnect = 13, kAccept = 14,
                  kAbort = 25, kAbortAccept = 26;
}  // namespace spdu
struct SessionPdu {
  uint8_t type = 0;  // spdu::k…
  Bytes user_data;   // presentation PPDU (CN/AC/FN/DN/RF/AB: the User Data parameter; DT: user information)
};
Anomaly parse_spdu(Bytes message, SessionPdu& out);
// Cheap check for probes: does `data` start with a session SPDU an MMS association uses
// (CN / AC with well-formed parameters, or GT+DT / DT carrying fully-encoded presentation data)?
ProbeResult probe_session_start(Bytes data);

// ---- Presentation (ISO 8823) ------------------------------------------------------------------------
inline constexpr size_t kMaxPdvs = 4;
struct PresentationData {
  enum class Kind : uint8_t { Connect, ConnectAccept, ConnectReject, UserData } kind = Kind::UserData;
  size_t pdv_count = 0;
  std::array<Bytes, kMaxPdvs> pdvs;  // single-ASN1-type contents (an ACSE APDU or an MMS PDU)
};
// `connect_phase`: CN / AC user data is a CP / CPA PPDU (SET); otherwise fully-encoded user data.
Anomaly parse_presentation(Bytes ppdu, bool connect_phase, PresentationData& out);

// ---- ACSE (ISO 8650) --------------------------------------------------------------------------------
namespace acse {
constexpr uint32_t kAarq = 0, kAare = 1, kRlrq = 2, kRlre = 3, kAbrt = 4;  // [APPLICATION n]
}
struct AcseApdu {
  uint32_t type = 0;
  bool has_result = false;
  uint32_t result = 0;  // AARE: 0 accepted, 1 rejected (permanent), 2 rejected (transient)
  Bytes user_pdu;       // the MMS PDU in user-information (single-ASN1-type), empty if absent
};
bool is_acse_apdu(Bytes pdv);
Anomaly parse_acse(Bytes pdv, AcseApdu& out);

// ---- MMS PDUs (ISO 9506-2) --------------------------------------------------------------------------
namespace pdu {
constexpr uint8_t kConfirmedRequest = 0, kConfirmedResponse = 1, kConfirmedError = 2, kUnconfirmed = 3,
                  kReject = 4, kCancelRequest = 5, kCancelResponse = 6, kCancelError = 7,
                  kInitiateRequest = 8, kInitiateResponse = 9, kInitiateError = 10, kConcludeRequest = 11,
                  kConcludeResponse = 12, kConcludeError = 13;
}
struct MmsPdu {
  uint8_t kind = 0;  // pdu::k…
  bool has_invoke_id = false;
  uint32_t invoke_id = 0;
  bool has_service = false;
  Tlv service;  // confirmed request/response, unconfirmed: the service CHOICE element
  Bytes body;   // initiate / reject: the PDU contents
};
Anomaly parse_mms_pdu(Bytes bytes, MmsPdu& out);

// ---- Service contents -------------------------------------------------------------------------------
// ObjectName → "domain/item", "item" (vmd- or aa-specific); written into `buffer`.
std::string_view format_object_name(const Tlv& name, std::span<char> buffer);
// FileName (SEQUENCE OF GraphicString, the contents) → "dir/file" joined.
std::string_view format_file_name(Bytes contents, std::span<char> buffer);

struct ServiceSummary {
  std::string_view object;  // in the caller's buffer
  uint32_t count = 0;       // variables / results / names
  uint32_t failures = 0;    // failed access results (responses)
  uint32_t object_class = 0;
  bool has_object_class = false;
};
// A confirmed service request's object: read / write / getVariableAccessAttributes /
// defineNamedVariableList / getNamedVariableListAttributes / deleteNamedVariableList → the
// (first) variable or list name; getNameList → "class [in domain]"; file services → file name.
Anomaly describe_request(const Tlv& service, std::span<char> buffer, ServiceSummary& out);
// A confirmed service response: read / write → result count and failures.
Anomaly describe_response(const Tlv& service, ServiceSummary& out);
// An unconfirmed service (informationReport): the variable list or first variable name.
Anomaly describe_unconfirmed(const Tlv& service, std::span<char> buffer, ServiceSummary& out);

struct IdentifyResponse {
  std::string_view vendor, model, revision;
};
Anomaly parse_identify_response(const Tlv& service, IdentifyResponse& out);

struct InitiateDetail {
  bool has_version = false;
  uint32_t version = 0;  // proposed / negotiated MMS version number
  uint32_t max_outstanding_calling = 0, max_outstanding_called = 0;
};
// initiate-RequestPDU / initiate-ResponsePDU contents.
Anomaly parse_initiate(Bytes body, InitiateDetail& out);

}  // namespace ots::mms
