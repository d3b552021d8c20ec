// Per-flow RDP session (TCP 3389): follows the connection sequence only as far as it is in the
// clear, then stops reading (TLS / CredSSP follow, and the rest is not worth the cycles).
//
// Client direction: X.224 Connection Request, then — only if the next PDU is a TPKT rather than a
// TLS record, i.e. standard RDP security — the MCS Connect Initial. Server direction: X.224
// Connection Confirm. Whole TPKT PDUs are buffered (at most 65535 bytes, the TPKT maximum). A gap
// or a malformed PDU ends parsing of that direction.
//
// Events:
//   operation()  client: Connection Request (code 0xE0), object "user <mstshash cookie>" or
//                "routing token", then "; requested TLS,CredSSP" (or "requested RDP" for standard
//                security) when an RDP_NEG_REQ is present; MCS Connect Initial (code 0x65) with the
//                client name as object. server: Connection Confirm (code 0xD0), object "selected
//                CredSSP" or the failure code name (is_error).
//   identity()   server: Role "RDP server" once the Connection Confirm parses. client (standard
//                security only): client name → Hostname, Software "RDP 10.7 client build 19041".
//   anomaly()    rdp_wire.h kAnomalyNames; rdp.standard_rdp_security when the server selects (or,
//                lacking RDP_NEG_RSP, implies) standard RDP security.
//   protocol_confirmed() once: a Connection Request and its Connection Confirm both parsed, or one of
//                them alone while the other direction has sent nothing (one-sided capture).
// A malformed Connection Request / Confirm rejects the session: RDP has nothing to resync to.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/rdp/rdp_wire.h"

namespace ots::rdp {

ProbeResult probe(Direction dir, Bytes payload);

class RdpSession final : public DissectorSession {
 public:
  explicit RdpSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  enum class Stage : uint8_t { ConnectionRequest, ConnectInitial, ConnectionConfirm, Done };
  struct Stream {
    Stage stage = Stage::Done;
    std::vector<uint8_t> buffer;
    bool seen_data = false;
    bool parsed = false;  // its connection PDU parsed
  };

  void handle_pdu(const FlowContext& ctx, Direction dir, Bytes pdu);
  void connection_request(const FlowContext& ctx, Bytes pdu);
  void connection_confirm(const FlowContext& ctx, Bytes pdu);
  void connect_initial(const FlowContext& ctx, Bytes pdu);
  void maybe_confirm(const FlowContext& ctx);
  void malformed(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{Stream{Stage::ConnectionRequest, {}, false, false},
                                 Stream{Stage::ConnectionConfirm, {}, false, false}};
  std::string object_, text_;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::rdp
