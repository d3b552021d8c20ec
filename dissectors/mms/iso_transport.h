// ISO transport over TCP (RFC 1006 TPKT + ISO 8073 class-0 COTP) as a byte-stream
// framer shared by the dissectors that ride on TCP port 102 next to S7comm: S7comm-plus
// and IEC 61850 MMS. The TPKT/COTP wire grammar itself is S7comm's (dissectors/s7comm/
// s7comm_wire.h); this adds the per-direction stream state: TPKTs split over or coalesced
// in TCP chunks, COTP DT reassembly until EOT, and resynchronisation after a gap.
//
// Limits: one partial TPKT (≤ 64 KiB, bounded by its length field) and one reassembled
// COTP message (kMaxMessageBytes) per direction; after a gap at most kMaxResyncSkipBytes
// are searched for the next plausible TPKT header before the stream gives up.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "dissectors/flow/tcp_reassembler.h"  // Direction
#include "dissectors/s7comm/s7comm_wire.h"

namespace ots::iso {

using CotpPdu = s7comm::CotpPdu;
namespace cotp = s7comm::cotp;

enum class TransportError : uint8_t {
  InvalidTpkt,         // TPKT version ≠ 3 or length < 7
  InvalidCotp,         // COTP header malformed
  ReassemblyOverflow,  // a COTP message grew beyond kMaxMessageBytes (its rest is dropped)
  ResyncFailed,        // no TPKT header found within kMaxResyncSkipBytes after a gap or error
};

class TransportHandler {
 public:
  virtual ~TransportHandler() = default;
  // A connection TPDU (CR, CC), disconnect or error TPDU.
  virtual void on_control_tpdu(Direction dir, const CotpPdu& tpdu) = 0;
  // One complete COTP data message (DT user data up to and including the EOT TPDU); may be empty.
  virtual void on_message(Direction dir, Bytes message) = 0;
  virtual void on_transport_error(Direction dir, TransportError error) = 0;
};

class IsoTransport {
 public:
  static constexpr size_t kMaxMessageBytes = 64 * 1024;
  static constexpr size_t kMaxResyncSkipBytes = 128 * 1024;

  explicit IsoTransport(TransportHandler& handler) : handler_(handler) {}

  void data(Direction dir, Bytes bytes);
  // Bytes are missing: drop partial state and look for the next TPKT header.
  void gap(Direction dir);
  // True once a direction could not find a TPKT header again: the stream is not ISO transport.
  bool gave_up() const { return gave_up_; }

 private:
  struct DirectionState {
    std::vector<uint8_t> partial;   // an incomplete TPKT, or while hunting the unscanned tail
    std::vector<uint8_t> message;   // DT user data until EOT
    bool message_overflow = false;  // dropping the rest of an oversized message
    bool hunting = false;
    size_t hunted_bytes = 0;
  };

  Bytes hunt(Direction dir, Bytes bytes);
  Bytes complete_partial(Direction dir, Bytes bytes);
  void lose_sync(Direction dir, TransportError error);
  void handle_tpkt(Direction dir, Bytes frame);
  void handle_data(Direction dir, const CotpPdu& tpdu);

  TransportHandler& handler_;
  std::array<DirectionState, 2> dirs_;
  bool gave_up_ = false;
};

// A probe helper: walks the whole TPKTs at the start of `payload` and returns the user data of
// the first COTP DT that carries any. `status` is Match when found, NeedMoreData when only
// connection TPDUs / empty DTs (or a partial TPKT) were seen, NoMatch when the bytes are not
// TPKT + COTP. `connect_tsaps` receives the calling and called TSAPs of a CR / CC seen on the way.
enum class FirstDataStatus : uint8_t { Found, NeedMoreData, NotIso };
struct FirstData {
  FirstDataStatus status = FirstDataStatus::NeedMoreData;
  Bytes user_data;
  Bytes calling_tsap, called_tsap;
};
FirstData first_data(Bytes payload);

}  // namespace ots::iso
