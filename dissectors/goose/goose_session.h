// GOOSE session: one per worker thread, fed every 0x88B8 frame of every publisher
// (L2 frames have no flows). Each frame is one publication by its sender (Side::Client).
// A publication is identified by (sender MAC, gocbRef); its last stNum / sqNum are kept
// for at most kMaxPublications publications (all forgotten when full: the next frame of
// each is then treated as new).
//
// Events:
//   protocol_confirmed()  once per sender MAC, after its first goosePdu that parses without anomaly
//                         (the set of confirmed MACs is capped at kMaxSenders, forgotten when full).
//   operation()           only when a publication is new or its state changes — a new stNum, or a new
//                         event time t with the same stNum (a restarted publisher starts again at
//                         stNum 1); the retransmissions in between, with rising sqNum, are not reported:
//                         code = APPID, name "GOOSE", is_request true, is_write false (a publication,
//                         not a command to one device), unit = stNum, address = sqNum,
//                         object = gocbRef; from = Side::Client.
//   identity()            when a publication is new: Hostname = the logical-device part of the
//                         gocbRef (before '/', "AA1C1Q05A1LD0" — IED name plus LD instance),
//                         DeviceType "IED", Role "GOOSE publisher", Description "gocbRef <gocbRef>".
//   anomaly()             the names of goose_wire.h; stnum_regression when stNum goes back to anything
//                         but 1 (1 is where a restarted publisher and the wrap start), sqnum_regression
//                         when sqNum goes back within one state (same stNum and t; except the wrap from
//                         0xFFFFFFFF): a replayed frame or a second publisher with the same gocbRef.
// rejected() stays false: the session is shared by every publisher, one bad frame proves nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "dissectors/dissector.h"
#include "dissectors/goose/goose_wire.h"

namespace ots::goose {

constexpr size_t kMaxSenders = 4096;
constexpr size_t kMaxPublications = 4096;

class GooseSession final : public DissectorSession {
 public:
  explicit GooseSession(EventSink& sink) : sink_(sink) {}

  void data(const FlowContext& ctx, Direction dir, Bytes bytes) override;
  void gap(const FlowContext&, Direction, uint64_t) override {}
  void end(const FlowContext&, Direction) override {}
  bool rejected() const override { return false; }

  size_t publications() const { return publications_.size(); }

 private:
  struct PublicationKey {
    MacAddr publisher;
    uint64_t gocb_ref_hash = 0;
    bool operator==(const PublicationKey&) const = default;
  };
  struct PublicationKeyHash {
    size_t operator()(const PublicationKey& k) const noexcept {
      return hash_bytes(k.publisher.bytes.data(), k.publisher.bytes.size(), k.gocb_ref_hash);
    }
  };
  struct PublicationState {
    uint32_t st_num = 0, sq_num = 0;
    uint64_t t = 0;  // time of the last state change, as published
  };

  void track(const FlowContext& ctx, const GoosePdu& pdu);
  void report_publication(const FlowContext& ctx, const GoosePdu& pdu, bool is_new);
  void report(const FlowContext& ctx, Anomaly anomaly);

  EventSink& sink_;
  std::unordered_set<MacAddr> confirmed_senders_;
  std::unordered_map<PublicationKey, PublicationState, PublicationKeyHash> publications_;
};

}  // namespace ots::goose
