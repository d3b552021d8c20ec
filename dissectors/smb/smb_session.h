// Per-flow SMB session (TCP 445 direct, TCP 139 NetBIOS session service).
//
// Framing: each direction is cut into NetBIOS session packets by their 4-byte header. Only the
// first kMaxParsedPdu bytes of a packet are kept (headers, negotiate, session setup and names all
// fit); the rest — READ/WRITE data — is skipped without copying. A gap inside skipped data costs
// nothing; any other gap, or a bad header, makes the direction hunt for the next
// `00 xx xx xx (FF|FE|FD|FC) 'SMB'` within one chunk (a header split across chunks is missed).
//
// Events:
//   operation()  NetBIOS session request/responses; every SMB1 message (code kSmb1CodeBase + command,
//                object: offered dialects of a NEGOTIATE); every SMB2 message of a compound
//                (code = command). Request objects: NEGOTIATE "2.0.2,2.1,…", SESSION_SETUP
//                "ntlm negotiate" | "user DOMAIN\user" | "anonymous", TREE_CONNECT "\\host\share",
//                CREATE the file name; READ/WRITE carry offset/length as range when the offset fits
//                32 bits. Responses inherit object, range and is_write from their request (matched
//                by MessageId); an error status sets is_error and prefixes the object with the
//                status name ("STATUS_LOGON_FAILURE user CORP\bob"). WRITE, FLUSH, SET_INFO and
//                SMB1 writes/deletes/renames are is_write. Encrypted (transform) messages emit nothing.
//   identity()   client: NBSS calling name → Hostname; NTLM NEGOTIATE/AUTHENTICATE workstation →
//                Hostname, domain → Domain, version → OperatingSystem "Windows 10.0 build 19041".
//                server: NBSS called name → Hostname; NEGOTIATE response → Description
//                "smb dialect 3.1.1" and "smb server guid …"; NTLM CHALLENGE NetBIOS computer
//                name and DNS computer name → Hostname, NetBIOS domain → Domain, DNS domain →
//                Description "dns domain …", target name → Domain or Hostname by its type flag,
//                version → OperatingSystem; Role "SMB server" at confirmation.
//                User names appear only inside operation objects; hashes and responses never.
//   anomaly()    smb_wire.h kAnomalyNames.
//   protocol_confirmed() once: an SMB response matching a request seen on the flow, or
//                kConfirmAfterOneSidedMessages valid SMB messages in one direction while the other
//                has sent nothing.
// After kMaxConsecutiveViolations bad headers / malformed messages / fruitless hunts (each
// kHuntQuantum bytes) in a row, rejected() is true.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/smb/ntlm.h"
#include "dissectors/smb/smb_wire.h"

namespace ots::smb {

constexpr size_t kMaxParsedPdu = 16 * 1024;
constexpr size_t kMaxPendingRequests = 32;
constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterOneSidedMessages = 3;
constexpr size_t kHuntQuantum = 1024 * 1024;

ProbeResult probe(Direction dir, Bytes payload);

class SmbSession final : public DissectorSession {
 public:
  explicit SmbSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  struct Stream {
    std::vector<uint8_t> buffer;  // NBSS header + kept prefix of the packet being assembled
    size_t pdu_total = 0;         // whole packet size, once the header is in `buffer`
    uint64_t skip = 0;            // bytes of the current packet beyond the kept prefix
    bool hunting = false;
    size_t hunted = 0;
    uint32_t valid_messages = 0;
    bool seen_data = false;
  };
  struct Pending {
    bool used = false;
    uint64_t sequence = 0;
    uint64_t message_id = 0;
    uint16_t command = 0;
    uint32_t address = 0, quantity = 0;
    bool has_range = false;
    std::string object;
  };

  void handle_pdu(const FlowContext& ctx, Direction dir, Bytes pdu, bool prefix_only);
  void handle_session_request(const FlowContext& ctx, Bytes payload);
  bool handle_smb1(const FlowContext& ctx, Direction dir, Bytes message);
  bool handle_smb2(const FlowContext& ctx, Direction dir, Bytes pdu_payload, bool prefix_only,
                   bool& answered);
  void smb2_request(const FlowContext& ctx, const Smb2Message& m, Operation& op);
  bool smb2_response(const FlowContext& ctx, const Smb2Message& m, Operation& op);  // true: matched a request
  // The event names of one carrier message, by the NTLMSSP message type it holds (Negotiate, Challenge,
  // Authenticate): only the parse knows which it is.
  using NtlmEvents = std::array<std::string_view, 3>;
  // Reads an NTLMSSP message in a security buffer; sets `object` for requests, reports identities.
  void handle_ntlm(const FlowContext& ctx, Side side, Bytes security_buffer, std::string& object,
                   const NtlmEvents& events);
  void emit_text(const FlowContext& ctx, Side side, IdentityField field, const ntlm::Text& text,
                 std::string_view event, std::string_view prefix = {});
  void valid_message(const FlowContext& ctx, Direction dir, bool answered_request);
  void violation(const FlowContext& ctx, Anomaly anomaly);
  void start_hunt(Stream& stream);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  std::array<Pending, kMaxPendingRequests> pending_{};
  uint64_t next_sequence_ = 0;
  std::string object_, text_, text2_;  // reused for composed strings
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::smb
