// Per-flow OPC UA binary session: frames each direction's byte stream into chunks and
// reports events. The client opened the TCP connection (to 4840).
//
// Framing: chunks are cut by the header's size. Only the first kMaxParsedPrefix bytes of a
// chunk are parsed (buffered across segments when needed); the rest of a larger chunk is
// skipped without copying. After a gap that does not fall inside a chunk being skipped, or
// after a bad header, the direction hunts: it skips bytes until probe_header() accepts one;
// every kMaxParsedPrefix bytes skipped count as one violation.
//
// Events:
//   operation()  HEL (code 0x48454C "Hello"), ACK (0x41434B "Acknowledge"), ERR (0x455252
//                "Error", is_error), RHE (0x524845 "ReverseHello"); OPN as the
//                OpenSecureChannel service (446 from the client, 449 from the server), object =
//                the requested security mode ("None", "Sign", "SignAndEncrypt") when the policy
//                is None; MSG / CLO with policy None: the service of the body (code = the
//                numeric id of its *_Encoding_DefaultBinary node, name from the service table,
//                "Unknown service" otherwise; is_request for request ids; is_write for Write,
//                Call, HistoryUpdate, Add/Delete Nodes/References, RegisterServer; is_error for
//                ServiceFault or a Bad service result). Only the first chunk of a multi-chunk
//                message is decoded. On a channel whose policy is not None, MSG / CLO bodies
//                are ciphertext: one operation 0x4D5347 "Encrypted message" per session and
//                nothing else (no anomalies from ciphertext).
//   identity()   Description "endpoint <url>" (Side::Server) from HEL, CreateSession requests
//                or the first endpoint of GetEndpoints / CreateSession responses; Description
//                "security policy <name>" (Side::Server, name after '#') from the client's OPN;
//                from an ApplicationDescription (client side: CreateSession request; server
//                side: first endpoint of GetEndpoints / CreateSession responses): Description
//                "application uri <uri>" and ProductName = productUri (the applicationName
//                text when productUri is empty). Each at most once per session. event: "OPC UA Hello",
//                "OPC UA OpenSecureChannel request", "OPC UA <service> request" / "reply".
//   anomaly()    the names of opcua_parser.h.
//   protocol_confirmed() once: after a valid chunk in each direction, or kConfirmAfterOneSided
//                valid chunks in one direction (one-sided captures).
// After kMaxConsecutiveViolations bad headers / malformed chunks / fruitless hunts in a row
// rejected() is true and the session ignores further input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/opcua/opcua_parser.h"

namespace ots::opcua {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterOneSided = 3;
constexpr uint32_t kHelloCode = 0x48454C, kAcknowledgeCode = 0x41434B, kErrorCode = 0x455252;
constexpr uint32_t kReverseHelloCode = 0x524845, kEncryptedCode = 0x4D5347;

class OpcuaSession final : public DissectorSession {
 public:
  explicit OpcuaSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  struct Stream {
    std::vector<uint8_t> buffer;  // a partial chunk prefix; allocated only when a chunk spans segments
    uint64_t skip = 0;            // bytes of the current chunk left to discard
    bool hunting = false;
    size_t hunted_bytes = 0;
    bool in_multichunk = false;  // inside a message whose first chunk was 'C'
    uint32_t valid_chunks = 0;
  };

  // Handles the chunks (or chunk prefixes) at the front of `window`; returns the bytes consumed.
  size_t scan(const FlowContext& ctx, Direction dir, Bytes window);
  // `chunk` is the whole chunk when `complete`, else its first kMaxParsedPrefix bytes.
  void handle_chunk(const FlowContext& ctx, Direction dir, const Header& header, Bytes chunk, bool complete);
  bool handle_open_channel(const FlowContext& ctx, Direction dir, Bytes body, bool complete);
  bool handle_service(const FlowContext& ctx, Direction dir, const Header& header, Bytes body, bool complete);
  // `event`: the message that carried the fact (static text, e.g. "OPC UA GetEndpoints reply").
  void report_description(const FlowContext& ctx, Side side, const ApplicationDescription& description,
                          std::string_view event);
  void report_endpoint(const FlowContext& ctx, std::string_view url, std::string_view event);
  void report_simple(const FlowContext& ctx, Direction dir, uint32_t code, std::string_view name, bool is_error);
  void confirm_if_due(const FlowContext& ctx, Direction dir);
  void count_violation();
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  uint32_t consecutive_violations_ = 0;
  bool secured_ = false;  // an OPN named a policy other than None: MSG bodies are ciphertext
  bool encrypted_reported_ = false;
  bool endpoint_reported_ = false;
  bool policy_reported_ = false;
  std::array<bool, 2> described_{};  // per Side
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::opcua
