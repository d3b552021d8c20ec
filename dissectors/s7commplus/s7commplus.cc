// The S7comm-plus descriptor: TCP port 102 as a hint; the probe claims flows whose first COTP
// data starts with 0x72 and a known protocol version, or whose connection request names a
// "SIMATIC-…" TSAP (the classic S7comm probe leaves those to this one).
#include "dissectors/dissector.h"
#include "dissectors/mms/iso_transport.h"
#include "dissectors/s7commplus/s7commplus_session.h"
#include "dissectors/s7commplus/s7commplus_wire.h"

namespace ots {

namespace s7commplus {

ProbeResult probe(Direction, Bytes payload) {
  const iso::FirstData first = iso::first_data(payload);
  switch (first.status) {
    case iso::FirstDataStatus::NotIso: return ProbeResult::NoMatch;
    case iso::FirstDataStatus::Found: {
      const Bytes data = first.user_data;
      if (data[0] != kProtocolId) return ProbeResult::NoMatch;
      if (data.size() < 2) return ProbeResult::NeedMoreData;
      return known_version(data[1]) ? ProbeResult::Match : ProbeResult::NoMatch;
    }
    case iso::FirstDataStatus::NeedMoreData: break;
  }
  if (s7comm::is_s7plus_tsap(first.called_tsap) || s7comm::is_s7plus_tsap(first.calling_tsap)) {
    return ProbeResult::Match;
  }
  return ProbeResult::NeedMoreData;
}

}  // namespace s7commplus

namespace {
constexpr uint16_t kS7commPlusPorts[] = {102};
}

extern const DissectorDescriptor kDissector_s7commplus;
const DissectorDescriptor kDissector_s7commplus{
    .name = s7commplus::kProtocolName,
    .transports = transport_bit::Tcp,
    .ports = kS7commPlusPorts,
    .ethertypes = {},
    .probe = &s7commplus::probe,
    .make_session = &s7commplus::make_session,
};

}  // namespace ots
