// Per-flow VNC / RFB session (TCP 5900–5910): follows the handshake to ServerInit, then stops
// reading (framebuffer updates are not parsed). At most kMaxBuffered bytes are held per direction.
//
// Events:
//   operation()  client: ProtocolVersion (code 0), Security Type Selection (2, object the type name),
//                VNC Authentication Response (3), ClientInit (5, object "shared" / "exclusive").
//                server: ProtocolVersion (0), Security Types (1, object "None,VNC Authentication";
//                is_error with the reason when the server offers none), Security Result (4, is_error
//                with the reason when authentication failed), ServerInit (6, object the desktop name).
//   identity()   each side: Software "RFB 003.008"; Description the product a non-standard version
//                names ("Apple Remote Desktop"). server: Role "VNC server" at confirmation;
//                ServerInit name → Description "vnc desktop <name>", and → Hostname when the name is
//                a host name or starts with "<host>:<display>".
//   anomaly()    vnc_wire.h kAnomalyNames; vnc.no_authentication when security type None is chosen
//                (3.7+) or imposed by the server (3.3).
//   protocol_confirmed() once: both ProtocolVersion messages parsed, or the server's ProtocolVersion
//                and security message while the client has sent nothing (one-sided capture).
// A bad ProtocolVersion rejects the session. After a gap a direction stops being read.
// Limitation: in a client-only capture of a 3.3 handshake the client's messages after its version
// depend on the unseen server's choice and are not read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dissectors/dissector.h"
#include "dissectors/vnc/vnc_wire.h"

namespace ots::vnc {

constexpr size_t kMaxBuffered = 512;

ProbeResult probe(Direction dir, Bytes payload);

class VncSession final : public DissectorSession {
 public:
  explicit VncSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext& ctx, Direction dir, uint64_t length) override;
  void end(const FlowContext& ctx, Direction dir) override;
  bool rejected() const override { return rejected_; }

 private:
  enum class ClientStage : uint8_t {
    Version,
    SecurityChoice,
    AwaitServerSecurity,
    AuthResponse,
    ClientInit,
    Done
  };
  enum class ServerStage : uint8_t { Version, Security, Challenge, SecurityResult, ServerInit, Done };
  enum class Step : uint8_t { Consumed, NeedMore };  // NeedMore also means "waiting for the other side"
  struct Stream {
    std::vector<uint8_t> buffer;
    bool seen_data = false;
  };

  void pump(const FlowContext& ctx, Direction dir);
  Step client_step(const FlowContext& ctx, Bytes buffer, size_t& used);
  Step server_step(const FlowContext& ctx, Bytes buffer, size_t& used);
  Step server_security(const FlowContext& ctx, Bytes buffer, size_t& used);
  bool version(const FlowContext& ctx, Side side, Bytes twelve);
  // A u32-length-prefixed string at the front of `buffer`, cut to kMaxText.
  Step read_text(const FlowContext& ctx, Bytes buffer, size_t& used, std::string_view& text);
  void security_chosen(const FlowContext& ctx, uint8_t type);
  void operation(const FlowContext& ctx, Side side, uint32_t code, std::string_view name,
                 std::string_view object, bool is_error = false);
  bool done(Direction dir) const;
  void maybe_confirm(const FlowContext& ctx);
  uint16_t minor() const;

  EventSink& sink_;
  std::array<Stream, 2> streams_{};
  ClientStage client_ = ClientStage::Version;
  ServerStage server_ = ServerStage::Version;
  Version client_version_, server_version_;
  bool client_version_seen_ = false, server_version_seen_ = false, server_security_seen_ = false;
  std::array<uint8_t, 255> offered_{};
  size_t offered_count_ = 0;
  int security_type_ = -1;  // in effect, once chosen (3.7+) or imposed (3.3)
  std::string text_;
  bool confirmed_ = false;
  bool rejected_ = false;
};

}  // namespace ots::vnc
