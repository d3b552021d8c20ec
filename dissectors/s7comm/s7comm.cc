// The S7comm descriptor: TCP port 102 as a hint, a probe that looks for TPKT +
// COTP DT carrying classic S7 (protocol id 0x32) or a connect request to a classic S7 TSAP (other
// connect requests/confirms wait for the first DT), and the session factory.
#include "dissectors/dissector.h"
#include "dissectors/s7comm/s7comm_session.h"
#include "dissectors/s7comm/s7comm_wire.h"

namespace ots {

namespace s7comm {

ProbeResult probe(Direction, Bytes payload) {
  constexpr size_t kCotpFixedBytes = kTpktHeaderSize + 2;  // + length indicator + TPDU code
  TpktFrame frame = tpkt_frame(payload);
  if (frame.status == TpktStatus::Invalid) return ProbeResult::NoMatch;
  if (payload.size() < kCotpFixedBytes) return ProbeResult::NeedMoreData;
  if (!plausible_tpkt_start(payload)) return ProbeResult::NoMatch;
  const size_t header_end = kTpktHeaderSize + 1 + payload[kTpktHeaderSize];
  const uint8_t type = payload[kTpktHeaderSize + 1] & 0xF0;
  if (type == cotp::kData) {
    // The first DT byte after the COTP header is the S7 protocol id; S7comm-plus (0x72) is not ours.
    if (payload.size() <= header_end) return ProbeResult::NeedMoreData;
    return payload[header_end] == kProtocolId ? ProbeResult::Match : ProbeResult::NoMatch;
  }
  if (type != cotp::kConnectRequest && type != cotp::kConnectConfirm) return ProbeResult::NoMatch;
  // A connect request/confirm is shared by everything on the ISO stack (S7comm, S7comm-plus,
  // IEC 61850 MMS): only the first DT payload's protocol id tells them apart.
  if (payload.size() < header_end) return ProbeResult::NeedMoreData;
  CotpPdu tpdu;
  if (parse_cotp(payload.subspan(kTpktHeaderSize, header_end - kTpktHeaderSize), tpdu) != Anomaly::None) {
    return ProbeResult::NoMatch;
  }
  if (is_s7plus_tsap(tpdu.called_tsap) || is_s7plus_tsap(tpdu.calling_tsap)) return ProbeResult::NoMatch;
  // A connect request to a classic S7 TSAP (PG/OP/S7 basic connection to rack R slot S; MMS and
  // S7comm-plus use others) is S7comm: taking it here lets the session read rack and slot.
  if (type == cotp::kConnectRequest && rack_slot_from_tsap(tpdu.called_tsap)) return ProbeResult::Match;
  return ProbeResult::NeedMoreData;
}

}  // namespace s7comm

namespace {
constexpr uint16_t kS7commPorts[] = {102};
}

extern const DissectorDescriptor kDissector_s7comm;
const DissectorDescriptor kDissector_s7comm{
    .name = s7comm::kProtocolName,
    .transports = transport_bit::Tcp,
    .ports = kS7commPorts,
    .ethertypes = {},
    .probe = &s7comm::probe,
    .make_session = &s7comm::make_session,
};

}  // namespace ots
