// Per-flow IEC 60870-5-104 session: frames each direction's byte stream into APDUs,
// tracks send sequence numbers and reports events. The client is the controlling station
// (it opened the TCP connection to port 2404), the server the controlled station.
//
// Framing: APDUs are cut by the APDU length; one segment may hold several APDUs and an APDU
// may span segments (at most one partial APDU, kMaxApduSize bytes, is buffered per
// direction). After a gap or a bad start byte / length the direction "hunts": it skips bytes
// until probe_apdu() accepts one; every kMaxApduSize bytes skipped count as one violation.
//
// Events:
//   operation()  every I-format APDU: code = type id, name = its mnemonic ("C_SC_NA_1",
//                "Unknown Type ID"), is_request = sent by the client, unit = common address
//                (CASDU), address = first IOA, quantity = number of objects, has_range when
//                the ASDU has an object, object = cause of transmission name (for commands
//                with an S/E qualifier and causes 6-10 also "(select)" / "(execute)"),
//                is_error = P/N bit or causes 44-47, is_write = state-changing type
//                (commands, set-points, clock sync, reset process, parameters) with an
//                activation-family cause (6-10, 44-47), C_CI_NA_1 with freeze-and-reset or
//                reset, or a file sent by the client (F_FR / F_SR / F_LS / F_SG).
//                Every U-format APDU: code = 0x100 + control octet (0x107 STARTDT act,
//                0x10B STARTDT con, 0x113 / 0x123 STOPDT, 0x143 / 0x183 TESTFR; the offset
//                keeps them apart from type ids), is_request = an "act", is_write = STARTDT act
//                or STOPDT act (they switch the data transfer of the outstation on or off).
//                S-format APDUs carry no application meaning and are not reported.
//   identity()   Role "controlling station" (client) / "controlled station" (server) at
//                confirmation; Description "CASDU <n>" on the server side for each common
//                address seen in a well-formed I-format APDU (not 0 nor the global 65535; at
//                most kMaxCommonAddresses per session).
//   anomaly()    the names of iec104_parser.h. sequence_error: an I-format N(S) that is not
//                the previous one + 1 (mod 32768) in its direction (the first after the start
//                or a gap sets the expectation); unexpected_direction: check_direction() and
//                check_u_direction().
//   protocol_confirmed() once: after STARTDT act from the client and STARTDT con from the
//                server, after a valid I-format APDU in each direction, or after
//                kConfirmAfterValidApdus valid APDUs in one direction (one-sided captures,
//                long-running connections caught without their start).
// Structural violations (bad start byte, length, control field, unknown type id, object
// sizes) count toward kMaxConsecutiveViolations; after that many in a row rejected() is true
// and the session ignores further input. Semantic anomalies (cause, direction, sequence) are
// reported but do not count.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/spill_buffer.h"
#include "dissectors/dissector.h"
#include "dissectors/iec104/iec104_parser.h"

namespace ots::iec104 {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterValidApdus = 3;
constexpr size_t kMaxCommonAddresses = 16;
constexpr uint32_t kUFormatCodeBase = 0x100;

class Iec104Session final : public DissectorSession {
 public:
  explicit Iec104Session(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  struct Stream {
    SpillBuffer buffer;  // a partial APDU (at most kMaxApduSize bytes), only while one is split
    bool hunting = false;
    size_t hunted_bytes = 0;  // skipped since hunting started
    uint32_t valid_apdus = 0;
    bool valid_i_format = false;
    bool send_seq_known = false;
    uint16_t expected_send_seq = 0;
  };

  // Frames and handles whole APDUs at the front of `window`; returns the bytes consumed.
  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  void handle_apdu(const FlowContext& ctx, Direction dir, Bytes bytes);
  // Each returns whether the APDU was free of anomalies.
  bool handle_i_format(const FlowContext& ctx, Direction dir, const Apdu& apdu);
  bool handle_u_format(const FlowContext& ctx, Direction dir, const Apdu& apdu);
  bool check_sequence(const FlowContext& ctx, Direction dir, uint16_t send_seq);
  void note_common_address(const FlowContext& ctx, uint16_t common_address);
  void report_common_address(const FlowContext& ctx, uint16_t common_address);
  // The events name the messages that showed each side's role.
  void confirm(const FlowContext& ctx, std::string_view client_event, std::string_view server_event);
  void count_violation();
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  std::array<uint16_t, kMaxCommonAddresses> common_addresses_{};
  size_t common_address_count_ = 0;
  uint32_t consecutive_violations_ = 0;
  bool startdt_requested_ = false;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::iec104
