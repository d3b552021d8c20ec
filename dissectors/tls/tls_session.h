// Per-flow TLS session: frames each direction into records, reassembles the handshake
// stream and reports the cleartext handshake.
//
// Framing: record bodies are consumed as they arrive, never buffered whole. Handshake
// bodies feed a handshake stream in which whole messages are parsed straight from the
// segment; only a message split across segments or records is copied (at most
// kMaxHandshakeMessage + 4 bytes per direction; bigger messages are skipped). Alert bodies
// are read two bytes at a time. Once a direction sends ChangeCipherSpec or application data
// everything after it is encrypted: that direction ignores further bytes at no cost (the
// session stays confirmed and never buffers application data).
// A gap inside a record body is skipped exactly (the handshake message it hit is dropped);
// a gap elsewhere makes the direction hunt for the next plausible record header, and every
// kMaxRecordLength bytes hunted count as one violation.
//
// Events (protocol "tls"):
//   operation()  ClientHello (Side::Client, code 1, object = SNI), ServerHello (Side::Server,
//                code 2, object = negotiated version and cipher: "TLS 1.2 cipher 0x0004"),
//                Certificate (code 11, object = leaf subject CN), Alert (code 21, object =
//                description name, is_error when fatal).
//   observable() client: Domain (SNI, lower case), Ja3 (MD5), Ja4; server: Ja3s (MD5);
//                the side that sent a Certificate: CertSha1 / CertSha256 of every certificate.
//   identity()   the certificate sender's leaf: Hostname = subject CN when it is a host name
//                (wildcards are not), Description = "tls certificate subject … issuer …
//                valid until …".
//   anomaly()    kAnomalyNames in tls_parser.h.
//   protocol_confirmed() once: on a ServerHello after a ClientHello, or — when only one
//                direction is ever seen — after a hello and kConfirmAfterOneSidedUnits
//                valid units (handshake messages, alerts, other records) in that direction.
// After kMaxConsecutiveViolations bad records / handshake messages in a row, rejected().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/tls/tls_fingerprint.h"
#include "dissectors/tls/tls_parser.h"

namespace ots::tls {

constexpr uint32_t kMaxConsecutiveViolations = 8;
constexpr uint32_t kConfirmAfterOneSidedUnits = 3;
constexpr size_t kMaxCertificatesPerMessage = 16;

class TlsSession final : public DissectorSession {
 public:
  explicit TlsSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

  // Whether a direction has stopped parsing (encrypted from here on).
  bool encrypted(Direction dir) const { return streams_[static_cast<size_t>(dir)].encrypted; }
  // Bytes of handshake stream copied for reassembly in `dir` right now.
  size_t buffered_handshake(Direction dir) const { return streams_[static_cast<size_t>(dir)].handshake.size(); }

 private:
  struct Stream {
    std::array<uint8_t, kRecordHeaderSize> header{};
    size_t header_bytes = 0;
    RecordHeader record;
    size_t record_left = 0;
    bool in_record = false;
    bool body_lost = false;          // a gap hit this record's body
    bool record_violation = false;   // this record held a malformed message
    bool hunting = false;
    size_t hunted_bytes = 0;
    std::vector<uint8_t> handshake;  // one partial handshake message
    size_t skip_handshake = 0;       // bytes of an oversize handshake message still to skip
    std::array<uint8_t, 2> alert{};
    size_t alert_bytes = 0;
    uint8_t change_cipher_spec = 0;
    bool encrypted = false;
    bool seen_data = false;
    bool hello_seen = false;
    uint32_t valid_units = 0;        // well-formed handshake messages, alerts and other records
  };

  // Consumes a record header (possibly hunting); returns the bytes used.
  size_t take_header(const FlowContext& ctx, Stream& stream, Bytes bytes);
  void take_body(const FlowContext& ctx, Direction dir, Stream& stream, Bytes piece);
  void finish_record(const FlowContext& ctx, Direction dir, Stream& stream);
  void feed_handshake(const FlowContext& ctx, Direction dir, Stream& stream, Bytes piece);
  // Handles the whole handshake messages at the front of `window`; returns the bytes used.
  size_t parse_handshake(const FlowContext& ctx, Direction dir, Stream& stream, Bytes window);
  // Each returns whether the message was well formed.
  bool handle_message(const FlowContext& ctx, Direction dir, Stream& stream, uint8_t type, Bytes body);
  bool handle_client_hello(const FlowContext& ctx, Stream& stream, Bytes body);
  bool handle_server_hello(const FlowContext& ctx, Stream& stream, Bytes body);
  bool handle_certificate(const FlowContext& ctx, Direction dir, Stream& stream, Bytes body);
  void handle_alert(const FlowContext& ctx, Direction dir, Stream& stream, uint8_t level, uint8_t description);
  void record_valid(const FlowContext& ctx, Direction dir, Stream& stream);
  void confirm(const FlowContext& ctx);
  void violation(const FlowContext& ctx, Stream& stream, Anomaly anomaly);
  void count_violation();
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  bool client_hello_seen_ = false;
  uint32_t consecutive_violations_ = 0;
  bool confirmed_ = false;
  bool rejected_ = false;
  // Reused working storage for fingerprints (allocated once per session at most).
  std::string fingerprint_;
  Ja4Scratch ja4_scratch_;
  std::array<char, kMaxServerNameLength> lower_name_{};
  std::array<char, 32> server_hello_text_{};  // "TLS 1.2 cipher 0x0004"
};

}  // namespace ots::tls
